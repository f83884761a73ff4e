"""Daily dispatch: plan a region's mobile-service vans and valet drivers for one day."""

"""Network planning: demand, lead-time forecast, coverage, site selection, capacity plans."""

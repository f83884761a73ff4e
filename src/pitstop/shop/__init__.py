"""The points shop: items with stock, orders paid in points, fulfilment."""

"""The service promise: per region, an option within N days and K km, or we come to you;
automatic compensation in points, once per booking, when the brand misses it."""

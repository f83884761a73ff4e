"""Loaner cars: a pool per site, assigned by day so no car is ever lent twice at once."""

"""Owners, vehicles and maintenance rules."""

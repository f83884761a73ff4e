"""Work orders: from check-in to hand-over, with findings, estimates, parts and recalls."""

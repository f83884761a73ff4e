"""Job catalogue, availability search, bookings and their states."""

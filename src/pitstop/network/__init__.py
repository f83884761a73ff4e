"""Sites, their capacity templates and counted capacity buckets, closures, vans and valets."""

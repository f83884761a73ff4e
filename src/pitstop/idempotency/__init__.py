"""Idempotency keys: a retried state-changing call returns the first result."""

"""The outbox: jobs written in the same transaction as the change that causes them."""

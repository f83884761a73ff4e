"""Points: an append-only ledger per owner, earning rules, daily check-in, expiry."""

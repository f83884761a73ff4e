"""Benefit plans: entitlements with quotas per period, vouchers, partner merchants."""

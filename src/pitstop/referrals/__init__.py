"""Referrals: owner codes, test drives and orders that carry the referrer, rewards, report."""

"""Notifications: the in-app inbox, e-mail and SMS deliveries, templates in Chinese and English."""

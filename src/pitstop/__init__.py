"""Pitstop: after-sales service and owner relations for car brands."""

__version__ = "0.1.0"

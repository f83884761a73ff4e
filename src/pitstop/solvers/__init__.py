"""Solver commands on standard benchmark formats, registered on the CLI's solve group."""

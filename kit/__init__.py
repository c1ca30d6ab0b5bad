"""Shared, non-domain machinery (like healthchecks' hc/lib): imports no domain app."""

"""Logging filters; imported while logging is configured, before the apps are ready."""

import logging


class WithoutContactMessages(logging.Filter):
    """Drops the SQL log lines (django.db.backends, at DEBUG with DEBUG on) of queries on
    contact messages: Django writes them with their parameters filled in, and a message's
    parameters are health information."""

    def filter(self, record):
        return "contactmessage" not in str(getattr(record, "sql", "")).lower()

"""Logging filters; imported while logging is configured, before the apps are ready."""

import logging
import re

# Tables whose queries carry private values among their parameters: contact messages
# (health information), accounts, sign-in attempts (django-axes: addresses as sign-in names)
# and join or claim requests (addresses, password hashes).
PRIVATE_TABLES = (
    '"therapists_contactmessage"',
    '"therapists_application"',
    '"auth_user"',
    '"axes_',
)
# Tables whose writes carry them: a joiner's license number before staff make it public.
PRIVATE_WRITES = ('"therapists_license"',)


class WithoutPrivateValues(logging.Filter):
    """Drops the SQL log lines (django.db.backends, at DEBUG with DEBUG on) of queries that
    carry private values: Django writes them with their parameters filled in."""

    def filter(self, record):
        sql = str(getattr(record, "sql", "")).lower()
        if any(table in sql for table in PRIVATE_TABLES):
            return False
        writes = sql.lstrip().startswith(("insert", "update"))
        return not (writes and any(table in sql for table in PRIVATE_WRITES))


# A path segment holding a signed value ("payload:signature", with a timestamp between for
# a dated one): the site's own paths have no colon elsewhere.
SIGNED_SEGMENT = re.compile(r"/[^/\s:]+(?::[^/\s:]+)+(?=/|\s|$)")


class WithoutSignedLinks(logging.Filter):
    """Hides the signed part of a path in Django's request log lines ("Bad Request:
    /join/confirm/<signed link>/"): a join link carries the joiner's name, address and
    license number, and a claim link the claimant's address, readable by anyone (signed,
    not encrypted)."""

    def filter(self, record):
        message = record.getMessage()
        hidden = SIGNED_SEGMENT.sub("/<signed link>", message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True

"""Logging filters; imported while logging is configured, before the apps are ready."""

import logging
import re

# Tables whose rows hold private values: accounts, sign-in attempts (django-axes: addresses as
# sign-in names), join and claim requests (addresses), licenses (a joiner's number before
# staff make it public). A query carries them in its parameters when it writes such a row
# or filters on one; one that only joins such a table (a listing with its account) does not.
PRIVATE_TABLES = (
    '"auth_user"',
    '"axes_',
    '"therapists_application"',
    '"therapists_license"',
)


def carries_private_values(sql):
    sql = sql.lower()
    # Contact messages hold health information: none of their queries is logged.
    if '"therapists_contactmessage"' in sql:
        return True
    words = sql.split(None, 3)
    if words and words[0] in ("insert", "update"):
        target = words[2] if words[0] == "insert" else words[1]
        return target.startswith(PRIVATE_TABLES)
    _query, where, condition = sql.partition(" where ")
    return bool(where) and any(table in condition for table in PRIVATE_TABLES)


class WithoutPrivateValues(logging.Filter):
    """Drops the SQL log lines (django.db.backends, at DEBUG with DEBUG on) of queries that
    carry private values: Django writes them with their parameters filled in."""

    def filter(self, record):
        return not carries_private_values(str(getattr(record, "sql", "")))


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

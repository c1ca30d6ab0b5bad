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


HIDDEN = "<hidden>"
# The URL parameters that carry a secret: a signed link's data (a join's name, address and
# license number; a claimant's address; a reminder's listing) or a sign-in token.
SECRET_PARAMETERS = ("token", "uidb64")
# A path in a log line, alone or in a full address (the host is not part of the path).
PATH = re.compile(r"(?:https?://[^/\s\"'<>]+)?(/[^\s\"'<>?#]*)")
# The shapes of secrets outside a path the URLconf knows: Django's signed values
# ("payload:signature" or "payload:timestamp:signature", the signature 27 or more base64
# characters; a session's data is one) and its password-reset tokens ("timestamp-hash").
SECRET_SHAPES = re.compile(
    r"\.?[A-Za-z0-9_-]+(?::[A-Za-z0-9_-]+)*:[A-Za-z0-9_-]{27,}"
    r"|\b[0-9a-z]{1,13}-[0-9a-f]{32}\b"
)


def without_secret_parameters(path):
    """The path with each secret parameter of the view it leads to hidden (in either
    edition), or as it is when it leads nowhere or the URLconf cannot be read yet."""
    from django.apps import apps

    if not apps.ready:
        return path
    from django.urls import Resolver404, resolve
    from django.utils import translation

    from modalities.translation import language_of

    try:
        with translation.override(language_of(path)):
            match = resolve(path)
    except Resolver404:
        return path
    except Exception:  # whatever a path does to the URLconf, a log line never fails
        return SECRET_SHAPES.sub(HIDDEN, path)
    secrets = {str(match.kwargs[name]) for name in SECRET_PARAMETERS if name in match.kwargs}
    if not secrets:
        return path
    return "/".join(HIDDEN if segment in secrets else segment for segment in path.split("/"))


def without_secrets(text):
    text = PATH.sub(
        lambda found: found[0].replace(found[1], without_secret_parameters(found[1])), text
    )
    return SECRET_SHAPES.sub(HIDDEN, text)


class WithoutSecretLinks(logging.Filter):
    """Hides what a signed link or a sign-in link carries, in every log line and the
    traceback under it: on a handler, so that no logger (django.request's "Bad Request:
    /join/confirm/<link>/", axes' "Successful login by {... path_info: ...}", the SQL of a
    session) writes one. A join link carries the joiner's name, address and license number
    readable by anyone (signed, not encrypted); a reset link signs its reader in."""

    def filter(self, record):
        message = record.getMessage()
        hidden = without_secrets(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        if record.exc_info and not record.exc_text:
            # Formatted here, as the handler's formatter would, so that it can be cleaned.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = without_secrets(record.exc_text)
        return True

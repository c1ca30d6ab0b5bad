"""Emails to therapists: each a short notice with a link to the site, never health
information (a client's message, who wrote it) and never a link built from a request's
Host header: links start from SITE_URL.

Every notice goes through notify(), with its texts in templates/therapists/email/
<kind>_subject.txt and <kind>_body.txt. A mail server that fails loses nothing: the
decision or message is saved and shows on the therapist's pages; the failure is logged
by kind and listing id only.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy

logger = logging.getLogger(__name__)


def absolute_link(path_or_name, *args, **kwargs):
    path = path_or_name if path_or_name.startswith("/") else reverse(path_or_name, *args, **kwargs)
    return settings.SITE_URL + path


# An absolute link on the site: a path ("/profile/") or a URL name with its arguments.
# Lazy: a link made before notify() is written out in the email's language, /es/ included.
site_link = lazy(absolute_link, str)


def notice_address(therapist):
    """Where a therapist is told things: their private address, else their account's."""
    return therapist.contact_email or (therapist.user.email if therapist.user_id else "")


def in_their_language(therapist, language=None):
    """Emails to a therapist, and their links, are in the language of their listing's
    emails (the edition they joined or claimed in), whoever's action sends them; in the
    default one for a value that is no edition's (a link to /fr/ would be a 404)."""
    try:
        edition = translation.get_supported_language_variant(language or therapist.language)
    except LookupError:
        edition = settings.LANGUAGE_CODE
    return translation.override(edition)


def notify(therapist, kind, to=None, language=None, **context):
    """Emails the notice `kind` to `to` (by default notice_address(therapist)), in
    `language` or the therapist's; True if sent."""
    address = to or notice_address(therapist)
    if not address:
        return False
    with in_their_language(therapist, language):
        return email(kind, address, f"listing {therapist.pk}", therapist=therapist, **context)


def one_line(text):
    """A subject as one line: a name written with a line break (a listing's, a joiner's)
    must neither break the mail header (Django refuses it: a 500) nor add one."""
    return " ".join(text.split())


def email(kind, address, about, *, fail_silently=True, **context):
    """Emails the notice `kind` to `address`, also to one who has no listing yet (a join);
    `about` names, for the log, whom it concerns (never the address). True if sent.
    With fail_silently=False a mail server's refusal is raised, for a caller that must
    undo what the email was to announce (an invitation)."""
    context = {"site_url": settings.SITE_URL, **context}
    try:
        send_mail(
            subject=one_line(render_to_string(f"therapists/email/{kind}_subject.txt", context)),
            message=render_to_string(f"therapists/email/{kind}_body.txt", context),
            from_email=None,
            recipient_list=[address],
        )
    except (smtplib.SMTPException, OSError) as error:
        if not fail_silently:
            raise
        logger.warning("No %s notice sent to %s: %r", kind, about, error)
        return False
    return True

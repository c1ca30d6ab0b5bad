"""Emails to therapists: each a short notice with a link to the site, never health
information (a client's message, who wrote it) and never a link built from a request's
Host header: links start from SITE_URL.

Every notice goes through notify(), with its texts in templates/therapists/email/
<kind>_subject.txt and <kind>_body.txt, written in the request and queued (kit.mail): a
worker sends it, trying again while the mail server fails, and logs it by kind and
listing id only. The decision or message is saved whatever the mail server does.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy

from kit.mail import send_later


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
    """Queues the notice `kind` to `to` (by default notice_address(therapist)), in
    `language` or the therapist's; True if queued (False: there is no address)."""
    address = to or notice_address(therapist)
    if not address:
        return False
    with in_their_language(therapist, language):
        return email(kind, address, f"listing {therapist.pk}", therapist=therapist, **context)


def one_line(text):
    """A subject as one line: a name written with a line break (a listing's, a joiner's)
    must neither break the mail header (Django refuses it: a 500) nor add one."""
    return " ".join(text.split())


def email(kind, address, about, **context):
    """Queues the notice `kind` to `address`, also to one who has no listing yet (a join),
    written now in the active language; `about` names, for the log, whom it concerns (never
    the address). True: the worker sends it once the caller's transaction commits."""
    context = {"site_url": settings.SITE_URL, **context}
    send_later(
        subject=one_line(render_to_string(f"therapists/email/{kind}_subject.txt", context)),
        body=render_to_string(f"therapists/email/{kind}_body.txt", context),
        to=address,
        about=f"the {kind} notice to {about}",
    )
    return True

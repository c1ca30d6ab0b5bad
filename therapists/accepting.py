"""Keeping "accepting new clients" true: a listing that says so is asked every
ACCEPTING_REMINDER_DAYS days to confirm it (send_accepting_reminders), by an email whose
signed link confirms with one click, without signing in: the signature is the proof."""

import datetime

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from therapists.models import Therapist
from therapists.notifications import notify, site_link

TOKEN_SALT = "therapists.accepting.reminder"
# A month: the next reminder comes two months after this one.
TOKEN_MAX_AGE = datetime.timedelta(days=30)
BATCH_SIZE = 100


def accepting_token(therapist, reminded_on):
    """The reminder link's token: the listing and the reminder's date, signed and dated."""
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    return signer.sign_object([therapist.pk, reminded_on.isoformat()])


def reminded_listing(token):
    """The listing a reminder link was sent for; None if the token is tampered with, older
    than TOKEN_MAX_AGE, or for a listing since deleted."""
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        therapist_pk, _reminded_on = signer.unsign_object(token, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return Therapist.objects.filter(pk=therapist_pk).first()


def send_reminders(today=None, batch_size=BATCH_SIZE):
    """Queues a reminder to each listing due_accepting_reminder() and records the day, a
    batch at a time, each batch in one transaction with its queued emails: a second run
    queues nothing twice, and no run waits on a mail server (kit.mail sends them, trying
    again while it fails). Returns how many were queued."""
    today = today or timezone.localdate()
    due = Therapist.objects.due_accepting_reminder(today).select_related("user").order_by("pk")
    queued = last_pk = 0
    while batch := list(due.filter(pk__gt=last_pk)[:batch_size]):
        last_pk = batch[-1].pk
        with transaction.atomic():
            reminded = [therapist.pk for therapist in batch if remind(therapist, today)]
            Therapist.objects.filter(pk__in=reminded).update(accepting_reminded_on=today)
        queued += len(reminded)
    return queued


def remind(therapist, today):
    link = site_link("profile:accepting", kwargs={"token": accepting_token(therapist, today)})
    return notify(
        therapist,
        "accepting_reminder",
        link=link,
        edit_link=edit_link(therapist),
        valid_days=TOKEN_MAX_AGE.days,
    )


def edit_link(therapist):
    """Where the therapist changes the rest of the listing: signed in, or, for a listing
    no account manages yet (the reminder goes to its private address), its claim page."""
    if therapist.user_id:
        return site_link("profile:edit")
    return site_link("therapists:claim", kwargs={"slug": therapist.slug})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET confirms (the one click); POST, from the page, says "not accepting now"."""
    therapist = reminded_listing(token)
    if therapist is None:
        context = {"valid_days": TOKEN_MAX_AGE.days}
        return render(request, "therapists/accepting_invalid.html", context, status=400)
    if therapist.accepting_new_clients:
        if request.method == "POST":
            therapist.confirm_accepting(False)
            messages.success(
                request, _("Saved: your listing now says you are not accepting new clients.")
            )
            return redirect(request.path)
        # Not on HEAD: a link checker's look at the address confirms nothing.
        if request.method == "GET":
            therapist.confirm_accepting()
    return render(request, "therapists/accepting.html", {"therapist": therapist})

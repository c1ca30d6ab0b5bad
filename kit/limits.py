"""The site's one rate limiter: every limit a form has (contact, join, claim, password
reset, photo uploads, kept match results) is a count in RateLimit, one row per (key,
window), taken with one statement (an insert that, for a row already there, adds a hit
only while under the limit): the database decides, so the limit holds when requests race,
on PostgreSQL as on SQLite. Never check-then-insert.

Each limit counts one subject (a canonical email address, a client's network as
kit.clients names it, a listing) in fixed windows of its period; the key is a keyed hash
of the limit's name and its subject, so the table holds no address. Like healthchecks'
TokenBucket, each limit the site has is a named authorize_* function below, its numbers
in settings. No limit counts over more than a day: delete_expired() keeps two.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kit.models import RateLimit

DAY = datetime.timedelta(days=1)
KEPT = 2 * DAY
KEY_SALT = "kit.limits.key"
# Providers that deliver a.b.c@ to abc@: one mailbox, one allowance (and one domain).
DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_email(address):
    """The mailbox an address reaches, as the limits count it: lower case, "+tag" dropped,
    dots dropped where the provider ignores them ("V.i.c.t.i.m+2@GMail.com" is
    "victim@gmail.com")."""
    local, at, domain = address.strip().casefold().rpartition("@")
    if not at:
        return domain
    local = local.split("+", 1)[0]
    domain = domain.rstrip(".")
    if domain in DOTS_IGNORED:
        local, domain = local.replace(".", ""), DOTS_IGNORED[domain]
    return f"{local}@{domain}"


def limit_key(name, subject):
    return salted_hmac(KEY_SALT, f"{name}\n{subject}", algorithm="sha256").hexdigest()


def window_start(moment, period):
    """The start of the fixed window of `period` that `moment` falls in (UTC-aligned)."""
    seconds = moment.timestamp()
    return datetime.datetime.fromtimestamp(
        seconds - seconds % period.total_seconds(), tz=datetime.UTC
    )


# Counts one hit in one statement, on PostgreSQL as on SQLite: the row made on first use,
# else its hits moved up only while under the limit; a row comes back only when counted.
COUNT_ONE_HIT = """
    INSERT INTO kit_ratelimit (key, window_start, hits) VALUES (%s, %s, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = kit_ratelimit.hits + 1
    WHERE kit_ratelimit.hits < %s
    RETURNING hits
"""


def authorize(key, limit, period, at=None):
    """Counts one hit for `key` in the window of `period` around `at` (now) and says True,
    or says False and counts nothing when the window holds `limit` hits already.

    One statement, atomic in the database: of requests racing for the last hit, it lets
    one through."""
    if limit <= 0:
        return False
    start = window_start(at or timezone.now(), period)
    stored_start = RateLimit._meta.get_field("window_start").get_db_prep_value(start, connection)
    with connection.cursor() as cursor:
        cursor.execute(COUNT_ONE_HIT, [key, stored_start, limit])
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Limit:
    """One limit as a form applies it: `name` says what is counted, `subject` whose."""

    name: str
    subject: str
    allowed: int
    period: datetime.timedelta = DAY
    at: datetime.datetime | None = None  # the moment whose window counts; None: now

    @property
    def key(self):
        return limit_key(self.name, self.subject)


def first_refused(*limits):
    """None when every limit allows one more, each then counting it; else the name of the
    first limit, in the order given, that refuses, and none counts. In one transaction,
    taking the keys in one order, so two requests never wait on each other in a cycle."""
    refused = set()
    with transaction.atomic():
        for limit in sorted(limits, key=lambda limit: limit.key):
            if not authorize(limit.key, limit.allowed, limit.period, limit.at):
                refused.add(limit)
        if refused:
            transaction.set_rollback(True)
    return next((limit.name for limit in limits if limit in refused), None)


def delete_expired(now=None):
    """Deletes the counts of windows no limit reads any more; how many were deleted."""
    deleted, _ = RateLimit.objects.filter(window_start__lt=(now or timezone.now()) - KEPT).delete()
    return deleted


# The site's limits ----------------------------------------------------------------------

SENT = "sent"  # the page's form was sent already


def once(form_token, shown_at):
    """One page shown sends once: its form's token (a keyed hash) counts one hit, in the
    window of the moment it was shown, so the token is refused for as long as it is valid."""
    moment = datetime.datetime.fromtimestamp(shown_at, tz=datetime.UTC)
    return Limit(SENT, form_token, 1, DAY, at=moment)


def contact_limits(*, email, network, listing, text, form_token, shown_at):
    """A message to a therapist: the page once, the same text to them once a day from one
    address, CONTACT_MESSAGES_PER_EMAIL from one address, CONTACT_MESSAGES_PER_ADDRESS
    from one network."""
    sender = canonical_email(email)
    return (
        once(form_token, shown_at),
        Limit("contact.copy", f"{listing}\n{sender}\n{text}", 1),
        Limit("contact.email", sender, settings.CONTACT_MESSAGES_PER_EMAIL),
        Limit("contact.network", network, settings.CONTACT_MESSAGES_PER_ADDRESS),
    )


def join_limits(*, email, network, form_token, shown_at):
    """A join's confirmation link: JOIN_LINKS_PER_EMAIL to one address, JOIN_LINKS_PER_ADDRESS
    from one network."""
    return (
        once(form_token, shown_at),
        Limit("join.email", canonical_email(email), settings.JOIN_LINKS_PER_EMAIL),
        Limit("join.network", network, settings.JOIN_LINKS_PER_ADDRESS),
    )


def claim_link_limits(*, listing, network, form_token, shown_at):
    """A claim by a link to the listing's private address: CLAIM_LINKS_PER_LISTING to one
    listing from each network (what strangers ask for never uses up the owner's), and
    CLAIM_LINKS_PER_ADDRESS from one network to any listings."""
    return (
        once(form_token, shown_at),
        Limit("claim.link.listing", f"{listing}\n{network}", settings.CLAIM_LINKS_PER_LISTING),
        Limit("claim.link.network", network, settings.CLAIM_LINKS_PER_ADDRESS),
    )


def claim_number_limits(*, listing, network, form_token, shown_at):
    """A claim by a license number: CLAIM_NUMBER_TRIES_PER_ADDRESS from one network, and
    CLAIM_NUMBER_TRIES_PER_LISTING for one listing whatever the network (against guessing
    spread over many networks)."""
    return (
        once(form_token, shown_at),
        Limit("claim.number.network", network, settings.CLAIM_NUMBER_TRIES_PER_ADDRESS),
        Limit("claim.number.listing", str(listing), settings.CLAIM_NUMBER_TRIES_PER_LISTING),
    )


def claim_check_limits(*, network, form_token, shown_at, listing=None):
    """A claim with a license number for staff to check with the state board: nothing is
    matched at once, so there is nothing to guess, and no limit per listing that strangers
    could use up to lock its owner out; CLAIM_NUMBER_TRIES_PER_ADDRESS from one network."""
    return (
        once(form_token, shown_at),
        Limit("claim.number.network", network, settings.CLAIM_NUMBER_TRIES_PER_ADDRESS),
    )


def password_reset_limits(*, email, network):
    """A password reset link: PASSWORD_RESETS_PER_EMAIL to one address (whether or not an
    account has it), PASSWORD_RESETS_PER_ADDRESS from one network."""
    return (
        Limit("reset.email", canonical_email(email), settings.PASSWORD_RESETS_PER_EMAIL),
        Limit("reset.network", network, settings.PASSWORD_RESETS_PER_ADDRESS),
    )


def authorize_contact_message(**request):
    return first_refused(*contact_limits(**request))


def authorize_join_link(**request):
    return first_refused(*join_limits(**request))


def authorize_claim_link(**request):
    return first_refused(*claim_link_limits(**request))


def authorize_claim_number(**request):
    return first_refused(*claim_number_limits(**request))


def authorize_password_reset(**request):
    return first_refused(*password_reset_limits(**request))


def authorize_match_result(network):
    """True, counting it, if the network may have one more Find Your Match result kept
    today (MATCH_RESULTS_PER_ADDRESS): anonymous posts must not fill the table."""
    return authorize(limit_key("match.network", network), settings.MATCH_RESULTS_PER_ADDRESS, DAY)


def authorize_photo_upload(user):
    """True, counting it, if the account (a user or its id) may upload one more photo today
    (PHOTO_UPLOADS_PER_DAY)."""
    account = getattr(user, "pk", user)
    return authorize(limit_key("photo.account", str(account)), settings.PHOTO_UPLOADS_PER_DAY, DAY)

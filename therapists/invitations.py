"""Inviting a therapist: create or link their account and email a set-password link.

Every way of giving a listing an account (the admin's action, the invite_therapist
command, and any join or claim flow) goes through link_account(), which holds the rule:
an invitation never links, renames or re-addresses a staff account, nor an account that
belongs to another listing, and it moves an account already in use to a new address only
when told to, with a notice to the old address.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from kit.mail import send_later
from therapists.notifications import email as send_notice
from therapists.notifications import in_their_language, site_link


class InvitationError(Exception):
    pass


class ChangeOfAddressNotConfirmed(InvitationError):
    """The account is in use; moving it to another address needs the caller's confirmation."""


# The accounts a listing may be linked to: never a staff member's or a superuser's.
LINKABLE_ACCOUNTS = Q(is_staff=False, is_superuser=False)


def holds_address(address):
    """An account's email or sign-in name is this address (neither is stored folded)."""
    return Q(email__iexact=address) | Q(username__iexact=address)


def linkable_accounts():
    return get_user_model().objects.filter(LINKABLE_ACCOUNTS)


def is_staff_account(user):
    return user.is_staff or user.is_superuser


def in_use(user):
    """Whether someone already signs in with this account (not just invited)."""
    return user.has_usable_password() or user.last_login is not None


def address_length_limit():
    """The address becomes both the email and the sign-in name, so it must fit both."""
    fields = get_user_model()._meta
    return min(fields.get_field("email").max_length, fields.get_field("username").max_length)


def clean_address(email):
    """The address as the account will hold it, or InvitationError: one plain address,
    nothing that could add a mail header, a second recipient or an odd sign-in name."""
    refused = InvitationError(_("%(email)r is not a single email address.") % {"email": email})
    # Quotes would allow commas and angle brackets; control and space characters, headers.
    if not isinstance(email, str) or any(
        c == '"' or c.isspace() or not c.isprintable() for c in email
    ):
        raise refused
    # Folded as Django folds a sign-in name (NFKC), so that an address written with look-alike
    # characters (a long s, fullwidth letters) is compared as the one the account will hold.
    email = unicodedata.normalize("NFKC", get_user_model().objects.normalize_email(email)).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise refused from None
    if len(email) > address_length_limit():
        raise InvitationError(
            _("%(email)s is longer than %(limit)d characters.")
            % {"email": email, "limit": address_length_limit()}
        )
    return email


def refuse_staff(user):
    if is_staff_account(user):
        raise InvitationError(
            _(
                "%(email)s is a staff account. Invitations never link or change staff "
                "accounts; invite the therapist at an address of their own."
            )
            % {"email": user.email or user.username}
        )


def link_account(therapist, email, *, change_address=False):
    """The listing's account, created or linked for this address, after the rule above.

    Returns (user, the old address if an account in use moved to a new one, else None).
    """
    email = clean_address(email)
    User = get_user_model()
    with transaction.atomic():
        # Judge the link on what is saved now, not on the caller's copy of the listing.
        therapist = type(therapist).objects.select_for_update().get(pk=therapist.pk)
        user = (
            therapist.user
            or User.objects.filter(holds_address(email)).select_related("therapist").first()
        )
        if user is None:
            user = User.objects.create_user(username=email, email=email)
        refuse_staff(user)
        other = getattr(user, "therapist", None)
        if other is not None and other.pk != therapist.pk:
            raise InvitationError(
                _("%(email)s already has the account of %(other)s.")
                % {"email": email, "other": other}
            )
        if therapist.user_id != user.pk:
            therapist.user = user
            therapist.save(update_fields=["user", "updated_at"])
        moved_from = None
        if user.email.lower() != email or user.username != email:
            taken = User.objects.exclude(pk=user.pk).filter(holds_address(email))
            if taken.exists():
                raise InvitationError(
                    _("%(email)s already belongs to another account.") % {"email": email}
                )
            # A sign-in name is renamed as an address is moved: an account in use keeps
            # both unless the caller confirms (a claim never does).
            renamed = user.email.lower() != email or user.username.lower() != email
            if in_use(user) and renamed:
                if not change_address:
                    raise ChangeOfAddressNotConfirmed(
                        _(
                            "%(name)s already signs in as %(old)s: nothing was changed. "
                            "Moving their sign-in to %(email)s needs your confirmation, "
                            "and then %(old)s is told."
                        )
                        % {"name": therapist, "old": user.email, "email": email}
                    )
                moved_from = user.email if user.email.lower() != email else None
            # The sign-in name is the email address, so both move together.
            user.email = user.username = email
            user.save(update_fields=["email", "username"])
    return user, moved_from


def send(template, context, to, about):
    send_later(
        subject=render_to_string(f"registration/{template}_subject.txt", context).strip(),
        body=render_to_string(f"registration/{template}_email.txt", context),
        to=to,
        about=f"the {template} email to {about}",
    )


def set_password_link(user):
    """The link with which the account's owner chooses a password, built from SITE_URL
    (never from a request, whose Host header anyone can write)."""
    return site_link(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def invite(therapist, email, *, change_address=False, notice=None):
    """Links the account and queues the set-password link: in the generic invitation, or
    in the therapists/email/ notice `notice` (a claim's approval), so one email says why."""
    # One transaction with the queued emails: an account is linked or moved only with the
    # emails that tell of it, and those wait for no mail server (kit.mail tries again
    # while it fails), so a caller's locks are released at once.
    with transaction.atomic():
        user, moved_from = link_account(therapist, email, change_address=change_address)
        context = {"therapist": therapist, "user": user, "site_url": settings.SITE_URL}
        about = f"listing {therapist.pk}"
        with in_their_language(therapist):
            if moved_from:
                send("address_changed", context, moved_from, about)
            context["link"] = set_password_link(user)
            if notice:
                send_notice(notice, user.email, about, **context)
            else:
                send("invitation", context, user.email, about)
    return user

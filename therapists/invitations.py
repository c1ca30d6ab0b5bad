"""Inviting a therapist: create or link their account and email a set-password link."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


class InvitationError(Exception):
    pass


def link_account(therapist, email):
    """The therapist's account, created or linked for this email; refuses to take over
    an account that belongs to another listing."""
    email = get_user_model().objects.normalize_email(email).lower()
    with transaction.atomic():
        user = therapist.user
        if user is None:
            user = (
                get_user_model()
                .objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
                .select_related("therapist")
                .first()
            )
            if user is not None and hasattr(user, "therapist"):
                raise InvitationError(
                    _("%(email)s already has the account of %(other)s.")
                    % {"email": email, "other": user.therapist}
                )
            if user is None:
                user = get_user_model().objects.create_user(username=email, email=email)
            therapist.user = user
            therapist.save(update_fields=["user"])
        if user.email.lower() != email or user.username != email:
            # The sign-in name is the email address, so both move together.
            taken = (
                get_user_model()
                .objects.exclude(pk=user.pk)
                .filter(Q(email__iexact=email) | Q(username__iexact=email))
            )
            if taken.exists():
                raise InvitationError(
                    _("%(email)s already belongs to another account.") % {"email": email}
                )
            user.email = user.username = email
            user.save(update_fields=["email", "username"])
    return user


def invite(therapist, email, base_url):
    """Links the account and emails the set-password link; base_url like https://host."""
    user = link_account(therapist, email)
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"therapist": therapist, "user": user, "link": base_url.rstrip("/") + path}
    send_mail(
        subject=render_to_string("registration/invitation_subject.txt", context).strip(),
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return user

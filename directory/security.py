"""Security headers on every response, and how sign-in throttling (django-axes) names the
account it counts failed sign-ins against. The client is named as every limit names it:
kit.clients.client_network (AXES_CLIENT_IP_CALLABLE), an IPv6 client by its /64."""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from therapists.photos import photo_origin

# Everything the site needs comes from itself: one stylesheet, images, no script at all
# (JSON-LD data blocks are never run, so they need no allowance). The admin's scripts and
# stylesheets are its own static files, so the same policy covers it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "interest-cohort=(), geolocation=(), camera=(), microphone=()"


def content_security_policy():
    """The policy, with the photo bucket's host allowed for images when photos are stored
    in one (therapists.photos.photo_origin)."""
    origin = photo_origin()
    if origin is None:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


class SecurityHeadersMiddleware:
    """Sits just below SecurityMiddleware, so pages served from the page cache get the
    headers too; a view that sets one of them deliberately keeps its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def account_name(request, credentials):
    """The account a sign-in is for (AXES_USERNAME_CALLABLE): "A@x.org " and "a@x.org"
    are one account, as for EmailLoginForm, on the site's form and the admin's alike."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username")
    return name.strip().lower() if isinstance(name, str) else name


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): HTTP 429, and when to
    come back."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class AccountResetHandler(AxesDatabaseHandler):
    """axes' database handler (AXES_HANDLER), with a limit per address besides the one per
    account and address, and a successful sign-in forgets only that account's failures
    from that address. axes would also forget every failure from the same address, so
    anyone with an account could sign in between guesses at other people's passwords and
    never be locked out; and the owner signing in elsewhere does not forgive a guesser."""

    def get_failures(self, request, credentials=None):
        """The failures axes compares with AXES_FAILURE_LIMIT: this account's from this
        address, or the limit itself once the address has SIGN_IN_ADDRESS_FAILURE_LIMIT
        failures of its own (AXES_LOCKOUT_PARAMETERS gives the two counts in that order)."""
        account_here, address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return max(account_here, settings.AXES_FAILURE_LIMIT)
        return account_here

    def reset_user_attempts(self, request, credentials=None):
        count, _ = AccessAttempt.objects.filter(
            username=account_name(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count

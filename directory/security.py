"""Security headers on every response, and how sign-in throttling (django-axes) names the
client and the account it counts failed sign-ins against."""

import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render

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


class SecurityHeadersMiddleware:
    """Sits just below SecurityMiddleware, so pages served from the page cache get the
    headers too; a view that sets one of them deliberately keeps its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def client_ip(request):
    """The address failed sign-ins are counted against (AXES_CLIENT_IP_CALLABLE).

    Behind our TLS proxy, the last X-Forwarded-For entry is the one the proxy appended:
    the address it saw. Entries before it come from the client and could be forged to
    dodge the limit, so they are never used. Without a proxy, REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_TLS_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote


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
    """axes' database handler (AXES_HANDLER), except that a successful sign-in forgets only
    that account's failures. axes would also forget every failure from the same address,
    so anyone with an account could sign in between guesses at other people's passwords
    and never be locked out."""

    def reset_user_attempts(self, request, credentials=None):
        count, _ = AccessAttempt.objects.filter(
            username=account_name(request, credentials)
        ).delete()
        return count

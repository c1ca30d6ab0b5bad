"""System checks of the settings the environment chose."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"


@register(Tags.security, deploy=True)
def check_email_backend(app_configs, **kwargs):
    """The console backend is allowed in production only when chosen, and then named."""
    if settings.EMAIL_BACKEND != CONSOLE_EMAIL:
        return []
    return [
        Warning(
            "Emails are printed to the console: their sign-in links (invitations, password "
            "resets) end up in the server's log.",
            hint="Set EMAIL_HOST to an SMTP server and unset EMAIL_BACKEND.",
            id="directory.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    """Behind a proxy that names no trusted address, every visitor is counted as the proxy."""
    if not settings.BEHIND_TLS_PROXY or settings.TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "BEHIND_TLS_PROXY is on but TRUSTED_PROXIES is empty: sign-in protection counts "
            "every visitor as the proxy's address, so fifty failures anywhere pause everyone.",
            hint="Set TRUSTED_PROXIES to the proxy's address as gunicorn sees it.",
            id="directory.W002",
        )
    ]

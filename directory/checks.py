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

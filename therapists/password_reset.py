"""Asking for a password reset link (/accounts/password_reset/).

The answer is the same, and costs the same, whether or not an account has the address: the
view counts the request against its limits (kit.limits, per address and per network, staff
addresses too) and queues one task carrying the address and the edition's language; the
worker looks up the accounts and sends Django's reset email, with links from SITE_URL.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from kit.clients import client_network
from kit.limits import authorize_password_reset
from kit.mail import send_later
from modalities.forms import BoundsValues
from modalities.translation import edition_language
from therapists.notifications import one_line


class InviteeAwarePasswordResetForm(BoundsValues, PasswordResetForm):
    """Also sends a link to an invited therapist who never set a password, so an expired
    invitation can be renewed from the login page."""

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, **options):
        """The link leads to SITE_URL: the request's Host header is whatever the sender
        wrote, and a reset link to their host would hand them the token."""
        site = urlsplit(settings.SITE_URL)
        super().save(
            **{**options, "domain_override": site.netloc, "use_https": site.scheme == "https"}
        )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        """Queued like every email (kit.mail), so a failing mail server is tried again."""
        subject = one_line(render_to_string(subject_template_name, context))
        body = render_to_string(email_template_name, context)
        send_later(subject, body, context["email"], about=f"account {context['user'].pk}")


REFUSALS = {
    "reset.email": _(
        "Not sent: we have sent as many links to this address today as we send in a day. "
        "Check your email for the ones sent, or try again tomorrow."
    ),
    "reset.network": _(
        "Not sent: many requests have come from your network today, the most we take. What "
        "you wrote is kept below; please send it tomorrow."
    ),
}


class PasswordResetView(auth_views.PasswordResetView):
    form_class = InviteeAwarePasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        refused = authorize_password_reset(email=email, network=client_network(self.request))
        if refused:
            form.add_error(None, ValidationError(REFUSALS[refused], code="limit"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        send_reset_link.enqueue(email=email, language=edition_language())
        return HttpResponseRedirect(self.get_success_url())


@task()
def send_reset_link(email, language):
    """Emails a reset link to each active account with this address (none: nothing), in
    the language of the edition it was asked on."""
    with translation.override(language):
        form = InviteeAwarePasswordResetForm({"email": email})
        if form.is_valid():
            form.save()

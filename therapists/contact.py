"""Writing to a therapist through the site (/therapists/<slug>/contact/).

A message holds health information: the view hides every posted value and every local
variable from Django's error reports, logs nothing of it, and the therapist's notice is a
link to the message, never its text or its sender.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from kit.clients import client_network
from therapists.forms import ContactForm, shown_at_token
from therapists.models import Therapist
from therapists.notifications import notice_address, notify, site_link


def listing(slug):
    return get_object_or_404(Therapist.objects.listed().select_related("user"), slug=slug)


# never_cache: a form sent back with errors shows what the person wrote, and no proxy may
# keep that; the site's own page cache never stores it either (no page_cache_params).
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_variables()
def contact(request, slug):
    therapist = listing(slug)
    if not therapist.takes_messages:
        return not_joined(request, therapist)
    form = ContactForm(request.POST or None, therapist=therapist, network=client_network(request))
    message = form.save() if form.is_valid() else None
    if message:
        notify_message_waiting(therapist)
        return redirect("therapists:contact_sent", slug=therapist.slug)
    context = {
        "therapist": therapist,
        "form": form,
        "shown_at": shown_at_token(therapist),
        "retention_days": settings.MESSAGE_RETENTION_DAYS,
    }
    # Over the day's limit: 429, with the form and all it holds, to send again later.
    status = 429 if form.has_error(NON_FIELD_ERRORS, "limit") else 200
    return render(request, "therapists/contact.html", context, status=status)


def notify_message_waiting(therapist):
    """Emails the therapist a link to their messages, never the message: a mail server that
    fails loses nothing, the message is stored and shows on their page."""
    notify(
        therapist,
        "message_waiting",
        link=site_link("profile:messages"),
        retention_days=settings.MESSAGE_RETENTION_DAYS,
    )


def not_joined(request, therapist):
    """No form where no one would read it: the listing's public contact and its claim link
    instead. A message posted all the same is neither stored nor passed on."""
    context = {"therapist": therapist, "not_sent": request.method == "POST"}
    return render(request, "therapists/contact_not_joined.html", context)


@require_http_methods(["GET", "HEAD"])
def contact_sent(request, slug):
    therapist = listing(slug)
    if not therapist.takes_messages:
        return redirect("therapists:contact", slug=therapist.slug)
    context = {
        "therapist": therapist,
        "notified": bool(notice_address(therapist)),
        "retention_days": settings.MESSAGE_RETENTION_DAYS,
    }
    return render(request, "therapists/contact_sent.html", context)

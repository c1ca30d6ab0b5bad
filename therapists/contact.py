"""Writing to a therapist through the site (/therapists/<slug>/contact/).

A message holds health information: the view hides every posted value and every local
variable from Django's error reports, logs nothing of it, and the therapist's notice is a
link to the message, never its text or its sender.
"""

import ipaddress

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from therapists.forms import ContactForm, shown_at_token
from therapists.models import Therapist
from therapists.notifications import notice_address, notify, site_link


def listing(slug):
    return get_object_or_404(Therapist.objects.listed().select_related("user"), slug=slug)


def sender_network(address):
    """What the limit per network address counts: an IPv4 address, or an IPv6 address's
    /64, since anyone with IPv6 holds a whole /64 and may send from a new address each time."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # none known (""), or not an address: counted as given
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:  # an IPv4 client seen through an IPv6 socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def sender_address(request):
    """The network sign-in throttling sees the request from (sender_network), as a keyed hash."""
    network = sender_network(get_client_ip_address(request) or "")
    return salted_hmac("therapists.contact.sender-address", network).hexdigest()


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
    form = ContactForm(request.POST or None, therapist=therapist, address=sender_address(request))
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

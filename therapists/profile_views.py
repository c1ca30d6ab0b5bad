"""A therapist's own pages. The listing always comes from the signed-in account, never
from the URL, so no id or slug can reach another therapist's listing."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from modalities.models import Modality
from modalities.translation import ENGLISH, SPANISH
from therapists.forms import ProfileForm, QuoteForm
from therapists.models import QUOTE_MAX_LENGTH, ContactMessage, Quote, Therapist

MESSAGES_PER_PAGE = 25
# A therapist's quote on a modality may be written in each of these.
LANGUAGES = (ENGLISH, SPANISH)


def own_listing(request, queryset=None):
    """The signed-in account's listing; 404 for an account without one."""
    return get_object_or_404(Therapist if queryset is None else queryset, user=request.user)


@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    therapist = own_listing(
        request,
        Therapist.objects.with_signature()
        .with_photo_in_review()
        .prefetch_related(
            Prefetch("modalities", queryset=Modality.objects.published()),
            "concerns",
            "languages",
            "quotes",
        ),
    )
    quotes = {(quote.modality_id, quote.language): quote for quote in therapist.quotes.all()}
    # Each modality with its quote in each language (None where not written yet).
    practice = [
        (modality, [(language, quotes.get((modality.pk, language))) for language in LANGUAGES])
        for modality in therapist.modalities.all()
    ]
    # Why an unlisted listing is private, if it joined: a listed one needs no query for it.
    joined = None if therapist.is_listed else therapist.applications.joins().first()
    context = {
        "therapist": therapist,
        "practice": practice,
        "missing": therapist.missing_details(),
        "join": joined,
    }
    return render(request, "therapists/profile_dashboard.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_profile(request):
    therapist = own_listing(request)
    form = ProfileForm(request.POST or None, instance=therapist)
    if form.is_valid():
        with transaction.atomic():  # the row and its modalities and concerns, or nothing
            therapist = form.save(commit=False)
            therapist.accepting_confirmed_on = timezone.localdate()
            # Only what the therapist changed: a staff change made meanwhile (an unlisting,
            # a corrected bio) stays. updated_at moves too, so a staff form opened before
            # is refused.
            therapist.save(update_fields=[*form.changed_columns(), "accepting_confirmed_on"])
            form.save_m2m()
        messages.success(request, _("Your listing is saved."))
        # The photo's own page is reached through this form (its second button), so going
        # there saves what was typed first.
        return redirect(
            "profile:photo" if request.POST.get("then") == "photo" else "profile:dashboard"
        )
    # A form with errors comes back with what was typed, whichever button sent it.
    return render(request, "therapists/profile_edit.html", {"form": form, "therapist": therapist})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_quote(request, modality_slug, language=Quote.Language.ENGLISH):
    """The quote on a modality in one language; the other language's live text beside it."""
    therapist = own_listing(request, Therapist.objects.with_signature())
    modality = get_object_or_404(Modality.objects.published(), slug=modality_slug)
    context = {
        "therapist": therapist,
        "modality": modality,
        "limit": QUOTE_MAX_LENGTH,
        "language": language,
        "other_language": SPANISH if language == ENGLISH else ENGLISH,
    }
    if not therapist.modalities.filter(pk=modality.pk).exists():
        status = 400 if request.method == "POST" else 200
        return render(request, "therapists/profile_quote.html", context, status=status)

    # Both languages in one query: this one to edit, the other to read beside it.
    found = {q.language: q for q in Quote.objects.filter(therapist=therapist, modality=modality)}
    quote, other = found.get(language), found.get(context["other_language"])
    action = request.POST.get("action")
    if action == "withdraw":
        if quote and quote.draft_status != Quote.DraftStatus.NONE:
            quote.withdraw()
            messages.success(request, _("Your draft is withdrawn; your live quote is unchanged."))
        return redirect("profile:dashboard")

    form = QuoteForm(
        request.POST or None,
        initial={"text": quote.draft or quote.text if quote else ""},
        language=language,
    )
    if form.is_valid():
        text = form.cleaned_data["text"]
        if action == "submit":
            return submit_quote(request, therapist, modality, language, text)
        context["preview"] = text
    context.update(form=form, quote=quote, other=other)
    return render(request, "therapists/profile_quote.html", context)


def submit_quote(request, therapist, modality, language, text):
    # get_or_create survives two tabs creating the same quote at once: one row, one draft.
    quote, _created = Quote.objects.get_or_create(
        therapist=therapist, modality=modality, language=language
    )
    if text == quote.text and quote.draft_status == Quote.DraftStatus.NONE:
        messages.info(request, _("That is already your live quote; nothing to review."))
    else:
        quote.submit(text)
        if quote.text:
            sent = _("Sent for review. Your live quote stays up until staff approve the new text.")
        else:
            sent = _("Sent for review. It goes live once staff approve it.")
        messages.success(request, sent)
    return redirect("profile:dashboard")


# Messages hold health information: kept out of error reports and of any cache.
@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
@sensitive_variables()
def messages_received(request):
    """The signed-in therapist's messages, newest first, a page at a time; those shown
    unread are read now."""
    therapist = own_listing(request)
    paginator = Paginator(ContactMessage.objects.for_inbox(therapist), MESSAGES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    unread = {message.pk for message in page if message.read_at is None}
    if unread and request.method == "GET":
        ContactMessage.objects.filter(pk__in=unread).mark_read()
    context = {
        "therapist": therapist,
        "page_obj": page,
        "paginator": paginator,
        "unread": unread,
        "retention_days": settings.MESSAGE_RETENTION_DAYS,
    }
    return render(request, "therapists/profile_messages.html", context)


def own_message(therapist, message_id):
    """One of the therapist's kept messages; 404 for any other id (one too large for the
    database never gets here: directory.converters)."""
    return get_object_or_404(ContactMessage.objects.for_inbox(therapist), pk=message_id)


def back_to_messages(request):
    """The inbox page the action was taken from (the form sends its number), else the first."""
    page = request.POST.get("page", "")
    url = reverse("profile:messages")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)


@login_required
@never_cache
@require_POST
@sensitive_variables()
def mark_replied(request, message_id):
    therapist = own_listing(request)
    message = own_message(therapist, message_id)
    # Marked once: a second click (a second tab, a double submit) keeps the first time.
    if message.replied_at is None and ContactMessage.objects.filter(pk=message.pk).mark_replied():
        ContactMessage.objects.update_reply_days(therapist)
    messages.success(request, _("The message is marked replied."))
    return back_to_messages(request)


@login_required
@never_cache
@require_POST
@sensitive_variables()
def delete_message(request, message_id):
    therapist = own_listing(request)
    message = own_message(therapist, message_id)
    sent = message.created_at
    message.delete()
    if message.replied_at is not None:
        ContactMessage.objects.update_reply_days(therapist)
    # The date, not the sender's name: this notice travels in a cookie.
    messages.success(
        request,
        _("The message sent %(date)s is deleted; it cannot be restored.")
        # As the inbox wrote it, so the therapist recognises which one went.
        % {"date": date_format(timezone.localtime(sent), "SHORT_DATETIME_FORMAT")},
    )
    return back_to_messages(request)

"""The review queue in the admin: one list of what waits (quotes, photos, joins, claims)
and a page per item with the draft beside what is live, Approve and Send back.

The decisions themselves are in therapists.review; these views check who may decide,
read the forms and say what happened.
"""

import heapq
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

import directory.converters  # noqa: F401 (registers <id:...>)
from modalities.admin import word_diff
from therapists import review, review_joins
from therapists.forms import IdentityCheckForm, SendBackForm
from therapists.models import (
    Application,
    License,
    Location,
    Photo,
    Quote,
    ReviewStatus,
    signature_prefetches,
)
from therapists.review_joins import (
    TREAT_AS_CLAIM,
    JoinApprovalForm,
    TreatAsClaimForm,
    decisions,
)

# The queue shows this many items; the counts above it say how many wait in all.
QUEUE_LENGTH = 100
SEEN_DRAFT = "seen_draft"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # the queue's filter: "quotes"
    noun: str  # one of them: "quote"
    decide_perms: tuple
    view_perms: tuple

    def may_view(self, user):
        return self.may_decide(user) or any(user.has_perm(perm) for perm in self.view_perms)

    def may_decide(self, user):
        return user.has_perms(self.decide_perms)


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "quote",
            gettext_lazy("quotes"),
            gettext_lazy("quote"),
            ("therapists.review_quote",),
            ("therapists.view_quote", "therapists.view_pendingquote"),
        ),
        Kind(
            "photo",
            gettext_lazy("photos"),
            gettext_lazy("photo"),
            ("therapists.change_photo",),
            ("therapists.view_photo",),
        ),
        # Approving a join verifies its licenses, as "Mark verified" does; treating it as a
        # claim is deciding it too.
        Kind(
            "join",
            gettext_lazy("joins"),
            gettext_lazy("join request"),
            ("therapists.change_application", "therapists.change_license"),
            ("therapists.view_application",),
        ),
        Kind(
            "claim",
            gettext_lazy("claims"),
            gettext_lazy("claim"),
            ("therapists.change_application",),
            ("therapists.view_application",),
        ),
    ]
}


def visible_kinds(user):
    return [kind for kind in KINDS.values() if kind.may_view(user)]


def waiting_summary(user):
    """[(kind, count)] of what waits, for the kinds this staff member may see."""
    kinds = visible_kinds(user)
    if not kinds:
        return []
    counts = review.waiting_counts()
    return [(kind, counts[kind.name]) for kind in kinds]


def describe_counts(summary):
    """ "3 quotes, 1 photo, 2 joins, 0 claims waiting" """
    words = {
        "quote": lambda n: ngettext("%(count)d quote", "%(count)d quotes", n),
        "photo": lambda n: ngettext("%(count)d photo", "%(count)d photos", n),
        "join": lambda n: ngettext("%(count)d join", "%(count)d joins", n),
        "claim": lambda n: ngettext("%(count)d claim", "%(count)d claims", n),
    }
    parts = [words[kind.name](count) % {"count": count} for kind, count in summary]
    return _("%(items)s waiting") % {"items": ", ".join(parts)}


# What the queue and item pages read -----------------------------------------------------


@dataclass
class Item:
    """One thing waiting, as the queue lists it."""

    kind: str
    obj: object
    submitted_at: object

    @property
    def therapist(self):
        return self.obj.therapist

    @property
    def timestamp(self):
        # A quote made pending before submission times were kept has none: it is oldest.
        return self.submitted_at.timestamp() if self.submitted_at else 0.0

    @property
    def url(self):
        return reverse("admin:review_item", args=[self.kind, self.obj.pk])


def waiting_quotes():
    return Quote.objects.pending().select_related("therapist", "modality")


def waiting_photos():
    return Photo.objects.pending().select_related("therapist__photo")


def applications(kind):
    return (
        Application.objects.filter(kind=kind)
        .select_related("therapist__user", "reviewed_by")
        .prefetch_related(
            Prefetch("therapist__licenses", License.objects.select_related("credential")),
            Prefetch("therapist__locations", Location.objects.select_related("city")),
            "therapist__modalities",
        )
    )


def lookup_search(license):
    """A web search for the state board's license lookup: boards' addresses change."""
    words = f"{license.get_state_display()} {license.credential} license lookup"
    return "https://duckduckgo.com/?" + urlencode({"q": words})


def given_license_lookup(application, licenses):
    """The lookup for the license a claim gave, for the credential the listing has in that
    state (else its first); None when no license was given or the listing has none."""
    if not application.license_state or not licenses:
        return None
    in_state = [license for license in licenses if license.state == application.license_state]
    credential = (in_state or licenses)[0].credential
    return lookup_search(License(credential=credential, state=application.license_state))


# What each evidence shows, said plainly where staff decide on it.
EVIDENCE_MEANING = {
    Application.Evidence.ADDRESS_CONFIRMED: gettext_lazy(
        "the address given answered a link: it is theirs; their license is checked below"
    ),
    Application.Evidence.LISTING_ADDRESS: gettext_lazy("the listing's private address answered"),
    Application.Evidence.LICENSE_NUMBER: gettext_lazy(
        "license numbers are public: this shows the claimant knows it, not that they hold it"
    ),
    Application.Evidence.LICENSE_TO_CHECK: gettext_lazy(
        "look the number up with the board and check the name matches the listing"
    ),
}


def queue_items(kinds, newest_first):
    """The first QUEUE_LENGTH items of these kinds, oldest (or newest) first: a query per
    kind, joins and claims in one."""
    sign = -1 if newest_first else 1
    order = "-" if newest_first else ""
    streams = []
    names = {kind.name for kind in kinds}
    if "quote" in names:
        quotes = waiting_quotes().order_by(f"{order}draft_submitted_at", f"{order}id")
        streams.append([Item("quote", q, q.draft_submitted_at) for q in quotes[:QUEUE_LENGTH]])
    if "photo" in names:
        photos = waiting_photos().order_by(f"{order}created_at", f"{order}id")
        streams.append([Item("photo", p, p.created_at) for p in photos[:QUEUE_LENGTH]])
    wanted = names & {"join", "claim"}
    if wanted:
        found = (
            Application.objects.pending()
            .filter(kind__in=wanted)
            .select_related("therapist")
            .prefetch_related(*signature_prefetches("therapist__"))
            .order_by(f"{order}created_at", f"{order}id")
        )
        streams.append([Item(a.kind, a, a.created_at) for a in found[:QUEUE_LENGTH]])
    merged = heapq.merge(*streams, key=lambda item: sign * item.timestamp)
    return list(merged)[:QUEUE_LENGTH]


def find_item(kind, pk):
    """The item of this kind with this id, pending or decided; None if there is none."""
    if kind == "quote":
        queryset = Quote.objects.select_related("therapist", "modality", "reviewed_by")
    elif kind == "photo":
        queryset = Photo.objects.select_related("therapist__photo", "reviewed_by")
    else:
        queryset = applications(kind)
    return queryset.filter(pk=pk).first()


def is_pending(kind, item):
    if kind == "quote":
        return item.draft_status == Quote.DraftStatus.PENDING
    return item.status == ReviewStatus.PENDING


def name_of(kind, item):
    """How a confirmation names the item: "Quote of Dana Example on Interpersonal Therapy"."""
    if kind == "quote":
        return _("Quote in %(language)s of %(name)s on %(modality)s") % {
            "name": item.therapist,
            "modality": item.modality.name,
            "language": item.language_name,
        }
    labels = {
        "photo": _("Photo of %(name)s"),
        "join": _("Join request of %(name)s"),
        "claim": _("Claim of %(name)s's listing by %(email)s"),
    }
    return labels[kind] % {"name": item.therapist, "email": getattr(item, "email", "")}


# Views -----------------------------------------------------------------------------------


def permitted_kind(request, kind_name):
    kind = KINDS.get(kind_name)
    if kind is None:
        raise Http404(_("No such kind of item to review."))
    if not kind.may_view(request.user):
        raise PermissionDenied
    return kind


@require_GET
def queue(request, site):
    kinds = visible_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    summary = waiting_summary(request.user)
    chosen = [kind for kind in kinds if kind.name == request.GET.get("kind")] or kinds
    newest_first = request.GET.get("order") == "newest"
    base = {"kind": request.GET["kind"]} if len(chosen) == 1 and len(kinds) > 1 else {}
    return TemplateResponse(
        request,
        "admin/review/queue.html",
        {
            **site.each_context(request),
            "title": _("Review queue"),
            "summary": summary,
            "waiting": describe_counts(summary),
            "total": sum(count for _kind, count in summary),
            "chosen": chosen if len(chosen) < len(kinds) else [],
            "items": queue_items(chosen, newest_first),
            "newest_first": newest_first,
            "other_order": "?"
            + urlencode({**base, **({} if newest_first else {"order": "newest"})}),
            "queue_length": QUEUE_LENGTH,
        },
    )


def item_context(kind, item, treat_data=None):
    """What the item's page shows; `treat_data`, a "Treat as a claim" form sent with
    errors, shown again beside its listing."""
    context = {"pending": is_pending(kind, item)}
    if kind == "quote":
        live, draft = word_diff(item.text, item.draft)
        context.update(live_diff=live, draft_diff=draft, seen_name=SEEN_DRAFT)
    elif kind in {"join", "claim"}:
        licenses = list(item.therapist.licenses.all())
        context["licenses"] = [(license, lookup_search(license)) for license in licenses]
        context["evidence_meaning"] = EVIDENCE_MEANING.get(item.evidence, "")
        context["given_lookup"] = given_license_lookup(item, licenses)
    if kind == "join":
        likenesses = review_joins.listings_like(item)
        context["likenesses"] = review_joins.with_treat_forms(item, likenesses, treat_data)
    return context


@require_http_methods(["GET", "POST"])
def item_page(request, site, kind_name, pk):
    kind = permitted_kind(request, kind_name)
    item = find_item(kind.name, pk)
    if item is None:
        messages.error(
            request,
            _("There is no %(kind)s %(id)s: it may have been deleted.")
            % {"kind": kind.noun, "id": pk},
        )
        return redirect("admin:review_queue")
    approve_form_class = approval_form(kind.name, item)
    approve_form = approve_form_class(prefix="approve") if approve_form_class else None
    send_back_form = SendBackForm(prefix="send_back")
    treat_data = None
    if request.method == "POST":
        if not kind.may_decide(request.user):
            raise PermissionDenied
        decision = request.POST.get("decision")
        answer = decide(request, kind.name, item, decision)
        if answer is not None:
            return answer
        # A form with errors: shown again, with what the reviewer typed.
        if decision == "approve" and approve_form_class:
            approve_form = approve_form_class(request.POST, prefix="approve")
        elif decision == "send_back":
            send_back_form = SendBackForm(request.POST, prefix="send_back")
        elif decision == TREAT_AS_CLAIM:
            treat_data = request.POST
    return TemplateResponse(
        request,
        "admin/review/item.html",
        {
            **site.each_context(request),
            "title": name_of(kind.name, item),
            "kind": kind.name,
            "item": item,
            "may_decide": kind.may_decide(request.user),
            "approve_form": approve_form,
            "send_back_form": send_back_form,
            **item_context(kind.name, item, treat_data),
        },
    )


def decide(request, kind, item, decision):
    """Runs the decision and redirects with a message; None when a form needs correcting."""
    here = reverse("admin:review_item", args=[kind, item.pk])
    name = name_of(kind, item)
    if decision not in decisions(kind):
        messages.error(request, _("Choose Approve or Send back."))
        return redirect(here)
    if not is_pending(kind, item):
        messages.warning(
            request, _("%(name)s was already decided: nothing changed.") % {"name": name}
        )
        return redirect(here)
    reason = ""
    if decision == "send_back":
        form = SendBackForm(request.POST, prefix="send_back")
        if not form.is_valid():
            return None
        reason = form.cleaned_data["reason"]
    approval = {}
    approve_form_class = approval_form(kind, item)
    if decision == "approve" and approve_form_class:
        form = approve_form_class(request.POST, prefix="approve")
        if not form.is_valid():
            return None
        approval = form.cleaned_data
    if decision == TREAT_AS_CLAIM:
        form = TreatAsClaimForm(request.POST, join=item)
        if form.has_error("listing"):  # not one the join can become a claim of, now
            messages.error(request, " ".join(form.errors["listing"]))
            return redirect(here)
        if not form.is_valid():
            return None
        approval = form.cleaned_data
    try:
        decided = run_decision(request, kind, item, decision, reason, approval)
    except review.ReviewRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(here)
    if not decided:
        messages.warning(
            request,
            _(
                "%(name)s was decided or changed by someone else after you opened it: "
                "nothing changed. Review it again."
            )
            % {"name": name},
        )
        return redirect(here)
    done = {
        ("quote", "approve"): _("%(name)s is live."),
        ("photo", "approve"): _("%(name)s is shown on the listing."),
        ("join", "approve"): _(
            "%(name)s approved: the listing is public and its licenses verified."
        ),
        ("claim", "approve"): _(
            "%(name)s approved: the account is linked and a set-password link sent."
        ),
        ("join", TREAT_AS_CLAIM): _(
            "%(name)s is now an approved claim of the listing %(listing)s: the account is "
            "linked to it, and its holder told to sign in as before. The join's own listing "
            "stays unlisted."
        ),
    }
    message = done.get((kind, decision), _("%(name)s sent back with your reason."))
    messages.success(request, message % {"name": name, "listing": approval.get("listing")})
    return redirect("admin:review_queue")


def approval_form(kind, item):
    """What approving asks of the reviewer: where a join's license was checked and how its
    holder was reached, how a claim by license number was confirmed; None when approving
    asks nothing."""
    if kind == "join":
        return JoinApprovalForm
    if kind == "claim" and item.needs_identity_check:
        return IdentityCheckForm
    return None


def run_decision(request, kind, item, decision, reason, approval):
    reviewer = request.user
    if kind == "quote":
        seen = {item.pk: request.POST.get(SEEN_DRAFT, "")}
        quotes = Quote.objects.filter(pk=item.pk)
        if decision == "approve":
            return review.approve_quotes(quotes, reviewer, seen)
        return review.send_back_quotes(quotes, reviewer, reason, seen)
    if decision == "send_back":
        send_back = {
            "photo": review.send_back_photo,
            "join": review.send_back_join,
            "claim": review.send_back_claim,
        }[kind]
        return send_back(item, reviewer, reason)
    if kind == "photo":
        return review.approve_photo(item, reviewer)
    if decision == TREAT_AS_CLAIM:
        listing = approval["listing"]
        return review.treat_join_as_claim(item, listing, reviewer, approval["identity_check"])
    if kind == "join":
        return review.approve_join(item, reviewer, approval["source"], approval["identity_check"])
    return review.approve_claim(item, reviewer, approval.get("identity_check", ""))


@require_GET
def photo_file(request, site, pk, size):
    """A photo's file for staff, whatever its status: the public sees approved ones only."""
    permitted_kind(request, "photo")
    if size not in Photo.SIZES:
        raise Http404
    photo = Photo.objects.filter(pk=pk).only("name").first()
    name = photo and f"{photo.name}-{size}.webp"
    if photo is None or not default_storage.exists(name):
        raise Http404(_("No such photo."))
    response = FileResponse(default_storage.open(name), content_type="image/webp")
    response["Cache-Control"] = "private, no-store"
    return response


def urls(site):
    def view(function):
        return site.admin_view(lambda request, **kwargs: function(request, site, **kwargs))

    return [
        path("review/", view(queue), name="review_queue"),
        path(
            "review/<str:kind_name>/<id:pk>/",
            view(item_page),
            name="review_item",
        ),
        path("review/photo-file/<id:pk>/<int:size>.webp", view(photo_file), name="review_photo"),
    ]

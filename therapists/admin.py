from contextlib import suppress

from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from modalities.admin import NamedVocabularyAdmin, SavesOwnFieldsAdmin
from modalities.forms import SavesOwnChanges, name_admin_form
from therapists.forms import InvitationForm, SendBackForm, TherapistAdminForm, VerifyLicenseForm
from therapists.invitations import (
    LINKABLE_ACCOUNTS,
    ChangeOfAddressNotConfirmed,
    InvitationError,
    invite,
    linkable_accounts,
)
from therapists.models import (
    City,
    Credential,
    Language,
    License,
    LicenseToRecheck,
    Location,
    PendingQuote,
    Quote,
    Therapist,
)
from therapists.review import approve_quotes, send_back_quotes


def confirmed_data(request):
    """The action's own form data, once its page has been filled in and sent."""
    return request.POST if "confirm" in request.POST else None


def action_form_page(model_admin, request, queryset, form, action, title, describe=str):
    """The page between choosing an admin action and running it, asking for its details.

    `describe` names each selected row on the page."""
    return TemplateResponse(
        request,
        "admin/therapists/action_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "form": form,
            "chosen": [(obj.pk, describe(obj)) for obj in queryset],
            "action_name": action,
        },
    )


@admin.register(Credential)
class CredentialAdmin(NamedVocabularyAdmin):
    form = name_admin_form(Credential, "abbreviation", "slug")
    list_display = ["name", "name_es", "abbreviation"]
    search_fields = ["name", "name_es", "abbreviation"]
    english_fields = ["name", "abbreviation", "slug"]


@admin.register(Language)
class LanguageAdmin(NamedVocabularyAdmin):
    form = name_admin_form(Language, "slug")
    english_fields = ["name", "slug"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "slug"]
    list_filter = ["state"]
    search_fields = ["name", "slug"]


class LicenseInline(admin.TabularInline):
    model = License
    # Saves only what its user changed: a listing form opened earlier does not write back
    # a license edited meanwhile on its own page.
    form = SavesOwnChanges
    extra = 0
    autocomplete_fields = ["credential"]
    # Verification is recorded by the licenses' "Mark verified" action, with who and where.
    readonly_fields = ["verified_at", "verified_by", "verification_source"]


class LocationInline(admin.TabularInline):
    model = Location
    form = SavesOwnChanges  # as LicenseInline
    extra = 0
    autocomplete_fields = ["city"]


class QuoteInline(admin.StackedInline):
    """The listing's quotes, to read: the therapist writes drafts, and the review queue,
    which checks the draft a reviewer read, is where they go live or go back."""

    model = Quote
    extra = 0
    fields = ["modality", "language", "text", "draft", "draft_status", "review_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class LinkableAccountsView(AutocompleteJsonView):
    """The account field's suggestions: only accounts a listing may be linked to."""

    def get_queryset(self):
        return super().get_queryset().filter(LINKABLE_ACCOUNTS)


class LinkableAccountSelect(AutocompleteSelect):
    def get_url(self):
        return reverse(f"{self.admin_site.name}:therapists_therapist_accounts")


@admin.register(Therapist)
class TherapistAdmin(SavesOwnFieldsAdmin, admin.ModelAdmin):
    form = TherapistAdminForm
    list_display = [
        "display_name",
        "is_listed",
        "accepting_new_clients",
        "telehealth",
        "updated_at",
    ]
    list_filter = ["is_listed", "accepting_new_clients", "telehealth", "modalities"]
    search_fields = ["display_name", "slug", "user__email"]
    prepopulated_fields = {"slug": ["display_name"]}
    autocomplete_fields = ["user", "modalities", "concerns", "languages"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [LicenseInline, LocationInline, QuoteInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_select_related = ["user"]
    actions = ["send_invitation"]

    # The account that may edit a listing: only a superuser links one by hand, and never a
    # staff account (whoever holds the listing's account could otherwise reset its password).
    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else [*readonly, "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = linkable_accounts()
            kwargs["widget"] = LinkableAccountSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs["error_messages"] = {
                "invalid_choice": _(
                    "That account cannot edit a listing: staff accounts never can. "
                    "Choose the therapist's own account."
                )
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        accounts = LinkableAccountsView.as_view(admin_site=self.admin_site)
        return [
            path(
                "accounts/",
                self.admin_site.admin_view(accounts),
                name="therapists_therapist_accounts",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Send invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        """Asks for each therapist's email, then creates or links accounts and emails links
        (therapists.invitations decides which accounts an invitation may touch)."""
        form = InvitationForm(confirmed_data(request), therapists=queryset.select_related("user"))
        if form.is_valid():
            for therapist, email, change_address in form.invitations():
                try:
                    user = invite(therapist, email, change_address=change_address)
                except ChangeOfAddressNotConfirmed as error:
                    hint = _("Tick the box to move the sign-in when you send the invitation.")
                    self.message_user(request, f"{error} {hint}", messages.ERROR)
                except InvitationError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    self.message_user(
                        request, _("Invitation sent to %(email)s.") % {"email": user.email}
                    )
            return None
        return action_form_page(
            self, request, queryset, form, "send_invitation", _("Send invitations")
        )


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("current", _("verified")),
            ("expired", _("verification expired")),
            ("never", _("never verified")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.verified()
        if self.value() == "expired":
            return queryset.verification_expired()
        if self.value() == "never":
            return queryset.filter(verified_at=None)
        return queryset


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = [
        "therapist",
        "credential",
        "state",
        "number",
        "is_primary",
        "verified_at",
        "verified_by",
    ]
    list_filter = [VerificationFilter, "credential", "state", "is_primary"]
    search_fields = ["therapist__display_name", "number"]
    autocomplete_fields = ["therapist", "credential"]
    list_select_related = ["therapist", "credential", "verified_by"]
    readonly_fields = ["verified_at", "verified_by", "verification_source"]
    actions = ["mark_verified"]

    @admin.action(description=_("Mark verified"), permissions=["change"])
    def mark_verified(self, request, queryset):
        """Asks where the licenses were checked, then records who verified them and when."""
        form = VerifyLicenseForm(confirmed_data(request))
        if form.is_valid():
            count = queryset.mark_verified(request.user, form.cleaned_data["source"])
            self.message_user(
                request,
                ngettext(
                    "%(count)d license marked verified.",
                    "%(count)d licenses marked verified.",
                    count,
                )
                % {"count": count},
            )
            return None
        return action_form_page(
            self,
            request,
            queryset.select_related("therapist", "credential"),
            form,
            "mark_verified",
            _("Mark verified"),
            describe=lambda license: f"{license.therapist}: {license}",
        )


@admin.register(LicenseToRecheck)
class LicenseToRecheckAdmin(LicenseAdmin):
    """Licenses never verified, then those whose verification expired, oldest first."""

    list_display = ["therapist", "credential", "state", "number", "verified_at", "verified_by"]
    list_filter = ["credential", "state"]
    ordering = [models.F("verified_at").asc(nulls_first=True), "id"]

    class Media:
        css = {"all": ["css/admin/licenses.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).to_recheck()

    def has_add_permission(self, request):
        return False

    # The proxy's own permissions are granted to no one on purpose: whoever may view or
    # change licenses (the staff who approve joins) works this list.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("therapists.view_license") or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("therapists.change_license")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["therapist", "city", "postal_code", "is_primary"]
    list_filter = ["is_primary", "city__state"]
    search_fields = ["therapist__display_name", "city__name", "postal_code"]
    autocomplete_fields = ["therapist", "city"]
    list_select_related = ["therapist", "city"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = [
        "therapist",
        "modality",
        "language",
        "draft_status",
        "updated_at",
        "draft_submitted_at",
    ]
    list_filter = ["draft_status", "language", "modality"]
    search_fields = ["therapist__display_name", "text", "draft"]
    autocomplete_fields = ["therapist", "modality"]
    list_select_related = ["therapist", "modality"]
    readonly_fields = ["created_at", "updated_at", "reviewed_by", "reviewed_at"]


SEEN_DRAFT = "seen_draft_"


def seen_drafts(data):
    """{quote id: draft_version} of the drafts the reviewer's page showed (see draft_shown)."""
    seen = {}
    for name, version in data.items():
        if name.startswith(SEEN_DRAFT):
            with suppress(ValueError):
                seen[int(name.removeprefix(SEEN_DRAFT))] = version
    return seen


@admin.register(PendingQuote)
class PendingQuoteAdmin(admin.ModelAdmin):
    """The review queue: newest drafts first; approve or send back, one or many at once.

    Each row carries the version of the draft it shows, and the actions apply only to
    drafts still at that version: a therapist may replace a draft while it is on screen.
    """

    list_display = [
        "therapist",
        "modality",
        "language",
        "draft_submitted_at",
        "draft_shown",
        "live_excerpt",
    ]

    class Media:
        css = {"all": ["css/admin/review.css"]}

    list_filter = ["language", "modality"]
    search_fields = ["therapist__display_name", "draft"]
    list_select_related = ["therapist", "modality"]
    ordering = ["-draft_submitted_at", "-id"]
    show_full_result_count = False  # the queue is already filtered; a second COUNT says nothing
    actions = ["approve", "send_back"]
    fields = ["therapist", "modality", "language", "draft_submitted_at", "draft", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).pending()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return request.user.has_perm("therapists.review_quote")

    def has_view_permission(self, request, obj=None):
        # "Can approve or send back quotes" is the one permission the README names.
        return super().has_view_permission(request, obj) or self.has_review_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A draft's own page is the review queue's, with Approve and Send back."""
        if not object_id.isdigit():
            raise Http404
        return redirect("admin:review_item", "quote", int(object_id))

    @admin.display(description=_("draft waiting for review"))
    def draft_shown(self, quote):
        # The whole draft, since approving publishes the whole of it; the hidden input sits
        # inside the changelist's action form and tells the actions which text was read.
        return format_html(
            '{}<input type="hidden" name="{}{}" value="{}">',
            quote.draft,
            SEEN_DRAFT,
            quote.pk,
            quote.draft_version,
        )

    @admin.display(description=_("live now"))
    def live_excerpt(self, quote):
        # Whole, as the draft beside it: the reviewer compares the two.
        return quote.text or "—"

    def review(self, request, queryset, decide):
        """Runs decide(seen) on the drafts as the reviewer read them; reports those left.

        A selected draft that was replaced since, or never shown ("select all" takes in
        drafts submitted after the page was opened), is left pending, and the reviewer told.
        """
        seen = seen_drafts(request.POST)
        selected = set(queryset.values_list("pk", flat=True))
        decided = decide(seen)
        unseen = len(selected - seen.keys())
        changed = len(selected) - unseen - decided
        if changed > 0:
            self.message_user(
                request,
                ngettext(
                    "%(count)d quote changed after you opened the list: review it again.",
                    "%(count)d quotes changed after you opened the list: review them again.",
                    changed,
                )
                % {"count": changed},
                messages.WARNING,
            )
        if unseen:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected quote was not on the list you opened: review it again.",
                    "%(count)d selected quotes were not on the list you opened: review them again.",
                    unseen,
                )
                % {"count": unseen},
                messages.WARNING,
            )
        return decided

    @admin.action(description=_("Approve: make the drafts live"), permissions=["review"])
    def approve(self, request, queryset):
        approved = self.review(
            request, queryset, lambda seen: approve_quotes(queryset, request.user, seen)
        )
        if approved:  # "0 quotes are live" would only muddle the warning above
            self.message_user(
                request,
                ngettext("%(count)d quote is live.", "%(count)d quotes are live.", approved)
                % {"count": approved},
            )

    @admin.action(description=_("Send back with a reason"), permissions=["review"])
    def send_back(self, request, queryset):
        form = SendBackForm(confirmed_data(request))
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            sent_back = self.review(
                request,
                queryset,
                lambda seen: send_back_quotes(queryset, request.user, reason, seen),
            )
            if sent_back:
                self.message_user(
                    request,
                    ngettext("%(count)d quote sent back.", "%(count)d quotes sent back.", sent_back)
                    % {"count": sent_back},
                )
            return None
        page = action_form_page(self, request, queryset, form, "send_back", _("Send back"))
        # The reason is about the drafts read on the list: their versions go along.
        page.context_data["carried"] = [
            (f"{SEEN_DRAFT}{pk}", version) for pk, version in seen_drafts(request.POST).items()
        ]
        return page

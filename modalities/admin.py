import difflib

from django.contrib import admin
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from modalities.forms import (
    AgeGroupAdminForm,
    ConcernAdminForm,
    FormatAdminForm,
    ModalityAdminForm,
)
from modalities.models import AgeGroup, Concern, Format, Modality, Reference


def word_diff(old, new):
    """Both texts as HTML, with removed words in <del> and added words in <ins>."""
    old_words, new_words = old.split(), new.split()
    old_html, new_html = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = " ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])
        if tag == "equal":
            old_html.append(conditional_escape(removed))
            new_html.append(conditional_escape(added))
            continue
        if removed:
            old_html.append(format_html("<del>{}</del>", removed))
        if added:
            new_html.append(format_html("<ins>{}</ins>", added))
    return mark_safe(" ".join(old_html)), mark_safe(" ".join(new_html))  # parts escaped above


class WordDiffContextHelper(HistoricalRecordContextHelper):
    """Shows a changed text whole, with the changed words marked, instead of shortened."""

    def stringify_delta_change_values(self, change, old, new):
        if isinstance(old, str) and isinstance(new, str):
            return word_diff(old, new)
        return super().stringify_delta_change_values(change, old, new)


class SavesOwnFieldsAdmin:
    """A change saves only the columns its user changed (the form is a SavesOwnChanges), and
    those save_model sets, named in also_saves: a column changed elsewhere meanwhile is not
    written back as it was."""

    also_saves = []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=[*form.changed_columns(), *self.also_saves])
        else:
            super().save_model(request, obj, form, change)


class CuratedHistoryAdmin(SimpleHistoryAdmin):
    def get_historical_record_context_helper(self, request, historical_record):
        return WordDiffContextHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Restoring a version saves through the same stale-edit check, which locks the row.
        request.restoring_version = True
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "restoring_version", False):
            # A restore writes the whole version: its form shows the old values, so "left
            # alone" would otherwise mean "not restored".
            return type(form.__name__, (form,), {"own_changes": restores_everything})
        return form


def restores_everything(form):
    return set(form.model_field_names())


# The heading of the Spanish texts beside the English ones (the admin is in English).
SPANISH = "Spanish (Español)"


class NamedVocabularyAdmin(SavesOwnFieldsAdmin, CuratedHistoryAdmin):
    """A named row of the vocabulary, with its Spanish name: history, difference, restore."""

    list_display = ["name", "name_es", "slug"]
    search_fields = ["name", "name_es"]
    prepopulated_fields = {"slug": ["name"]}
    english_fields = ["name", "slug"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": self.english_fields}),
            (SPANISH, {"fields": ["name_es"]}),
            (None, {"fields": ["based_on_version", "shown_as"]}),
        ]


@admin.register(Concern)
class ConcernAdmin(NamedVocabularyAdmin):
    form = ConcernAdminForm


@admin.register(Format)
class FormatAdmin(NamedVocabularyAdmin):
    form = FormatAdminForm
    list_display = ["name", "name_es", "slug", "position"]
    english_fields = ["name", "slug", "position"]


@admin.register(AgeGroup)
class AgeGroupAdmin(FormatAdmin):
    form = AgeGroupAdminForm


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 1
    fields = ["title", "url", "position"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Modality)
class ModalityAdmin(SavesOwnFieldsAdmin, CuratedHistoryAdmin):
    form = ModalityAdminForm
    also_saves = ["reviewed_on"]
    list_display = ["name", "abbreviation", "is_published", "reviewed_on", "updated_at"]
    list_filter = ["is_published", "concerns"]
    search_fields = ["name", "name_es", "abbreviation", "overview", "overview_es"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["concerns"]
    filter_horizontal = ["formats", "age_groups"]
    readonly_fields = ["reviewed_on", "created_at", "updated_at"]
    inlines = [ReferenceInline]
    history_list_display = ["is_published"]
    fieldsets = [
        (None, {"fields": ["name", "abbreviation", "slug", "is_published", "overview"]}),
        ("Facts", {"fields": ["typical_length", "formats", "age_groups", "concerns"]}),
        (SPANISH, {"fields": ["name_es", "overview_es", "typical_length_es"]}),
        (
            None,
            {"fields": ["based_on_version", "shown_as", "reviewed_on", "created_at", "updated_at"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        # A curator's save is a review of the whole page.
        obj.reviewed_on = timezone.localdate()
        super().save_model(request, obj, form, change)

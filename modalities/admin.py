from django.contrib import admin
from django.db import models, transaction
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from modalities.forms import ModalityAdminForm
from modalities.models import AgeGroup, Concern, Format, Modality, Reference


@admin.register(Concern)
class ConcernAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Format, AgeGroup)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 1
    fields = ["title", "url", "position"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Modality)
class ModalityAdmin(SimpleHistoryAdmin):
    form = ModalityAdminForm
    list_display = ["name", "abbreviation", "is_published", "reviewed_on", "updated_at"]
    list_filter = ["is_published", "concerns"]
    search_fields = ["name", "abbreviation", "overview"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["concerns"]
    filter_horizontal = ["formats", "age_groups"]
    readonly_fields = ["reviewed_on", "created_at", "updated_at"]
    inlines = [ReferenceInline]
    history_list_display = ["is_published"]
    fieldsets = [
        (None, {"fields": ["name", "abbreviation", "slug", "is_published", "overview"]}),
        ("Facts", {"fields": ["typical_length", "formats", "age_groups", "concerns"]}),
        (None, {"fields": ["based_on_version", "reviewed_on", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        # A curator's save is a review of the whole page.
        obj.reviewed_on = timezone.localdate()
        super().save_model(request, obj, form, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Restoring a version saves through the same stale-edit check, which locks the row.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

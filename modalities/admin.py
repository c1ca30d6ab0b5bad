from django.contrib import admin

from modalities.models import Concern, Modality


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Modality)
class ModalityAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "is_published", "updated_at"]
    list_filter = ["is_published", "concerns"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["concerns"]
    readonly_fields = ["created_at", "updated_at"]

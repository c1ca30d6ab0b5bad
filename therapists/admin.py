from django.contrib import admin
from django.db import models

from therapists.models import City, Credential, Language, License, Location, Quote, Therapist


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "slug"]
    list_filter = ["state"]
    search_fields = ["name", "slug"]


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0
    autocomplete_fields = ["credential"]


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    autocomplete_fields = ["city"]


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["modality"]
    readonly_fields = ["draft_submitted_at"]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
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


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["therapist", "credential", "state", "number", "is_primary", "verified_at"]
    list_filter = ["credential", "state", "is_primary"]
    search_fields = ["therapist__display_name", "number"]
    autocomplete_fields = ["therapist", "credential"]
    list_select_related = ["therapist", "credential"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["therapist", "city", "postal_code", "is_primary"]
    list_filter = ["is_primary", "city__state"]
    search_fields = ["therapist__display_name", "city__name", "postal_code"]
    autocomplete_fields = ["therapist", "city"]
    list_select_related = ["therapist", "city"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["therapist", "modality", "updated_at", "draft_submitted_at"]
    list_filter = ["modality"]
    search_fields = ["therapist__display_name", "text", "draft"]
    autocomplete_fields = ["therapist", "modality"]
    list_select_related = ["therapist", "modality"]
    readonly_fields = ["created_at", "updated_at"]

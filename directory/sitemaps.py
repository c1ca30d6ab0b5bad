"""What search engines are told to index: public pages that have something to show.

/sitemap.xml is an index of the sections below, each served in pages of at most
Sitemap.limit (50,000) URLs, the most one sitemap file may hold. The index costs a count
per section (plus the latest change of those that have one); a page of a section reads
its rows in one query (plus the paginator's count), however many rows there are.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.utils import translation

from modalities.models import Modality
from therapists.models import City, Location, Therapist


class UpdatedAtSitemap(Sitemap):
    """Rows with an updated_at, paged in their model's ordering (unique, so pages are stable)."""

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # For the index, in one query: Django's default reads every row of the section.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class ModalitySitemap(UpdatedAtSitemap):
    def items(self):
        return Modality.objects.published().only("slug", "updated_at")


class TherapistSitemap(UpdatedAtSitemap):
    def items(self):
        return Therapist.objects.listed().only("slug", "updated_at")


class CitySitemap(Sitemap):
    """Landing pages of cities where at least one listed therapist has an office."""

    def items(self):
        offices = Location.objects.filter(city=OuterRef("pk"), therapist__is_listed=True)
        # slug is unique: each page of the section holds the same cities on every request.
        return City.objects.filter(Exists(offices)).only("state", "slug").order_by("slug")


class CityModalitySitemap(Sitemap):
    """Landing pages of (city, modality) pairs with at least one listed therapist."""

    def items(self):
        # The therapists-modalities link table joined to each therapist's offices, with
        # listed() and published() spelled as join conditions; DISTINCT folds the
        # therapists of a pair into one row.
        practice = Therapist.modalities.through.objects.filter(
            therapist__is_listed=True,
            modality__is_published=True,
            therapist__locations__isnull=False,
        )
        fields = ["therapist__locations__city__state", "therapist__locations__city__slug"]
        return (
            practice.values_list(*fields, "modality__slug")
            .distinct()
            .order_by(*fields, "modality__slug")
        )

    def location(self, item):
        state, city_slug, modality_slug = item
        return City(state=state, slug=city_slug).landing_url(modality_slug)


SECTIONS = {
    "modalities": ModalitySitemap,
    "cities": CitySitemap,
    "city-modalities": CityModalitySitemap,
    "therapists": TherapistSitemap,
}


class InEdition:
    """A section's URLs in one edition. Django's `i18n = True` would instead list every
    row in every language on each page, reading the whole section into memory."""

    language = settings.LANGUAGE_CODE

    def get_urls(self, *args, **kwargs):
        with translation.override(self.language):
            return super().get_urls(*args, **kwargs)


def section_in_edition(section, language):
    return type(
        f"{section.__name__}In{language.title()}", (InEdition, section), {"language": language}
    )


# "therapists" for the English edition, "therapists-es" for the Spanish one, and so on.
SITEMAPS = {
    name if language == settings.LANGUAGE_CODE else f"{name}-{language}": section_in_edition(
        section, language
    )
    for language, _name in settings.LANGUAGES
    for name, section in SECTIONS.items()
}

"""The directory's vocabulary and its facet counts, each read in a single query.

A listing page needs every facet's options (to validate the GET parameters and draw the
form) and, for each option, how many therapists it would give with the other filters
applied. Both are UNION ALL queries, so the page's query count does not depend on how
many facets a visitor selects.
"""

from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, IntegerField, Value
from django.db.models.functions import Concat

from modalities.models import AgeGroup, Concern, Format, Modality
from therapists.models import (
    City,
    Credential,
    InsurancePlan,
    Language,
    License,
    Location,
    Therapist,
)


@dataclass(frozen=True)
class Facet:
    param: str  # the GET parameter
    label: str
    relation: str | None  # Therapist's many-to-many field, if the facet is one


@dataclass
class Option:
    id: int
    slug: str
    name: str
    count: int | None = None
    selected: bool = False


@dataclass
class Vocabulary:
    """Options by facet parameter, in display order."""

    options: dict = field(default_factory=dict)

    def choices(self, param):
        return [(option.slug, option.name) for option in self.options.get(param, [])]

    def ids(self, param, slugs):
        by_slug = {option.slug: option.id for option in self.options.get(param, [])}
        return [by_slug[slug] for slug in slugs if slug in by_slug]

    def find(self, param, slug):
        return next((o for o in self.options.get(param, []) if o.slug == slug), None)


def _text(value):
    return Value(value, output_field=CharField())


def _number(value):
    return Value(value, output_field=IntegerField())


VOCABULARY_SOURCES = [
    ("modality", lambda: Modality.objects.published(), F("name")),
    ("concern", lambda: Concern.objects.all(), F("name")),
    ("credential", lambda: Credential.objects.all(), F("name")),
    ("language", lambda: Language.objects.all(), F("name")),
    ("insurance", lambda: InsurancePlan.objects.all(), F("name")),
    ("format", lambda: Format.objects.all(), F("name")),
    ("age", lambda: AgeGroup.objects.all(), F("name")),
]
POSITIONED = {"format", "age"}


def load_vocabulary(city_slugs=()):
    """Every facet's options, plus the cities named in the request, in one query."""
    parts = [
        queryset()
        .order_by()
        .values_list(
            _text(param),
            "id",
            "slug",
            name,
            F("position") if param in POSITIONED else _number(0),
        )
        for param, queryset, name in VOCABULARY_SOURCES
    ]
    # A NUL character names no city, and PostgreSQL refuses one in a query parameter:
    # left out here, the value is refused by the filter form as an unknown city.
    city_slugs = [slug for slug in city_slugs if "\x00" not in slug][:20]
    parts.append(
        City.objects.filter(slug__in=city_slugs)
        .order_by()
        .values_list(_text("city"), "id", "slug", Concat("name", _text(", "), "state"), _number(0))
    )
    rows = parts[0].union(*parts[1:], all=True)
    vocabulary = Vocabulary()
    for param, pk, slug, name, _position in sorted(rows, key=lambda row: (row[4], row[3])):
        vocabulary.options.setdefault(param, []).append(Option(pk, slug, name))
    return vocabulary


def _count_row(queryset, kind, option=0, slug="", label=""):
    """One result row (kind, option, slug, label, n) counting the queryset's therapists."""
    return (
        queryset.order_by()
        .annotate(
            kind=_text(kind), option=_number(option), o_slug=_text(slug), o_label=_text(label)
        )
        .values("kind", "option", "o_slug", "o_label")
        .annotate(n=Count("id"))
        .values_list("kind", "option", "o_slug", "o_label", "n")
    )


def _count_links(model, therapists, kind, option, distinct=False, slug="", label=""):
    """Rows (kind, option id, slug, label, n) counting therapists per linked option."""
    slug_expr = F(slug) if slug else _text("")
    label_expr = label if label else _text("")
    return (
        model.objects.filter(therapist__in=therapists.order_by().values("pk"))
        .order_by()
        .values(kind=_text(kind), option=F(option), o_slug=slug_expr, o_label=label_expr)
        .annotate(n=Count("therapist", distinct=distinct))
        .values_list("kind", "option", "o_slug", "o_label", "n")
    )


def count_facets(filterset, facets, boolean_facets, active):
    """Counts for every option of every facet, with the other facets' filters applied.

    Also the total, and for each active filter the total without it (the no-results
    suggestions). Returns {(kind, option): n} and the city rows, from one query.
    """
    parts = [_count_row(filterset.qs_without(None), "total")]
    for facet in facets:
        therapists = filterset.qs_without(facet.param)
        if facet.relation:
            through = Therapist._meta.get_field(facet.relation).remote_field.through
            target = Therapist._meta.get_field(facet.relation).m2m_reverse_field_name()
            parts.append(_count_links(through, therapists, facet.param, f"{target}_id"))
        elif facet.param == "credential":
            parts.append(
                _count_links(License, therapists, "credential", "credential_id", distinct=True)
            )
        elif facet.param == "city":
            parts.append(
                _count_links(
                    Location,
                    therapists,
                    "city",
                    "city_id",
                    distinct=True,
                    slug="city__slug",
                    label=Concat("city__name", _text(", "), "city__state"),
                )
            )
    for param, narrowing in boolean_facets.items():
        parts.append(_count_row(narrowing(filterset.qs_without(param)), param, 1))
    for param in active:
        parts.append(_count_row(filterset.qs_without(param), "without", slug=param))
    if "near" in active and filterset.radius_miles < 100:
        parts.append(_count_row(filterset.qs_widened(100), "wider", 100))
    counts, cities = {}, []
    for kind, option, slug, label, n in parts[0].union(*parts[1:], all=True):
        if kind == "without":
            counts[("without", slug)] = n
        else:
            counts[(kind, option)] = n
        if kind == "city":
            cities.append(Option(option, slug, label, n))
    return counts, cities

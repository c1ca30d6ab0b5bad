"""The directory's facets, each declared once.

A facet names its GET parameter, its label, the noun its error messages use, its kind and
how a therapist's values are read. The filter form (filterset.py), the index (index.py),
the counts and the listing page (listing.py) and Find Your Match's conditions (match.py)
are all derived from this table.
"""

import dataclasses
import datetime
import functools
from enum import StrEnum

from django.db.models import (
    Aggregate,
    BigIntegerField,
    CharField,
    F,
    IntegerField,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from modalities.models import AgeGroup, Concern, Format, Modality
from modalities.translation import SPANISH, edition_language, in_edition, with_abbreviation
from therapists.models import (
    ACCEPTING_FRESH_DAYS,
    City,
    Credential,
    Gender,
    InsurancePlan,
    Language,
    License,
    Location,
    Quote,
    Therapist,
    last_verified_day,
    searchable,
)
from therapists.states import USState


class Kind(StrEnum):
    OPTIONS = "options"  # several values from a list; any of them will do
    CHOICE = "choice"  # one value from a list
    FLAG = "flag"  # yes or no
    RANGE = "range"  # a number: at most this much
    DISTANCE = "distance"  # a ZIP code and a radius
    TEXT = "text"  # words in the name


class Positions(Aggregate):
    """The values, as text joined by commas (string_agg; group_concat on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ',')",
        )


def number(text):
    """An integer column cast to text ("12", or "12.0" where SQLite kept it as REAL)."""
    return int(float(text)) if "." in text else int(text)


def moment(text):
    """A datetime as a column cast to text gives it (SQLite's are naive, in UTC)."""
    value = parse_datetime(text)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


@dataclasses.dataclass(frozen=True)
class Source:
    """How the index reads one kind of value: rows of (therapist id, value) for the
    listed therapists, or for the given ones. `value` turns a column into the key the
    index files the therapist under (None: filed under nothing); `parse` reads the
    column back from text, as changed()'s single query gives it."""

    rows: object  # () -> a queryset of (therapist_id, column) rows
    value: object = None
    parse: object = number

    def read(self, therapist_ids=None):
        rows = self.rows()
        if therapist_ids is None:
            rows = rows.filter(**{self.listed_lookup(rows.model): True})
        else:
            rows = rows.filter(**{self.id_lookup(rows.model): list(therapist_ids)})
        return rows.order_by()

    def grouped(self, order):
        """(value, "position,position,...") rows: the database groups them, so the index
        reads a row per value, not per therapist. Unlisted therapists included when the
        rows are not the therapists' own (the index keeps the listed ones): a join with
        every therapist would cost more than the rows it removes."""
        rows = self.rows()
        if rows.model is Therapist:
            rows = rows.filter(is_listed=True)
        rows = rows.order_by()
        therapist, column = rows.query.values_select
        return (
            rows.values_list(column)
            .annotate(positions=Positions(Cast(order.expression(therapist), BigIntegerField())))
            .values_list(column, "positions")
        )

    def read_as_text(self, name, therapist_ids):
        """(name, therapist id, value as text) rows: every source fits one UNION ALL."""
        rows = self.read(therapist_ids)
        therapist, column = rows.query.values_select
        return rows.values_list(_text(name), therapist, Cast(column, TextField()))

    @staticmethod
    def listed_lookup(model):
        return "is_listed" if model is Therapist else "therapist__is_listed"

    @staticmethod
    def id_lookup(model):
        return "pk__in" if model is Therapist else "therapist_id__in"


def linked(relation):
    """A many-to-many relation of Therapist: the linked rows' ids."""
    field = Therapist._meta.get_field(relation)
    through = field.remote_field.through
    return Source(
        lambda: through.objects.values_list(
            f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        )
    )


def column(name, parse=number, **condition):
    return Source(
        lambda: Therapist.objects.filter(**condition).values_list("id", name), parse=parse
    )


@functools.cache
def accepting_until(confirmed_on):
    """The last day "accepting new clients" counts, for a confirmation on that day."""
    return confirmed_on + datetime.timedelta(days=ACCEPTING_FRESH_DAYS)


def verified_until(verified_at):
    return last_verified_day(timezone.localdate(verified_at))


def flag(text):
    return True  # the row's presence is the fact: the source selects only those holding it


@dataclasses.dataclass(frozen=True)
class Facet:
    param: str  # the GET parameter
    label: str
    noun: str  # "We have no <noun> called ..."
    kind: Kind
    source: Source | None = None
    # A flag that holds until a day: the source's value is that last day.
    dated: bool = False


FACETS = [
    Facet("q", _("Name"), _("name"), Kind.TEXT),
    Facet(
        "modality", _("Kind of therapy"), _("kind of therapy"), Kind.OPTIONS, linked("modalities")
    ),
    Facet("concern", _("Concerns"), _("concern"), Kind.OPTIONS, linked("concerns")),
    Facet(
        "credential",
        _("Credential"),
        _("credential"),
        Kind.OPTIONS,
        Source(lambda: License.objects.values_list("therapist_id", "credential_id")),
    ),
    Facet("language", _("Language"), _("language"), Kind.OPTIONS, linked("languages")),
    Facet(
        "insurance", _("Insurance"), _("insurance plan"), Kind.OPTIONS, linked("insurance_plans")
    ),
    Facet("format", _("Format"), _("format"), Kind.OPTIONS, linked("formats")),
    Facet("age", _("Ages"), _("age group"), Kind.OPTIONS, linked("age_groups")),
    Facet(
        "city",
        _("City"),
        _("city"),
        Kind.OPTIONS,
        Source(lambda: Location.objects.values_list("therapist_id", "city_id")),
    ),
    Facet(
        "gender",
        _("Therapist's gender"),
        _("gender option"),
        Kind.OPTIONS,
        column("gender", str, gender__in=Gender.values),
    ),
    Facet(
        "state",
        _("State"),
        _("state"),
        Kind.CHOICE,
        Source(lambda: Location.objects.values_list("therapist_id", "city__state"), parse=str),
    ),
    Facet("near", _("Near ZIP code"), _("ZIP code"), Kind.DISTANCE),
    Facet(
        "fee_max",
        _("Fee per session up to ($)"),
        _("fee"),
        Kind.RANGE,
        column("session_fee", session_fee__isnull=False),
    ),
    Facet(
        "telehealth",
        _("Offers telehealth"),
        _("telehealth"),
        Kind.FLAG,
        column("telehealth", flag, telehealth=True),
    ),
    Facet(
        "in_person",
        _("Offers in-person sessions"),
        _("in-person sessions"),
        Kind.FLAG,
        column("in_person", flag, in_person=True),
    ),
    Facet(
        "accepting",
        _("Accepting new clients, confirmed in the last 90 days"),
        _("availability"),
        Kind.FLAG,
        Source(
            lambda: Therapist.objects.filter(
                accepting_new_clients=True, accepting_confirmed_on__isnull=False
            ).values_list("id", "accepting_confirmed_on"),
            accepting_until,
            datetime.date.fromisoformat,
        ),
        dated=True,
    ),
    Facet(
        "sliding_scale",
        _("Sliding scale"),
        _("sliding scale"),
        Kind.FLAG,
        column("sliding_scale", flag, sliding_scale=True),
    ),
    Facet(
        "verified",
        _("License verified"),
        _("verification"),
        Kind.FLAG,
        Source(
            lambda: License.objects.filter(verified_at__isnull=False).values_list(
                "therapist_id", "verified_at"
            ),
            verified_until,
            moment,
        ),
        dated=True,
    ),
]
FACET = {facet.param: facet for facet in FACETS}
FLAGS = [facet.param for facet in FACETS if facet.kind == Kind.FLAG]
# Facets whose options the listing shows as groups of checkboxes, in this order.
OPTION_FACETS = [facet.param for facet in FACETS if facet.kind == Kind.OPTIONS]

# What the index reads besides the facets.
SOURCES = {
    **{facet.param: facet.source for facet in FACETS if facet.source},
    # Find Your Match: who may see a state's residents online.
    "licensed_in": Source(lambda: License.objects.values_list("therapist_id", "state"), parse=str),
    # The modality pages' specialists with something to say.
    "live_quote": Source(
        lambda: Quote.objects.exclude(text="").values_list("therapist_id", "modality_id")
    ),
    # Fictional listings (seed_demo): a modality page's sample takes them only where real
    # listings leave room, so the demo never displaces a real specialist's words.
    "demo": column("is_demo", flag, is_demo=True),
    # The alphabetical order.
    "name": Source(lambda: Therapist.objects.values_list("id", "search_name"), parse=str),
}


# The vocabulary ------------------------------------------------------------------------


@dataclasses.dataclass
class Option:
    """An option of a facet, named in the language of the page that shows it.

    `english` and `spanish` are a curated name's two columns ("" where no Spanish name
    exists yet: the English one, marked). `spanish` is None for names that are not
    curated texts: a city's, an insurance plan's, or a fixed choice's lazy label (gender,
    state), which gettext translates when shown.
    """

    id: object  # the row's id, or the value itself for fixed lists (gender, state)
    slug: str
    english: object
    spanish: str | None = None
    abbreviation: str = ""
    position: int = 0
    count: int | None = None
    selected: bool = False

    @property
    def name(self):
        if self.spanish is None:
            return str(self.english)
        return in_edition(self.english, self.spanish)

    @property
    def label(self):
        """How a form offers it: the name, with the abbreviation where there is one."""
        return with_abbreviation(self.name, self.abbreviation)


def _text(value):
    return Value(value, output_field=CharField())


def _number(value):
    return Value(value, output_field=IntegerField())


# (param, rows, abbreviated, positioned, translated: has a name_es column)
VOCABULARY_SOURCES = [
    ("modality", lambda: Modality.objects.published(), True, False, True),
    ("concern", lambda: Concern.objects.all(), False, False, True),
    ("credential", lambda: Credential.objects.all(), False, False, True),
    ("language", lambda: Language.objects.all(), False, False, True),
    ("insurance", lambda: InsurancePlan.objects.all(), False, False, False),
    ("format", lambda: Format.objects.all(), False, True, True),
    ("age", lambda: AgeGroup.objects.all(), False, True, True),
]
FIXED_OPTIONS = {"gender": Gender.choices, "state": USState.choices}
TRANSLATED = {param for param, *_rest, translated in VOCABULARY_SOURCES if translated}
# The lists a query reads, which come in no order of their own (gender, state and city
# are built in theirs).
SORTED = {param for param, *_rest in VOCABULARY_SOURCES}


def in_display_order(options):
    """Each facet's options by position, then by name in the active language (in Spanish
    without regard to accents, so "Árabe" comes before "Coreano")."""
    spanish = edition_language() == SPANISH

    def key(option):
        return (option.position, searchable(option.name) if spanish else option.name)

    return {
        param: sorted(found, key=key) if param in SORTED else found
        for param, found in options.items()
    }


class Vocabulary:
    """Every facet's options, in display order, and the cities with their coordinates.

    Loaded once per process whatever language is active: each option holds both names, and
    `options` gives them in the order of the page's language."""

    def __init__(self, options, cities):
        self._options = options  # param -> [Option], in the order loaded
        self.cities = cities  # id -> City (unsaved instances: their methods work)
        self._ordered = {}  # language -> param -> [Option]
        self._by_slug = {
            param: {option.slug: option for option in found} for param, found in options.items()
        }

    @property
    def options(self):
        """param -> [Option], in the display order of the page's language."""
        language = edition_language()
        if language not in self._ordered:
            self._ordered[language] = in_display_order(self._options)
        return self._ordered[language]

    @classmethod
    def load(cls):
        """Two queries: the lists, in one UNION ALL, and the cities."""
        parts = [
            queryset()
            .order_by()
            .values_list(
                _text(param),
                "id",
                "slug",
                "name",
                F("name_es") if translated else _text(""),
                F("abbreviation") if abbreviated else _text(""),
                F("position") if positioned else _number(0),
            )
            for param, queryset, abbreviated, positioned, translated in VOCABULARY_SOURCES
        ]
        options = {}
        rows = parts[0].union(*parts[1:], all=True)
        for param, pk, slug, name, name_es, abbreviation, position in rows:
            spanish = name_es if param in TRANSLATED else None
            option = Option(pk, slug, name, spanish, abbreviation, position)
            options.setdefault(param, []).append(option)
        for param, choices in FIXED_OPTIONS.items():
            # The lazy labels themselves, so each page shows them in its own language.
            options[param] = [Option(value, value, label) for value, label in choices]
        # Every city, not only those with listings: a listing may move to any of them.
        cities = {
            city.id: city
            for city in City.objects.only("id", "name", "state", "slug", "latitude", "longitude")
        }
        options["city"] = [
            Option(city.id, city.slug, str(city))
            for city in sorted(cities.values(), key=lambda c: (c.name, c.state))
        ]
        return cls(options, cities)

    def slugs(self, param):
        return self._by_slug.get(param, {}).keys()

    def find(self, param, slug):
        return self._by_slug.get(param, {}).get(slug)

    def keys(self, param, slugs):
        """The index's keys for the chosen slugs of a facet (unknown slugs left out)."""
        found = self._by_slug.get(param, {})
        return [found[slug].id for slug in slugs if slug in found]

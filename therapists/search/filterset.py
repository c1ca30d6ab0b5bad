"""The directory's filter form, derived from the facet table: django-filter validates the
GET parameters; the index, not the database, does the filtering."""

import copy
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from modalities.forms import BoundedForm, QuickSelect
from modalities.translation import interpolate_lazy
from therapists.models import Therapist
from therapists.search.facets import FACETS, Kind
from therapists.states import USState
from therapists.zips import zip_point

ZIP_PLUS_FOUR = re.compile(r"([0-9]{5})-[0-9]{4}")
# The radius is a choice, the same everywhere (listing, landing pages, Find Your Match).
RADIUS_CHOICES = (5, 10, 25, 50, 100)
DEFAULT_RADIUS = 25
MAX_RADIUS = RADIUS_CHOICES[-1]
FEE_MAX = 2000
ORDERS = [("name", _("Name, A to Z")), ("distance", _("Distance"))]


def unknown_choice(noun):
    # Rendered by autoescaping templates only: the value is never raw HTML.
    # Built at import time, shown in each page's language: put together when shown.
    return {
        "invalid_choice": interpolate_lazy(_("We have no %(noun)s called “%%(value)s”."), noun=noun)
    }


class SlugsField(forms.MultipleChoiceField):
    """Several slugs, each checked against the vocabulary's set for the facet.

    No choices: a facet may offer thousands of cities, and a form copies and normalises
    every field's choices each time it is made. The listing draws the options itself,
    from the index's counts.
    """

    def __init__(self, *, valid_slugs=frozenset(), **kwargs):
        super().__init__(**kwargs)
        self.valid_slugs = valid_slugs

    def valid_value(self, value):
        return value in self.valid_slugs


class OptionsFilter(django_filters.MultipleChoiceFilter):
    field_class = SlugsField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def facet_filter(facet):
    """The django-filter filter of one facet; `method` is never called (see qs)."""
    common = {"label": facet.label, "method": "by_index"}
    if facet.kind == Kind.OPTIONS:
        return OptionsFilter(
            widget=forms.CheckboxSelectMultiple,
            error_messages=unknown_choice(facet.noun),
            **common,
        )
    if facet.kind == Kind.CHOICE:
        return django_filters.ChoiceFilter(
            widget=QuickSelect,
            choices=USState.choices,
            empty_label=_("Any state"),
            error_messages=unknown_choice(facet.noun),
            **common,
        )
    if facet.kind == Kind.FLAG:
        return django_filters.BooleanFilter(widget=forms.CheckboxInput, **common)
    if facet.kind == Kind.RANGE:
        return IntegerFilter(min_value=0, max_value=FEE_MAX, **common)
    return django_filters.CharFilter(max_length=100 if facet.kind == Kind.TEXT else 10, **common)


class DirectoryForm(BoundedForm):
    def clean_near(self):
        zip_code = (self.cleaned_data.get("near") or "").strip()
        if found := ZIP_PLUS_FOUR.fullmatch(zip_code):
            zip_code = found[1]  # 90012-1234: the first five digits are what we look up
        if zip_code and zip_point(zip_code) is None:
            raise ValidationError(
                _("We could not find the ZIP code “%(zip)s”. Check it, or search by city."),
                params={"zip": zip_code},
            )
        return zip_code


# "25 miles", in the page's language (a choice's label is drawn with the page).
RADIUS_OPTIONS = [(miles, format_lazy(_("{miles} miles"), miles=miles)) for miles in RADIUS_CHOICES]
RADIUS_REFUSED = format_lazy(
    _("Choose a distance of {choices} or {last} miles."),
    choices=", ".join(str(miles) for miles in RADIUS_CHOICES[:-1]),
    last=MAX_RADIUS,
)


class RadiusSelect(QuickSelect):
    """Offers the default distance as no value: the form left as it is then sends no radius
    (an address without one), and none given shows the distance the search uses."""

    def format_value(self, value):
        default = value in (None, "", [], DEFAULT_RADIUS, str(DEFAULT_RADIUS))
        return [""] if default else super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        shown = copy.copy(self)
        shown.choices = [
            ("" if key == DEFAULT_RADIUS else key, label) for key, label in self.choices
        ]
        return QuickSelect.render(shown, name, value, attrs, renderer)


class FilterBase(django_filters.FilterSet):
    radius = django_filters.TypedChoiceFilter(
        label=_("Within"),
        choices=RADIUS_OPTIONS,
        coerce=int,
        empty_value=None,
        method="by_index",
        widget=RadiusSelect,
        error_messages={"invalid_choice": RADIUS_REFUSED},
    )
    order = django_filters.ChoiceFilter(
        label=_("Order"),
        choices=ORDERS,
        empty_label=_("Fair daily rotation"),
        method="by_index",
        widget=QuickSelect,
    )

    class Meta:
        model = Therapist
        fields = []
        form = DirectoryForm

    def __init__(self, data=None, *, vocabulary):
        # FilterSet.__init__, less its deep copy of every filter for each request: these
        # filters depend on the vocabulary only, and only make the form (by_index never
        # filters), so they are copied once per vocabulary.
        self.vocabulary = vocabulary
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = Therapist.objects.none()
        self.request = None
        self.form_prefix = None
        if getattr(vocabulary, "filters", None) is None:
            filters = copy.deepcopy(self.base_filters)
            for facet in FACETS:
                if facet.kind == Kind.OPTIONS:
                    filters[facet.param].extra["valid_slugs"] = vocabulary.slugs(facet.param)
            for filter_ in filters.values():
                filter_.model = Therapist
            vocabulary.filters = filters
        self.filters = vocabulary.filters

    def get_form_class(self):
        # Made once per vocabulary, not per request: the fields depend on nothing else.
        if getattr(self.vocabulary, "form_class", None) is None:
            self.vocabulary.form_class = super().get_form_class()
        return self.vocabulary.form_class

    def by_index(self, queryset, name, value):
        raise NotImplementedError("the search index filters; see criteria()")

    @property
    def qs(self):
        raise NotImplementedError("the search index filters; see criteria()")

    @cached_property
    def valid(self):
        return not self.is_bound or self.is_valid()

    @cached_property
    def chosen(self):
        """The valid filters in use: {param: value as the form cleaned it}."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], False)
            and name not in ("radius", "order")
            and not (name == "q" and not value.strip())
        }

    @property
    def radius_miles(self):
        return (self.chosen and self.form.cleaned_data.get("radius")) or DEFAULT_RADIUS

    def criteria(self):
        """The filters as the index takes them: option keys, flags, (lat, lon, miles)."""
        criteria = {}
        for facet in FACETS:
            value = self.chosen.get(facet.param)
            if value is None:
                continue
            if facet.kind == Kind.OPTIONS:
                criteria[facet.param] = self.vocabulary.keys(facet.param, value)
            elif facet.kind == Kind.DISTANCE:
                criteria[facet.param] = (*zip_point(value), self.radius_miles)
            elif facet.kind == Kind.TEXT:
                criteria[facet.param] = value.strip()
            else:
                criteria[facet.param] = value
        return criteria

    @property
    def sort(self):
        wanted = self.form.cleaned_data.get("order") if self.is_bound and self.valid else None
        if wanted == "name":
            return "name"
        return "distance" if "near" in self.chosen else "rank"

    @property
    def heading(self):
        """'Interpersonal Therapy therapists in Los Angeles, CA', from the valid filters only."""
        modalities, cities = self.chosen.get("modality") or [], self.chosen.get("city") or []
        modality = self.vocabulary.find("modality", modalities[0]) if len(modalities) == 1 else None
        city = self.vocabulary.find("city", cities[0]) if len(cities) == 1 else None
        state = self.chosen.get("state")
        subject = _("%(modality)s therapists") % {"modality": modality.name} if modality else None
        place = city.name if city else USState(state).label if state else None
        if subject and place:
            return _("%(subject)s in %(place)s") % {"subject": subject, "place": place}
        if place:
            return _("Therapists in %(place)s") % {"place": place}
        return subject or _("Find a therapist")


TherapistFilter = type(
    "TherapistFilter", (FilterBase,), {facet.param: facet_filter(facet) for facet in FACETS}
)
TherapistFilter.__doc__ = "The directory's filters: within a facet any value, across facets all."

"""The directory's filters. Within one facet values are OR; across facets, AND."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from modalities.forms import BoundedForm
from modalities.versioned_cache import remember
from therapists.facets import Facet, count_facets
from therapists.models import Gender, Therapist
from therapists.states import USState
from therapists.zips import zip_point

DEFAULT_RADIUS = 10
MAX_RADIUS = 100

# Facets whose options come from the vocabulary, in the order the form shows them.
FACETS = [
    Facet("modality", _("Kind of therapy"), "modalities"),
    Facet("concern", _("Concerns"), "concerns"),
    Facet("credential", _("Credential"), None),
    Facet("language", _("Language"), "languages"),
    Facet("insurance", _("Insurance"), "insurance_plans"),
    Facet("format", _("Format"), "formats"),
    Facet("age", _("Ages"), "age_groups"),
    Facet("city", _("City"), None),
]
LABELS = {facet.param: facet.label for facet in FACETS}
BOOLEAN_FACETS = {
    "telehealth": lambda qs: qs.filter(telehealth=True),
    "in_person": lambda qs: qs.filter(in_person=True),
    "accepting": lambda qs: qs.accepting(),
    "sliding_scale": lambda qs: qs.filter(sliding_scale=True),
    "verified": lambda qs: qs.verified(),
}


def unknown_choice(noun):
    # Rendered by autoescaping templates only: the value is never raw HTML.
    return {"invalid_choice": _("We have no %(noun)s called “%%(value)s”.") % {"noun": noun}}


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class FacetFilter(django_filters.MultipleChoiceFilter):
    """Several slugs from the vocabulary; choices are set per request."""

    def __init__(self, noun, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(choices=[], error_messages=unknown_choice(noun), **kwargs)


def boolean(label):
    return django_filters.BooleanFilter(
        label=label, widget=forms.CheckboxInput, method="filter_flag"
    )


class DirectoryForm(BoundedForm):
    def clean_near(self):
        zip_code = (self.cleaned_data.get("near") or "").strip()
        if zip_code and zip_point(zip_code) is None:
            raise ValidationError(
                _("We could not find the ZIP code “%(zip)s”. Check it, or search by city."),
                params={"zip": zip_code},
            )
        return zip_code


class TherapistFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_name", max_length=100)
    modality = FacetFilter(_("kind of therapy"), label=LABELS["modality"], method="filter_linked")
    concern = FacetFilter(_("concern"), label=LABELS["concern"], method="filter_linked")
    credential = FacetFilter(
        _("credential"), label=LABELS["credential"], method="filter_credential"
    )
    language = FacetFilter(_("language"), label=LABELS["language"], method="filter_linked")
    insurance = FacetFilter(_("insurance plan"), label=LABELS["insurance"], method="filter_linked")
    format = FacetFilter(_("format"), label=LABELS["format"], method="filter_linked")
    age = FacetFilter(_("age group"), label=LABELS["age"], method="filter_linked")
    gender = django_filters.MultipleChoiceFilter(
        label=_("Therapist's gender"),
        choices=Gender.choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_gender",
        error_messages=unknown_choice(_("gender option")),
    )
    city = FacetFilter(_("city"), label=LABELS["city"], method="filter_city")
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=USState.choices,
        empty_label=_("Any state"),
        method="filter_state",
        error_messages=unknown_choice(_("state")),
    )
    near = django_filters.CharFilter(label=_("Near ZIP code"), method="filter_near", max_length=10)
    radius = IntegerFilter(
        label=_("Within (miles)"),
        method="filter_nothing",  # read by filter_near
        min_value=1,
        max_value=MAX_RADIUS,
    )
    fee_max = IntegerFilter(
        label=_("Fee per session up to ($)"), method="filter_fee", min_value=0, max_value=2000
    )
    telehealth = boolean(_("Offers telehealth"))
    in_person = boolean(_("Offers in-person sessions"))
    accepting = boolean(_("Accepting new clients (confirmed in the last 90 days)"))
    sliding_scale = boolean(_("Sliding scale"))
    verified = boolean(_("License verified"))
    order = django_filters.ChoiceFilter(
        label=_("Order"),
        choices=[("name", _("Name, A to Z")), ("distance", _("Distance"))],
        empty_label=_("Fair daily rotation"),
        method="filter_nothing",  # applied by ordered()
    )

    class Meta:
        model = Therapist
        fields = []
        form = DirectoryForm

    def __init__(self, data=None, queryset=None, *, vocabulary, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.vocabulary = vocabulary
        for facet in FACETS:
            self.filters[facet.param].extra["choices"] = vocabulary.choices(facet.param)

    # The filters -----------------------------------------------------------------

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_linked(self, queryset, name, slugs):
        relation = next(facet.relation for facet in FACETS if facet.param == name)
        return queryset.linked_to_any(relation, self.vocabulary.ids(name, slugs))

    def filter_credential(self, queryset, name, slugs):
        return queryset.holding(*self.vocabulary.ids(name, slugs))

    def filter_city(self, queryset, name, slugs):
        return queryset.in_city(*self.vocabulary.ids(name, slugs))

    def filter_state(self, queryset, name, state):
        return queryset.in_state(state)

    def filter_gender(self, queryset, name, genders):
        return queryset.filter(gender__in=genders)

    def filter_name(self, queryset, name, text):
        return queryset.named(text) if text.strip() else queryset

    def filter_fee(self, queryset, name, fee):
        return queryset.filter(session_fee__lte=fee)

    def filter_flag(self, queryset, name, value):
        return BOOLEAN_FACETS[name](queryset) if value else queryset

    def filter_near(self, queryset, name, zip_code, radius=None):
        latitude, longitude = zip_point(zip_code)
        return queryset.near(latitude, longitude, radius or self.radius_miles)

    # What the page needs besides the results -------------------------------------

    @property
    def radius_miles(self):
        return getattr(self.form, "cleaned_data", {}).get("radius") or DEFAULT_RADIUS

    @property
    def qs(self):
        # Ordered here, not in filter_queryset, which an unbound filterset never calls.
        if not hasattr(self, "_ordered_qs"):
            self._ordered_qs = self.ordered(super().qs)
        return self._ordered_qs

    def ordered(self, queryset):
        chosen = getattr(self.form, "cleaned_data", {})
        if chosen.get("order") == "name":
            return queryset.order_by("display_name", "id")
        if chosen.get("near"):
            return queryset.order_by("distance", "id")
        return queryset.rotated()

    @cached_property
    def active(self):
        """The filters in use, by parameter name."""
        if not self.is_bound or not self.is_valid():
            return []
        skip = {"radius", "order"}
        return [
            name for name, value in self.form.cleaned_data.items() if value and name not in skip
        ]

    def qs_without(self, skip):
        """The listed therapists matching every filter except `skip`, unordered."""
        queryset = self.queryset
        for name in self.active:
            if name != skip:
                queryset = self.filters[name].filter(queryset, self.form.cleaned_data[name])
        return queryset

    def qs_widened(self, miles):
        queryset = self.qs_without("near")
        return self.filter_near(queryset, "near", self.form.cleaned_data["near"], miles)

    @cached_property
    def counts(self):
        """Facet counts, the total, and totals without each filter; one query."""
        if self.is_bound and not self.is_valid():
            return {("total", 0): 0}, []
        chosen = sorted((name, str(self.form.cleaned_data[name])) for name in self.active)
        # "Accepting" and "verified" depend on the date, so it is part of the key.
        return remember(
            "facets",
            [chosen, self.radius_miles, timezone.localdate()],
            lambda: count_facets(self, FACETS, BOOLEAN_FACETS, self.active),
        )

    @property
    def total(self):
        return self.counts[0].get(("total", 0), 0)

    @property
    def heading(self):
        """'Interpersonal Therapy therapists in Los Angeles, CA', from the valid filters only."""
        chosen = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        modalities, cities = chosen.get("modality") or [], chosen.get("city") or []
        modality = self.vocabulary.find("modality", modalities[0]) if len(modalities) == 1 else None
        city = self.vocabulary.find("city", cities[0]) if len(cities) == 1 else None
        state = chosen.get("state")
        subject = _("%(modality)s therapists") % {"modality": modality.name} if modality else None
        place = city.name if city else USState(state).label if state else None
        if subject and place:
            return _("%(subject)s in %(place)s") % {"subject": subject, "place": place}
        if place:
            return _("Therapists in %(place)s") % {"place": place}
        return subject or _("Find a therapist")

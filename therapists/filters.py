import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from modalities.models import Modality
from therapists.models import City, Therapist
from therapists.states import USState


def unknown_choice(noun):
    # The value is rendered through autoescaping templates, never as raw HTML.
    return {"invalid_choice": _("We have no %(noun)s called “%%(value)s”.") % {"noun": noun}}


class TherapistFilter(django_filters.FilterSet):
    """The directory's filters; every value arrives as a GET parameter from a shareable URL."""

    modality = django_filters.ModelChoiceFilter(
        label=_("Kind of therapy"),
        queryset=Modality.objects.published(),
        to_field_name="slug",
        empty_label=_("Any kind of therapy"),
        method="filter_modality",
        error_messages=unknown_choice(_("kind of therapy")),
    )
    city = django_filters.ModelChoiceFilter(
        label=_("City"),
        queryset=City.objects.order_by("state", "name"),
        to_field_name="slug",
        empty_label=_("Any city"),
        method="filter_city",
        error_messages=unknown_choice(_("city")),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=USState.choices,
        empty_label=_("Any state"),
        method="filter_state",
        error_messages=unknown_choice(_("state")),
    )

    verified = django_filters.BooleanFilter(
        label=_("Only therapists with a verified license"),
        widget=forms.CheckboxInput,
        method="filter_verified",
    )

    class Meta:
        model = Therapist
        fields = []

    def filter_modality(self, queryset, name, modality):
        return queryset.practising(modality)

    def filter_city(self, queryset, name, city):
        return queryset.in_city(city)

    def filter_state(self, queryset, name, state):
        return queryset.in_state(state)

    def filter_verified(self, queryset, name, verified):
        return queryset.verified() if verified else queryset

    @property
    def heading(self):
        """'Interpersonal Therapy therapists in Los Angeles, CA', from the valid filters only."""
        chosen = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        modality, city, state = chosen.get("modality"), chosen.get("city"), chosen.get("state")
        subject = _("%(modality)s therapists") % {"modality": modality.name} if modality else None
        place = str(city) if city else USState(state).label if state else None
        if subject and place:
            return _("%(subject)s in %(place)s") % {"subject": subject, "place": place}
        if place:
            return _("Therapists in %(place)s") % {"place": place}
        return subject or _("Find a therapist")

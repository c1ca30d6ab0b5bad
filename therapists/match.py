"""Find Your Match: a few questions, then listed therapists ranked by how many of the
person's needs they meet, each with the reasons.

The answers live only for the request that carries them: nothing here stores them.
"""

import dataclasses
import functools
import operator
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modalities.forms import BoundedForm
from modalities.models import Concern, Modality
from therapists.facets import Option, Vocabulary
from therapists.models import (
    Gender,
    InsurancePlan,
    Language,
    Therapist,
    accepting_fresh_since,
    daily_rotation,
)
from therapists.states import USState
from therapists.zips import zip_point, zip_state

RADIUS_MILES = 25
MATCHES_SHOWN = 10
BUDGET_MAX = 2000
# "90012", or "90012-1234" of which the first five digits are what we look up.
ZIP_FORMAT = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")


def from_the_list(noun):
    # Choices come from our own lists, so an unknown value is tampering or a stale page:
    # say what to do, without repeating the value.
    return _("Choose %(noun)s from the list.") % {"noun": noun}


@dataclasses.dataclass
class Choice(Option):
    """An option and the label the form shows for it."""

    label: str = ""


def _text(value):
    return Value(value, output_field=CharField())


# "Interpersonal Therapy (IPT)", or just the name: Modality.full_name, in SQL.
MODALITY_FULL_NAME = Case(
    When(Q(abbreviation="") | Q(abbreviation=F("name")), then=F("name")),
    default=Concat("name", _text(" ("), "abbreviation", _text(")")),
    output_field=CharField(),
)
CHOICE_SOURCES = [
    ("concern", lambda: Concern.objects.all(), F("name")),
    ("language", lambda: Language.objects.all(), F("name")),
    ("insurance", lambda: InsurancePlan.objects.all(), F("name")),
    ("modality", lambda: Modality.objects.published(), MODALITY_FULL_NAME),
]


def load_choices():
    """The form's four lists of choices, in one UNION ALL query, as a Vocabulary.

    Like facets.load_vocabulary(), but only these lists, and each option also carries the
    label the form shows: a modality's full name, as everywhere a person picks one. The
    reasons under a match use the plain name.
    """
    parts = [
        queryset().order_by().values_list(_text(param), "id", "slug", "name", label)
        for param, queryset, label in CHOICE_SOURCES
    ]
    vocabulary = Vocabulary()
    for param, pk, slug, name, label in sorted(
        parts[0].union(*parts[1:], all=True), key=lambda row: row[3]
    ):
        vocabulary.options.setdefault(param, []).append(Choice(pk, slug, name, label=label))
    return vocabulary


class FromVocabulary:
    """A choice, by slug, among the options the vocabulary has for `param`.

    MatchForm gives the field its choices from the vocabulary loaded once for the
    request, so checking an answer and drawing the options cost no query. A null
    character is refused before the choice is looked at, as ModelChoiceField did.
    """

    def __init__(self, param, *, empty_label=None, **kwargs):
        self.param = param
        self.empty_label = empty_label
        super().__init__(**kwargs)

    def set_options(self, vocabulary):
        choices = [
            (option.slug, getattr(option, "label", "") or option.name)
            for option in vocabulary.options.get(self.param, [])
        ]
        self.choices = choices if self.empty_label is None else [("", self.empty_label), *choices]

    def to_python(self, value):
        value = super().to_python(value)
        for item in value if isinstance(value, list) else [value]:
            ProhibitNullCharactersValidator()(item)
        return value


class VocabularyChoiceField(FromVocabulary, forms.ChoiceField):
    pass


class VocabularyMultipleChoiceField(FromVocabulary, forms.MultipleChoiceField):
    pass


class MatchForm(BoundedForm):
    """The questions. Pass the request's `vocabulary` (load_choices()) to spare a query."""

    concerns = VocabularyMultipleChoiceField(
        "concern",
        label=_("What would you like help with?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose any that apply, or none."),
        error_messages={
            "invalid_choice": from_the_list(_("concerns")),
            "invalid_list": from_the_list(_("concerns")),
        },
    )
    zip_code = forms.CharField(
        label=_("Your ZIP code"),
        required=False,
        max_length=10,
        help_text=format_lazy(
            _(
                "We look for therapists within {miles} miles, and for those who offer "
                "telehealth with a license in your state."
            ),
            miles=RADIUS_MILES,
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={"max_length": _("Enter your ZIP code as 5 digits, like 90012.")},
    )
    state = forms.ChoiceField(
        label=_("Or your state, for online sessions only"),
        required=False,
        choices=[("", _("Choose a state")), *USState.choices],
        help_text=_("Therapists who offer telehealth and hold a license in this state."),
        error_messages={"invalid_choice": from_the_list(_("a state"))},
    )
    language = VocabularyChoiceField(
        "language",
        label=_("Language for your sessions"),
        required=False,
        empty_label=_("Any language"),
        error_messages={"invalid_choice": from_the_list(_("a language"))},
    )
    gender = forms.ChoiceField(
        label=_("Therapist's gender"),
        required=False,
        choices=[("", _("No preference")), *Gender.choices],
        error_messages={"invalid_choice": from_the_list(_("a gender, or no preference,"))},
    )
    budget = forms.IntegerField(
        label=_("Most you can pay per session (USD)"),
        required=False,
        min_value=0,
        max_value=BUDGET_MAX,
        help_text=_("Therapists with a sliding scale count as within your budget."),
        error_messages={
            "invalid": _("Enter a whole number of dollars, like 120."),
            "min_value": _("Enter a budget of 0 dollars or more."),
            "max_value": _("Enter a budget of at most %(limit_value)s dollars."),
        },
    )
    insurance = VocabularyChoiceField(
        "insurance",
        label=_("Your insurance plan"),
        required=False,
        empty_label=_("None, or not in this list"),
        error_messages={"invalid_choice": from_the_list(_("an insurance plan"))},
    )
    modality = VocabularyChoiceField(
        "modality",  # published modalities only
        label=_("Kind of therapy"),
        required=False,
        empty_label=_("Not sure"),
        error_messages={"invalid_choice": from_the_list(_("a kind of therapy"))},
    )

    def __init__(self, *args, vocabulary=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocabulary = load_choices() if vocabulary is None else vocabulary
        for field in self.fields.values():
            if isinstance(field, FromVocabulary):
                field.set_options(self.vocabulary)

    def clean_concerns(self):
        # Each concern once, however often the request repeats it.
        return list(dict.fromkeys(self.cleaned_data["concerns"]))

    def clean_zip_code(self):
        value = self.cleaned_data["zip_code"]
        if not value:
            return ""
        found = ZIP_FORMAT.fullmatch(value)
        if not found:
            raise ValidationError(
                _("Enter your ZIP code as 5 digits, like 90012."), code="zip_format"
            )
        if zip_point(found[1]) is None:
            raise ValidationError(
                _(
                    "We could not find the ZIP code “%(zip)s”. Check it, or choose online "
                    "sessions in a state instead."
                ),
                code="zip_unknown",
                params={"zip": found[1]},
            )
        return found[1]

    def clean(self):
        data = super().clean()
        if "zip_code" in self.errors or "state" in self.errors:
            return data
        if data.get("zip_code") and data.get("state"):
            self.add_error(
                "state",
                _(
                    "Give a ZIP code or a state, not both: with a ZIP code we already "
                    "include telehealth in its state."
                ),
            )
        elif not data.get("zip_code") and not data.get("state"):
            self.add_error(
                "zip_code", _("Give your ZIP code, or choose a state for online sessions.")
            )
        return data


@dataclasses.dataclass
class Match:
    therapist: Therapist
    met: list[str]
    unmet: list[str]

    @property
    def needs(self):
        return len(self.met) + len(self.unmet)


def linked(relation, value):
    """EXISTS: the therapist is linked to `value` through the many-to-many `relation`."""
    field = Therapist._meta.get_field(relation)
    links = field.remote_field.through.objects.filter(
        **{field.m2m_field_name(): OuterRef("pk"), field.m2m_reverse_field_name(): value}
    )
    return Exists(links)


def needs_of(answers, vocabulary):
    """[(label, condition), ...] in the form's order.

    The answers name options by slug; the vocabulary gives their ids, for the conditions,
    and their names, for the labels. Concerns come in the order the form lists them.

    The place is a need too, so "Matches 4 of your 5 needs" counts what the person asked
    for; its condition is None because every candidate meets it, and its label depends on
    the therapist (near the ZIP, or telehealth in the state).
    """
    chosen = set(answers.get("concerns") or ())
    needs = [
        (concern.name, linked("concerns", concern.id))
        for concern in vocabulary.options.get("concern", [])
        if concern.slug in chosen
    ]
    if language := vocabulary.find("language", answers.get("language")):
        needs.append((language.name, linked("languages", language.id)))
    if gender := answers.get("gender"):
        label = gettext("gender: %(gender)s") % {"gender": Gender(gender).label}
        needs.append((label, Q(gender=gender)))
    needs.append((None, None))
    if (budget := answers.get("budget")) is not None:
        label = gettext("up to $%(budget)s a session") % {"budget": budget}
        needs.append((label, Q(session_fee__lte=budget) | Q(sliding_scale=True)))
    if plan := vocabulary.find("insurance", answers.get("insurance")):
        label = gettext("takes %(plan)s") % {"plan": plan.name}
        needs.append((label, linked("insurance_plans", plan.id)))
    if modality := vocabulary.find("modality", answers.get("modality")):
        needs.append((modality.name, linked("modalities", modality.id)))
    # The test of Therapist.accepting_is_current, in SQL.
    accepting = Q(accepting_new_clients=True, accepting_confirmed_on__gte=accepting_fresh_since())
    needs.append((gettext("accepting new clients"), accepting))
    return needs


def candidates(answers):
    """(listed therapists who can see the person where they are, therapist -> place label)."""
    listed = Therapist.objects.listed()
    zip_code = answers.get("zip_code")
    state = zip_state(zip_code) if zip_code else answers["state"]
    online = listed.filter(telehealth=True).licensed_in(state)
    # A ZIP in a territory we list no licenses for (APO/FPO) still finds offices nearby.
    where = USState(state).label if state in USState.values else state
    online_label = gettext("telehealth in %(state)s") % {"state": where}
    if not zip_code:
        return online, lambda therapist: online_label
    latitude, longitude = zip_point(zip_code)
    # OR-ing the querysets keeps near()'s `distance`, which is None for online-only ones.
    therapists = listed.near(latitude, longitude, RADIUS_MILES) | online
    near_label = gettext("near %(zip)s") % {"zip": zip_code}
    return therapists, lambda therapist: online_label if therapist.distance is None else near_label


def find_matches(answers, day=None, vocabulary=None):
    """The best MATCHES_SHOWN matches, best first; ties in a fair order that changes daily.

    `answers` is a valid MatchForm's cleaned_data, and `vocabulary` the one the form
    checked them against (loaded here, in one more query, if not given). One query ranks
    the candidates (each need's flag and the score computed in the database), two more
    load their signatures, however many candidates there are.
    """
    therapists, place = candidates(answers)
    needs = needs_of(answers, load_choices() if vocabulary is None else vocabulary)
    flags = {
        f"need_{number}": Case(
            When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        for number, (_label, condition) in enumerate(needs)
        if condition is not None
    }
    ranked = (
        therapists.annotate(**flags)
        .annotate(match_score=functools.reduce(operator.add, (F(name) for name in flags)))
        .order_by("-match_score", daily_rotation(day or timezone.localdate()), "id")
        .with_signature()[:MATCHES_SHOWN]
    )
    matches = []
    for therapist in ranked:
        met, unmet = [], []
        for number, (label, condition) in enumerate(needs):
            if condition is None:
                met.append(place(therapist))
            else:
                (met if getattr(therapist, f"need_{number}") else unmet).append(label)
        matches.append(Match(therapist, met, unmet))
    return matches

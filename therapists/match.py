"""Find Your Match: a few questions, then listed therapists ranked by how many of the
person's needs they meet, each with the reasons.

The answers live only for the request that carries them: nothing here stores them.
"""

import dataclasses
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pyroaring import BitMap

from modalities.forms import BoundedForm, QuickSelect
from therapists.models import Gender, Therapist
from therapists.search.filterset import DEFAULT_RADIUS, RADIUS_OPTIONS
from therapists.states import USState
from therapists.zips import zip_point, zip_state

MATCHES_SHOWN = 10
BUDGET_MAX = 2000
# "90012", or "90012-1234" of which the first five digits are what we look up.
ZIP_FORMAT = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")


def from_the_list(noun):
    # Choices come from our own lists, so an unknown value is tampering or a stale page:
    # say what to do, without repeating the value.
    return _("Choose %(noun)s from the list.") % {"noun": noun}


class FromVocabulary:
    """A choice, by slug, among the options the vocabulary has for `param`.

    MatchForm gives the field its choices from the search index's vocabulary, in memory,
    so checking an answer and drawing the options cost no query. A null character is
    refused before the choice is looked at, as ModelChoiceField did.
    """

    def __init__(self, param, *, empty_label=None, **kwargs):
        self.param = param
        self.empty_label = empty_label
        super().__init__(**kwargs)

    def set_options(self, vocabulary):
        choices = [
            (option.slug, option.label or option.name)
            for option in vocabulary.options.get(self.param, [])
        ]
        self.choices = choices if self.empty_label is None else [("", self.empty_label), *choices]

    def to_python(self, value):
        value = super().to_python(value)
        for item in value if isinstance(value, list) else [value]:
            ProhibitNullCharactersValidator()(item)
        return value


class VocabularyChoiceField(FromVocabulary, forms.ChoiceField):
    widget = QuickSelect


class VocabularyMultipleChoiceField(FromVocabulary, forms.MultipleChoiceField):
    pass


class MatchForm(BoundedForm):
    """The questions; `vocabulary` is the search index's."""

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
        help_text=_(
            "We look for therapists within the distance you choose, and for those who offer "
            "telehealth with a license in your state."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={"max_length": _("Enter your ZIP code as 5 digits, like 90012.")},
    )
    radius = forms.TypedChoiceField(
        label=_("How far you can travel"),
        required=False,
        help_text=_("Miles from the ZIP code you give."),
        coerce=int,
        # No choice (the field left out) means the default, as everywhere on the site.
        empty_value=DEFAULT_RADIUS,
        initial=DEFAULT_RADIUS,
        choices=RADIUS_OPTIONS,
        widget=QuickSelect,
        error_messages={"invalid_choice": from_the_list(_("a distance"))},
    )
    state = forms.ChoiceField(
        label=_("Or your state, for online sessions only"),
        required=False,
        choices=[("", _("Choose a state")), *USState.choices],
        widget=QuickSelect,
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
        widget=QuickSelect,
        error_messages={"invalid_choice": from_the_list(_("a gender, or no preference,"))},
    )
    accepting = forms.BooleanField(
        label=_("Accepting new clients now"),
        required=False,
        help_text=_("Rank therapists who have confirmed they take new clients higher."),
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

    def __init__(self, *args, vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocabulary = vocabulary
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
        # Neither is fine: no place is no preference, and every listing is a candidate.
        if data.get("zip_code") and data.get("state"):
            self.add_error(
                "state",
                _(
                    "Give a ZIP code or a state, not both: with a ZIP code we already "
                    "include telehealth in its state."
                ),
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


def needs_of(answers, index):
    """[(label, bitmap of the therapists meeting it), ...] in the form's order.

    The answers name options by slug; the vocabulary gives their ids, for the bitmaps,
    and their names, for the labels. Concerns come in the order the form lists them.

    Only what the person chose is a need, so "Matches 4 of your 5 needs" counts what
    they asked for. A place they gave is one; its bitmap is None because every candidate
    meets it, and its label depends on the therapist (near the ZIP, or telehealth in the
    state).
    """
    vocabulary = index.vocabulary
    chosen = set(answers.get("concerns") or ())
    needs = [
        (concern.name, index.bitmap("concern", concern.id))
        for concern in vocabulary.options.get("concern", [])
        if concern.slug in chosen
    ]
    if language := vocabulary.find("language", answers.get("language")):
        needs.append((language.name, index.bitmap("language", language.id)))
    if gender := answers.get("gender"):
        label = gettext("gender: %(gender)s") % {"gender": Gender(gender).label}
        needs.append((label, index.bitmap("gender", gender)))
    if answers.get("zip_code") or answers.get("state"):
        needs.append((None, None))
    if (budget := answers.get("budget")) is not None:
        label = gettext("up to $%(budget)s a session") % {"budget": budget}
        needs.append((label, index.fee_at_most(budget) | index.flag("sliding_scale")))
    if plan := vocabulary.find("insurance", answers.get("insurance")):
        label = gettext("takes %(plan)s") % {"plan": plan.name}
        needs.append((label, index.bitmap("insurance", plan.id)))
    if modality := vocabulary.find("modality", answers.get("modality")):
        needs.append((modality.name, index.bitmap("modality", modality.id)))
    if answers.get("accepting"):
        needs.append((gettext("accepting new clients"), index.flag("accepting")))
    return needs


def state_name(state):
    # A ZIP in a territory we list no licenses for (APO/FPO) has no name of ours.
    return USState(state).label if state in USState.values else state


def place_of(answers):
    """(ZIP code or "", state or "", radius in miles) of valid answers."""
    zip_code = answers.get("zip_code") or ""
    state = zip_state(zip_code) if zip_code else answers.get("state") or ""
    return zip_code, state, answers.get("radius") or DEFAULT_RADIUS


def nobody_found(answers):
    """Why no one matched, naming only the place the person gave."""
    zip_code, state, radius = place_of(answers)
    if zip_code:
        return gettext(
            "No listed therapist sees clients within %(radius)s miles of %(zip)s, or offers "
            "telehealth with a license in %(state)s, yet."
        ) % {"radius": radius, "zip": zip_code, "state": state_name(state)}
    if state:
        return gettext("No listed therapist offers telehealth with a license in %(state)s yet.") % {
            "state": state_name(state)
        }
    return gettext("No therapist is listed yet.")


def candidates(answers, index):
    """(listed therapists who can see the person where they are, as a bitmap; those of
    them near the ZIP code; the cities around it by distance; the label of each kind of
    place)."""
    zip_code, state, radius = place_of(answers)
    if not (zip_code or state):
        return BitMap(index.listed), BitMap(), [], {}
    online = index.flag("telehealth") & index.bitmap("licensed_in", state) & index.listed
    # A ZIP in a territory we list no licenses for (APO/FPO) still finds offices nearby.
    labels = {"online": gettext("telehealth in %(state)s") % {"state": state_name(state)}}
    if not zip_code:
        return online, BitMap(), [], labels
    nearby, rings = index.near(*zip_point(zip_code), radius)
    nearby &= index.listed
    labels["near"] = gettext("near %(zip)s") % {"zip": zip_code}
    return nearby | online, nearby, rings, labels


def find_matches(answers, index):
    """The best MATCHES_SHOWN matches, best first; ties in the day's fair order.

    `answers` is a valid MatchForm's cleaned_data, checked against `index`'s vocabulary.
    The ranking is counted on the index's bitmaps; one query loads the cards.
    """
    everyone, nearby, rings, labels = candidates(answers, index)
    needs = needs_of(answers, index)
    ranked = index.best_matches(
        everyone, [bitmap for _label, bitmap in needs if bitmap is not None], MATCHES_SHOWN
    )
    distances = index.distances([index.order.rank(pk) for pk, _met in ranked], rings)
    cards = {t.pk: t for t in Therapist.objects.cards([pk for pk, _met in ranked], distances)}
    matches = []
    for therapist_id, met_flags in ranked:
        therapist = cards.get(therapist_id)
        if therapist is None:
            continue  # unlisted since the index answered
        flags = iter(met_flags)
        met, unmet = [], []
        for label, bitmap in needs:
            if bitmap is None:
                near = index.order.rank(therapist_id) in nearby
                met.append(labels["near"] if near else labels["online"])
            else:
                (met if next(flags) else unmet).append(label)
        matches.append(Match(therapist, met, unmet))
    return matches

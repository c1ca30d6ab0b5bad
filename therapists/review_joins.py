"""A join's review page: the listings it may duplicate, and what approving the join, or
treating it as a claim of one of them, asks of the reviewer.

A name and a license number are both public, so anyone can join as a real therapist. A
join is therefore approved only with the note a claim by number needs (how staff reached
the licensee through the contact their state board lists), and its page shows every
listing with the same name or license number beside it, offering to make the join a
claim of that listing instead (therapists.review.treat_join_as_claim).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.utils.translation import gettext_lazy as _

from therapists.forms import IdentityCheckForm, VerifyLicenseForm, license_key
from therapists.models import License, Therapist
from therapists.names import name_key
from therapists.review import ReviewRefused
from therapists.states import USState

STATE_NAMES = dict(USState.choices)


def license_key_in_sql(field):
    """license_key() in SQL, on both databases: lower case, without spaces or dashes."""
    expression = Lower(field)
    for ignored in " \t-\u2010\u2011\u2012\u2013\u2014\u2015":
        expression = Replace(expression, Value(ignored), Value(""))
    return expression


@dataclass
class Likeness:
    """An existing listing that looks like the join's, and why it is shown."""

    listing: Therapist
    same_name: bool
    # [(state's name, number)]: its licenses whose number is one the join gave.
    same_numbers: list = field(default_factory=list)
    form: forms.Form = None

    @property
    def why_not_claimable(self):
        """Why the join cannot become its claim, or "" if it can: a claim is only ever of a
        public listing that is not a demo and has no account (joining.claim), so the same."""
        listing = self.listing
        if listing.user_id is not None:
            return _("It has an account (its therapist signs in with it), so it cannot be claimed.")
        if listing.is_demo:
            return _("It is a demo listing: it cannot be claimed.")
        if not listing.is_listed:
            return _("It is not public: only a public listing can be claimed.")
        return ""

    @property
    def claimable(self):
        return not self.why_not_claimable


def listings_like(join):
    """Every other listing, listed or not, with the join's name or one of its license
    numbers, compared as people read them (names without case or extra spaces, numbers as
    license_key compares them for claims). Two queries narrow in the database (numbers by
    their key, names by their longest word), so the page costs the same at any size; one
    more reads the listings that match.
    """
    own = join.therapist
    name = name_key(own.display_name)
    numbers = {license_key(license.number) for license in own.licenses.all()} - {""}
    same_numbers = defaultdict(list)
    if numbers:
        licenses = (
            License.objects.exclude(therapist=own)
            .annotate(key=license_key_in_sql("number"))
            .filter(key__in=numbers)
            .values_list("therapist_id", "state", "number")
        )
        for pk, state, number in licenses:
            same_numbers[pk].append((STATE_NAMES.get(state, state), number))
    same_name = set()
    if name:
        longest_word = max(name.split(), key=len)
        candidates = Therapist.objects.exclude(pk=own.pk).filter(
            display_name__icontains=longest_word
        )
        same_name = {
            pk
            for pk, display_name in candidates.values_list("pk", "display_name")
            if name_key(display_name) == name
        }
    found = same_name | same_numbers.keys()
    if not found:
        return []
    listings = Therapist.objects.filter(pk__in=found).select_related("user")
    # In name order as compared, the same on both databases (their collations differ).
    ordered = sorted(listings, key=lambda listing: (name_key(listing.display_name), listing.pk))
    return [
        Likeness(listing, listing.pk in same_name, same_numbers.get(listing.pk, []))
        for listing in ordered
    ]


NO_LONGER_ALIKE = _(
    "That listing no longer has this join's name or license number: nothing changed. "
    "Review the join again."
)


class JoinIdentityCheck(IdentityCheckForm):
    """A claim's identity check (the same field, refused the same way), worded for a join."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["identity_check"]
        field.label = _("How you confirmed the applicant holds this license")
        field.help_text = _(
            "A name and a license number are public: anyone can join as a real therapist. "
            "Reach the licensee through the contact their state board lists (not one the "
            "applicant gave), e.g. \u201cEmailed the address on the board's record; they "
            "confirmed.\u201d"
        )


class JoinApprovalForm(VerifyLicenseForm, JoinIdentityCheck):
    """Approving a join: where the license was checked, and how its holder was reached."""

    field_order = ["source", "identity_check"]


class TreatAsClaimForm(JoinIdentityCheck):
    """Treating the join `join` as a claim of one listing shown beside it: cleaned, the
    listing itself, if the join can still become its claim."""

    listing = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": NO_LONGER_ALIKE, "invalid": NO_LONGER_ALIKE},
    )

    def __init__(self, *args, join, **kwargs):
        super().__init__(*args, prefix=TREAT_PREFIX, **kwargs)
        self.join = join

    @classmethod
    def for_listing(cls, join, listing_pk, data=None):
        # One form per listing on the page: ids of their own, so each label names its field.
        return cls(
            data, join=join, initial={"listing": listing_pk}, auto_id=f"id_claim_{listing_pk}_%s"
        )

    def clean_listing(self):
        # Checked again when sent: the page may be stale (the listing since renamed, given
        # an account, unlisted), or the id one never shown.
        try:
            return claimable_listing(self.join, self.cleaned_data["listing"])
        except ReviewRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None


TREAT_PREFIX = "claim"
# A join's third way out, beside Approve and Send back.
TREAT_AS_CLAIM = "treat_as_claim"


def decisions(kind):
    """What the reviewer may decide on an item of this kind."""
    return {"approve", "send_back"} | ({TREAT_AS_CLAIM} if kind == "join" else set())


def with_treat_forms(join, likenesses, data=None):
    """Each claimable listing with its form: the one the reviewer sent (`data`, with what
    they typed and its errors) for its listing, a blank one for the others."""
    chosen = data.get(f"{TREAT_PREFIX}-listing") if data is not None else None
    for likeness in likenesses:
        if likeness.claimable:
            pk = likeness.listing.pk
            sent = data if chosen == str(pk) else None
            likeness.form = TreatAsClaimForm.for_listing(join, pk, sent)
    return likenesses


def claimable_listing(join, pk):
    """The listing shown beside the join with this id, if the join can become its claim;
    else ReviewRefused saying why."""
    likeness = next((each for each in listings_like(join) if each.listing.pk == pk), None)
    if likeness is None:
        raise ReviewRefused(NO_LONGER_ALIKE)
    if not likeness.claimable:
        raise ReviewRefused(
            _("%(name)s: %(why)s") % {"name": likeness.listing, "why": likeness.why_not_claimable}
        )
    return likeness.listing

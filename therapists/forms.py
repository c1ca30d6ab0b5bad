import copy
import re
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    UsernameField,
)
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kit import limits
from modalities.forms import (
    BoundsValues,
    KeepsUnofferedRelations,
    RefusesStaleSave,
    SavesOwnChanges,
    Version,
)
from modalities.models import Modality
from modalities.translation import ENGLISH, SPANISH, interpolate_lazy
from therapists import photos
from therapists.invitations import InvitationError, clean_address, in_use, is_staff_account
from therapists.models import (
    MESSAGE_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    Application,
    City,
    ContactMessage,
    Credential,
    License,
    Therapist,
)
from therapists.names import plain_name, word_mixing_alphabets
from therapists.states import USState

BIO_MAX_LENGTH = Therapist._meta.get_field("bio").max_length
# Far beyond any passphrase: for the fields of Django's own forms that have no bound.
TEXT_MAX_LENGTH = 1024


def bounded(form_class):
    """Class decorator for Django's auth forms: each text field without a length bound (the
    passwords) gets one, as every other field has. Copies, so Django's forms stay as they are."""
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.CharField) and field.max_length is None:
            field = form_class.base_fields[name] = copy.deepcopy(field)
            field.max_length = TEXT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(TEXT_MAX_LENGTH)
    return form_class


@bounded
class BoundedSetPasswordForm(SetPasswordForm):
    pass


@bounded
class BoundedPasswordChangeForm(PasswordChangeForm):
    pass


@bounded
class AdminLoginForm(BoundsValues, AdminAuthenticationForm):
    # Declared, so the bound is checked: Django sets only the input's maxlength attribute.
    username = UsernameField(max_length=254, widget=forms.TextInput(attrs={"autofocus": True}))


@bounded
class EmailLoginForm(BoundsValues, AuthenticationForm):
    """Therapists' accounts are named by their email address; case does not matter. A value
    past its bound is refused and never shown back (BoundsValues)."""

    username = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That email address and password do not match an account. "
            "Check the password; it is case-sensitive."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class CheckedIdsField(forms.ModelMultipleChoiceField):
    """Ids of ticked options. An id beyond 64 bits is refused as an unknown choice: Django
    checks ids with an IN (...) query, in which SQLite raises OverflowError on one."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # the field itself refuses what is not an id
            if not -(2**63) <= number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


PHONE_NUMBER = RegexValidator(
    r"^\+?[0-9 ().-]{7,30}$",
    _("Enter a phone number with digits, spaces, brackets or dashes, like 555-010-0100."),
)


class ProfileForm(KeepsUnofferedRelations, SavesOwnChanges):
    """What a therapist may change of their own listing; name, slug, licenses and
    locations stay with staff, who verify them. Save with update_fields=changed_columns():
    the form must not write back what staff changed meanwhile (is_listed, a corrected bio)."""

    phone = forms.CharField(
        label=_("Public phone"), required=False, max_length=30, validators=[PHONE_NUMBER]
    )
    bio = forms.CharField(
        # Beside "About you in Spanish": on the Spanish edition it says it is the English one.
        label=pgettext_lazy("the English text, beside the Spanish one", "About"),
        required=False,
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BIO_MAX_LENGTH}),
        help_text=interpolate_lazy(
            _("Plain text, up to %(limit)s characters."), limit=BIO_MAX_LENGTH
        ),
    )
    session_fee = forms.IntegerField(
        label=_("Fee per session (USD)"),
        required=False,
        min_value=0,
        max_value=2000,
        help_text=_("Leave empty if you would rather discuss fees in person."),
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    bio_es = forms.CharField(
        label=_("About you in Spanish (optional)"),
        required=False,
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BIO_MAX_LENGTH, "lang": "es"}),
        help_text=interpolate_lazy(
            _(
                "Plain text, up to %(limit)s characters, shown on the Spanish edition. Without "
                "it, that edition shows your English text, marked as written in English."
            ),
            limit=BIO_MAX_LENGTH,
        ),
    )

    def clean_language(self):
        return self.cleaned_data["language"] or self.instance.language

    class Meta:
        model = Therapist
        fields = [
            "pronouns",
            "headline",
            "bio",
            "headline_es",
            "bio_es",
            "gender",
            "accepting_new_clients",
            "telehealth",
            "in_person",
            "session_fee",
            "sliding_scale",
            "insurance_plans",
            "modalities",
            "concerns",
            "formats",
            "age_groups",
            "languages",
            "email",
            "phone",
            "website",
            "contact_email",
            "language",
        ]
        widgets = {
            "modalities": forms.CheckboxSelectMultiple,
            "concerns": forms.CheckboxSelectMultiple,
            "formats": forms.CheckboxSelectMultiple,
            "age_groups": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "insurance_plans": forms.CheckboxSelectMultiple,
        }
        # The many-to-many fields, each a list of checkboxes.
        field_classes = dict.fromkeys(widgets, CheckedIdsField)
        labels = {
            "contact_email": _("Private email for message notices"),
            "headline": pgettext_lazy("the English text, beside the Spanish one", "Headline"),
            "headline_es": _("Headline in Spanish (optional)"),
            "bio_es": _("About you in Spanish (optional)"),
            "language": _("Language of our emails to you"),
        }
        help_texts = {
            "headline_es": _(
                "Shown on the Spanish edition. Without it, that edition shows your English "
                "headline, marked as written in English."
            ),
            "accepting_new_clients": _(
                "Saving this form confirms it; the directory shows the date you confirmed."
            ),
            "email": _("Shown on your profile. Leave empty to keep it private."),
            "contact_email": _(
                "Private: never shown on the site. When a client writes to you through the "
                "site, we email this address a link to the message (never the message "
                "itself). Leave empty to use the address you sign in with."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modalities"].queryset = self.fields["modalities"].queryset.published()
        # Not required: a page saved before the field existed (or a script) leaves it as is.
        self.fields["language"].required = False
        self.fields["headline_es"].widget.attrs["lang"] = SPANISH


class TherapistAdminForm(RefusesStaleSave):
    """The staff's listing form, refused if the listing changed after it was opened (the
    therapist edits it from their own pages). The quotes on the page are read-only there
    (QuoteInline), so a draft submitted meanwhile is no conflict. The admin builds its
    fields (TherapistAdmin), so it names no model here."""

    def current_version(self):
        updated_at = Therapist.objects.filter(pk=self.instance.pk).values_list(
            "updated_at", flat=True
        )[0]
        return Version(updated_at.isoformat(), None, updated_at)


class QuoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your quote"),
        max_length=QUOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": QUOTE_MAX_LENGTH}),
        help_text=interpolate_lazy(
            _(
                "Plain text, up to %(limit)s characters: how you practise this approach and "
                "who it helps. Staff review it before it goes live."
            ),
            limit=QUOTE_MAX_LENGTH,
        ),
        error_messages={
            "required": _("Write your quote before you preview or submit it."),
            "max_length": _(
                "Keep your quote to %(limit_value)d characters; it has %(show_value)d."
            ),
        },
    )

    def __init__(self, *args, language=ENGLISH, **kwargs):
        super().__init__(*args, **kwargs)
        if language == SPANISH:
            # Written in Spanish whatever the page's language: spell checkers and screen
            # readers follow the field's lang.
            self.fields["text"].label = _("Your quote in Spanish")
            self.fields["text"].widget.attrs["lang"] = SPANISH


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the therapist"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell the therapist what to change.")},
    )


class InvitationForm(forms.Form):
    """One email address per selected therapist, for the admin's invitation action, and
    for an account already in use, the confirmation that it may move to a new address."""

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        self.therapists = list(therapists)
        for therapist in self.therapists:
            user = therapist.user
            self.fields[f"email_{therapist.pk}"] = forms.EmailField(
                label=_("Email for %(name)s") % {"name": therapist.display_name},
                initial=user.email if user else therapist.email,
            )
            # Never for a staff account: no invitation may move one (therapists.invitations).
            if user is not None and in_use(user) and not is_staff_account(user):
                self.fields[f"change_address_{therapist.pk}"] = forms.BooleanField(
                    required=False,
                    label=_(
                        "%(name)s already signs in as %(email)s. If the address above is "
                        "new, move their sign-in to it (%(email)s is told)."
                    )
                    % {"name": therapist.display_name, "email": user.email},
                )

    def clean(self):
        cleaned_data = super().clean()
        for therapist in self.therapists:
            confirm = f"change_address_{therapist.pk}"
            email = cleaned_data.get(f"email_{therapist.pk}")
            if confirm not in self.fields or not email or cleaned_data.get(confirm):
                continue  # no account in use, an invalid address, or confirmed
            if email.strip().lower() != therapist.user.email.lower():
                self.add_error(
                    confirm,
                    _(
                        "%(email)s is a new address for %(name)s, who already signs in "
                        "as %(old)s. Tick this box to move their sign-in, or give %(old)s."
                    )
                    % {
                        "email": email,
                        "name": therapist.display_name,
                        "old": therapist.user.email,
                    },
                )
        return cleaned_data

    def invitations(self):
        """(therapist, email, change_address) for each therapist, after validation."""
        return [
            (
                t,
                self.cleaned_data[f"email_{t.pk}"],
                self.cleaned_data.get(f"change_address_{t.pk}", False),
            )
            for t in self.therapists
        ]


class VerifyLicenseForm(forms.Form):
    source = forms.URLField(
        label=_("State board lookup page that shows the license"),
        max_length=500,
        assume_scheme="https",
        error_messages={"required": _("Give the address where you checked the license.")},
    )


class IdentityCheckForm(forms.Form):
    identity_check = forms.CharField(
        label=_("How you confirmed the claimant holds this license"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "License numbers are public, so the number proves nothing alone. Reach the "
            "licensee through the contact their state board lists (not one the claimant "
            "gave), e.g. \u201cEmailed the address on the board's record; they confirmed.\u201d"
        ),
        error_messages={"required": _("Say how you confirmed it is them.")},
    )


# The contact form carries the moment it was shown, signed, so a bot that posts at once is
# told apart from a person, who takes some seconds to write.
SHOWN_AT_SALT = "therapists.contact.shown-at"
# A form shown longer ago than this is refused too, so one signed moment is not reused for ever.
SHOWN_AT_MAX_AGE = 24 * 60 * 60


def shown_at_token(subject, now=None):
    """The signed moment a guarded form (SpamGuards) for `subject` was shown (`now`, a Unix
    time), with a random part, so that no two pages shown share a token (each sends once).
    `subject` is a listing (its contact form) or any JSON value naming the form."""
    moment = time.time() if now is None else now
    key = subject.pk if isinstance(subject, Therapist) else subject
    return signing.dumps([key, moment, secrets.token_hex(8)], salt=SHOWN_AT_SALT)


def form_token_hash(token):
    """What a message keeps of the token it was sent with: enough to refuse the token again."""
    return salted_hmac("therapists.contact.form-token", token).hexdigest()


class SpamGuards:
    """Form mixin for the public forms anyone may send (contact, join, claim), guarded
    without third parties: `website`, a honeypot people never see nor fill, and `shown_at`
    (shown_at_token for `shown_for`), refused when forged, stale or sent back within
    seconds, as programs do. check_spam_guards() sets `form_token`, the token's hash, and
    `shown_at`, the moment it names, for the form's limits (kit.limits.once), so that one
    page shown sends once."""

    shown_for = None  # the subject the page's token was made for (shown_at_token)

    def check_spam_guards(self):
        if self.data.get("website"):
            raise ValidationError(
                _(
                    "Not sent: the field marked “leave empty” had something in it, as when "
                    "a program fills in the form. Empty it and send again."
                ),
                code="spam",
            )
        token = self.data.get("shown_at", "")
        try:
            key, shown_at, _nonce = signing.loads(token, salt=SHOWN_AT_SALT)
        except (signing.BadSignature, TypeError, ValueError):
            key, shown_at = None, None
        if key != self.shown_for or not isinstance(shown_at, int | float):
            raise ValidationError(
                _("Not sent: the form came back changed. Check what you wrote, then send it."),
                code="tampered",
            )
        if time.time() - shown_at > SHOWN_AT_MAX_AGE:
            raise ValidationError(
                _("Not sent: this form was opened more than a day ago. Check it, then send it."),
                code="stale",
            )
        if time.time() - shown_at < settings.CONTACT_FORM_MIN_SECONDS:
            raise ValidationError(
                _(
                    "Not sent: the form came back within seconds of being shown, as it does "
                    "when a program fills it in. Wait a moment, check what you wrote, then "
                    "send it. If you sent it already, you need not send it again."
                ),
                code="too_fast",
            )
        self.form_token, self.shown_at = form_token_hash(token), shown_at


class ContactForm(SpamGuards, BoundsValues, forms.ModelForm):
    """A client's message to one therapist. Besides its fields it reads two that are not
    shown as fields: `website`, a honeypot that people never see nor fill, and `shown_at`
    (shown_at_token). Refused, with a message saying why: a filled honeypot, a form sent too
    soon after it was shown or carrying a forged or stale moment, the same text sent again,
    and a sender over the day's limits, per email address and per network (`network`, as
    kit.clients names it), all counted by kit.limits."""

    for_whom = forms.ChoiceField(
        label=_("The help is for"),
        choices=ContactMessage.Recipient.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the help is for you or for someone else.")},
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": _(
                "Tick the box to agree that we pass your message on; without it we cannot send it."
            )
        },
    )

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "phone", "for_whom", "text"]
        labels = {
            "name": _("Your name"),
            "email": _("Your email address"),
            "phone": _("Your phone number (optional)"),
            "text": _("Your message"),
        }
        help_texts = {
            "email": _("The therapist replies to this address."),
            "phone": _("Only if you would like a call back."),
            "text": interpolate_lazy(
                _(
                    "Up to %(limit)s characters. What you would like help with, and when you "
                    "are free, is enough to start; you need not give details of your health."
                ),
                limit=MESSAGE_MAX_LENGTH,
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }
        error_messages = {
            "name": {"required": _("Give your name, so the therapist knows who wrote.")},
            "email": {
                "required": _("Give your email address: the therapist replies to it."),
                "invalid": _("Enter an email address like name@example.org."),
            },
            "text": {
                "required": _("Write your message."),
                "max_length": _(
                    "Keep your message to %(limit_value)d characters; it has %(show_value)d."
                ),
            },
        }

    def __init__(self, *args, therapist, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.therapist, self.network = therapist, network
        self.shown_for = therapist.pk
        self.fields["phone"].validators.append(PHONE_NUMBER)
        self.fields["consent"].label = _(
            "I agree that the directory passes my message and contact details to %(name)s"
        ) % {"name": therapist.display_name}
        # A sentence, which the checkbox comes before: no colon after it.
        self.fields["consent"].label_suffix = ""

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data  # not to be stored anyway: the guards need not speak yet
        self.check_spam_guards()
        self.check_limits(cleaned_data["email"], cleaned_data["text"])
        return cleaned_data

    def check_limits(self, email, text):
        """Counts the message against its limits (kit.limits), or refuses it: the page sent
        already, the same text to this therapist from this address today (Back, then Send:
        the page fetched again, with a new token), or a limit reached."""
        refused = limits.authorize_contact_message(
            email=email,
            network=self.network,
            listing=self.therapist.pk,
            text=text,
            form_token=self.form_token,
            shown_at=self.shown_at,
        )
        if refused in {limits.SENT, "contact.copy"}:
            raise self.already_sent()
        if refused == "contact.email":
            raise ValidationError(
                _(
                    "Not sent: %(limit)s messages have been sent from this email address in "
                    "the last day, the most we take. Your message is kept below; please "
                    "send it tomorrow."
                ),
                code="limit",
                params={"limit": settings.CONTACT_MESSAGES_PER_EMAIL},
            )
        if refused == "contact.network":
            raise ValidationError(
                _(
                    "Not sent: many messages have been sent from your network in the last "
                    "day, the most we take. Your message is kept below; please send it "
                    "tomorrow."
                ),
                code="limit",
            )

    @staticmethod
    def already_sent():
        return ValidationError(
            _(
                "This message was already sent: you need not send it again. To write "
                "something else, open the contact page again."
            ),
            code="already_sent",
        )

    def save(self, commit=True):
        """The message, stored if `commit`; None, with the form's error saying why, if
        another send of the same form got there first (the token's constraint: a second
        guard behind the limit that lets one page send once)."""
        message = super().save(commit=False)
        message.therapist = self.therapist
        message.consented_at = timezone.now()
        message.form_token = self.form_token
        if commit:
            try:
                with transaction.atomic():
                    message.save()
            except IntegrityError:
                if not ContactMessage.objects.filter(form_token=self.form_token).exists():
                    raise  # not the token's constraint: a real failure
                self.add_error(None, self.already_sent())
                return None
        return message


def license_key(number):
    """A license number as compared: without case, spaces or dashes ("ab-12 3" is "AB123")."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", number).casefold()


class LimitedRequestForm(SpamGuards, BoundsValues, forms.Form):
    """A join or claim form: SpamGuards, and limits a day on what it sends (kit.limits),
    counted by the canonical address given and the sender's network (`network`, as
    kit.clients names it)."""

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network

    def clean_email(self):
        try:
            return clean_address(self.cleaned_data["email"])
        except InvitationError:
            raise ValidationError(
                _("Enter one email address like name@example.org."), code="invalid"
            ) from None

    def check_limits(self, counted, refusals):
        """Counts this request against the `counted` limits, all or none; refused with
        `refusals[name]` for the limit that refuses, or as a page sent already."""
        refused = limits.first_refused(*counted)
        if refused == limits.SENT:
            raise ValidationError(
                _(
                    "This form was sent already: you need not send it again. To send "
                    "it once more, open the page again."
                ),
                code="already_sent",
            )
        if refused:
            raise ValidationError(refusals[refused], code="limit")

    @staticmethod
    def network_over_limit():
        return _(
            "Not sent: many requests have come from your network today, the most we "
            "take. What you wrote is kept below; please send it tomorrow."
        )


class CityChoiceField(forms.TypedChoiceField):
    """A city, chosen from a list grouped by state; cleaned to its id."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)

    def offer_cities(self):
        states = dict(USState.choices)
        groups = {}
        for pk, name, state in City.objects.order_by("state", "name").values_list(
            "pk", "name", "state"
        ):
            groups.setdefault(states.get(state, state), []).append((pk, f"{name}, {state}"))
        self.choices = [("", _("Choose your city")), *groups.items()]


class JoinForm(LimitedRequestForm):
    """A therapist not yet listed asks to be: what the listing starts with. Sending it
    emails a link that confirms the address (joining.send_confirmation); nothing is stored
    but the request's count."""

    shown_for = "join"

    display_name = forms.CharField(
        label=_("Your name, as clients will see it"),
        max_length=200,
        help_text=_("A person's name or a group practice's name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give the name your listing will show.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("You will sign in with it. We send a link to it, to confirm it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Give your email address: we send the link to confirm it there."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    credential = forms.ModelChoiceField(
        label=_("Your credential"),
        queryset=Credential.objects.all(),
        empty_label=_("Choose your credential"),
        error_messages={
            "required": _("Choose the credential your license is for."),
            "invalid_choice": _("Choose a credential from the list."),
        },
    )
    license_state = forms.ChoiceField(
        label=_("State of your license"),
        choices=[("", _("Choose a state")), *USState.choices],
        error_messages={
            "required": _("Choose the state that issued your license."),
            "invalid_choice": _("Choose a state from the list."),
        },
    )
    license_number = forms.CharField(
        label=_("License number"),
        max_length=License._meta.get_field("number").max_length,
        help_text=_("As the state board shows it. Staff check it before your listing is public."),
        error_messages={"required": _("Give your license number: staff verify it.")},
    )
    city = CityChoiceField(
        label=_("City where you practise"),
        help_text=_("Seeing clients online only? The city you practise from."),
        error_messages={
            "required": _("Choose the city where you practise."),
            "invalid_choice": _("Choose a city from the list."),
        },
    )
    modalities = CheckedIdsField(
        label=_("Kinds of therapy you practise"),
        queryset=Modality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one kind of therapy you practise."),
            "invalid_choice": _("Tick kinds of therapy from the list."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].offer_cities()
        self.fields["modalities"].queryset = Modality.objects.published()

    def clean_display_name(self):
        # A name is one line: a line break typed or forged into it would follow the name
        # into pages and emails. Invisible and fullwidth characters are folded, and a word
        # in two look-alike alphabets refused, so that a join cannot disguise a listed name
        # from the review (therapists.review_joins).
        name = plain_name(self.cleaned_data["display_name"])
        mixed = word_mixing_alphabets(name)
        if mixed:
            raise ValidationError(
                _(
                    "Write each word of the name in one alphabet: “%(word)s” mixes letters "
                    "of two that look alike (as text pasted from elsewhere can). Type it again."
                ),
                code="mixed_alphabets",
                params={"word": mixed},
            )
        return name

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        self.check_spam_guards()
        counted = limits.join_limits(
            email=cleaned_data["email"],
            network=self.network,
            form_token=self.form_token,
            shown_at=self.shown_at,
        )
        refusals = {
            "join.email": _(
                "Not sent: we have sent as many links to this address today as we send "
                "in a day. Check your email for the ones sent, or try again tomorrow."
            ),
            "join.network": self.network_over_limit(),
        }
        self.check_limits(counted, refusals)
        return cleaned_data


class ClaimForm(LimitedRequestForm):
    """Someone asks to manage an unclaimed listing, proving it is theirs by a link sent to
    the listing's private address (offered only when it has one), by a license number of
    the listing's, or, when it has none, by the claimant's license number for staff to look
    up with the state board. Staff approve every claim before any account is linked."""

    BY_LINK, BY_NUMBER, TO_CHECK = "link", "number", "to_check"
    TO_CHECK_LABEL = _(
        "Give your license number: staff check it with your state board before linking the listing"
    )

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "Where staff write to you about the claim, and the address you will sign in with."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Give your email address: staff write to you there."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    proof = forms.ChoiceField(
        label=_("How you show it is your listing"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you show it is your listing."),
            "invalid_choice": _("Choose one of the ways offered."),
        },
    )
    license_state = forms.ChoiceField(
        label=_("State of your license"),
        required=False,
        choices=[("", _("Choose a state")), *USState.choices],
        error_messages={"invalid_choice": _("Choose a state from the list.")},
    )
    license_number = forms.CharField(
        label=_("A license number of this listing"),
        required=False,
        max_length=License._meta.get_field("number").max_length,
        help_text=_(
            "Only if you chose the license number above. Case, spaces and dashes do not matter."
        ),
    )

    def __init__(self, *args, therapist, **kwargs):
        super().__init__(*args, **kwargs)
        self.therapist = therapist
        self.shown_for = ["claim", therapist.pk]
        # A number is matched at once where the listing has one to compare; without one
        # (the seeded listings: we invent no numbers for real people), staff look it up.
        choices = []
        if therapist.contact_email:
            choices.append((self.BY_LINK, _("Send a link to the listing's private email address")))
        if therapist.has_license_number:
            choices.append((self.BY_NUMBER, _("I give a license number of this listing")))
            del self.fields["license_state"]
        else:
            choices.append((self.TO_CHECK, self.TO_CHECK_LABEL))
            self.offer_number_to_check()
        self.fields["proof"].choices = choices
        if len(choices) == 1:
            self.fields["proof"].initial = choices[0][0]  # the one way: chosen already

    def offer_number_to_check(self):
        number = self.fields["license_number"]
        number.label = _("Your license number")
        number.help_text = _(
            "Only if you chose to give your license number above. As the state board shows it."
        )
        licenses = self.therapist.licenses.all()
        self.fields["license_state"].initial = licenses[0].state if licenses else ""

    @property
    def by_number(self):
        """A license number given, matched at once or checked by staff."""
        return self.cleaned_data.get("proof") in {self.BY_NUMBER, self.TO_CHECK}

    def clean(self):
        cleaned_data = super().clean()
        if self.by_number and not cleaned_data.get("license_number", "").strip():
            self.add_error(
                "license_number",
                ValidationError(_("Give the license number."), code="required"),
            )
        state_missing = not cleaned_data.get("license_state", "x")  # x: a choice refused
        if cleaned_data.get("proof") == self.TO_CHECK and state_missing:
            self.add_error(
                "license_state",
                ValidationError(_("Choose the state that issued your license."), code="required"),
            )
        if self.errors:
            return cleaned_data
        self.check_spam_guards()
        # Counted before any answer, "already waiting" included: no one learns, without
        # limit, whether an address has a claim waiting.
        self.check_claim_limits()
        if pending_claim(self.therapist, cleaned_data["email"]).exists():
            raise already_waiting()
        return cleaned_data

    def check_claim_limits(self):
        request = {
            "listing": self.therapist.pk,
            "network": self.network,
            "form_token": self.form_token,
            "shown_at": self.shown_at,
        }
        if self.by_number:
            # A number for staff to check counts as a number tried, as one matched at once.
            tried_enough = _(
                "Not checked: as many license numbers have been tried today as we "
                "check in a day. Try again tomorrow, or ask for a link instead if "
                "the listing offers one."
            )
            refusals = {"claim.number.network": tried_enough, "claim.number.listing": tried_enough}
            to_check = self.cleaned_data["proof"] == self.TO_CHECK
            counted = limits.claim_check_limits if to_check else limits.claim_number_limits
            self.check_limits(counted(**request), refusals)
            return
        refusals = {
            "claim.link.listing": _(
                "Not sent: we have sent as many links to this listing's address today as "
                "we send in a day. Check that inbox, or try again tomorrow."
            ),
            "claim.link.network": self.network_over_limit(),
        }
        self.check_limits(limits.claim_link_limits(**request), refusals)

    def evidence(self):
        """The claim's evidence and the license given, as the Application keeps them."""
        number = self.cleaned_data["license_number"].strip()
        if self.cleaned_data["proof"] == self.TO_CHECK:
            state = self.cleaned_data["license_state"]
            evidence = Application.Evidence.LICENSE_TO_CHECK
            return {"evidence": evidence, "license_number": number, "license_state": state}
        return {"evidence": Application.Evidence.LICENSE_NUMBER, "license_number": number}

    def number_matches(self):
        """Whether the number given is the listing's; a number for staff to check is not
        matched here."""
        if self.cleaned_data["proof"] == self.TO_CHECK:
            return True
        given = license_key(self.cleaned_data["license_number"])
        numbers = self.therapist.licenses.exclude(number="").values_list("number", flat=True)
        return bool(given) and any(license_key(number) == given for number in numbers)

    def wrong_number(self):
        self.add_error(
            "license_number",
            ValidationError(
                _(
                    "This number matches none of this listing's licenses. Check it against "
                    "your license (case, spaces and dashes do not matter)."
                ),
                code="wrong",
            ),
        )


def pending_claim(therapist, email):
    return Application.objects.pending().filter(
        kind=Application.Kind.CLAIM, therapist=therapist, email__iexact=email
    )


def already_waiting():
    return ValidationError(
        _(
            "A claim of this listing from this address is already waiting for staff: you "
            "need not send another. We will email you when it is decided."
        ),
        code="already_waiting",
    )


class PhotoForm(forms.Form):
    """A photo for the listing, checked and made square as it is cleaned (self.square);
    therapists.photo_views stores it. Its own form on the edit page: saving the listing
    never touches the photo, nor the photo the listing."""

    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": photos.ACCEPT}),
        error_messages={"required": _("Choose a photo to send.")},
    )

    def __init__(self, *args, too_big=False, refusal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        if too_big:
            refusal = photos.too_big_message()
        field = self.fields["photo"]
        field.help_text = (
            _(
                "A JPEG, PNG or WebP file up to %(megabytes)s MB, at least %(pixels)s pixels "
                "on each side. It is cropped to a square from its centre, and its hidden "
                "details (where and when it was taken) are removed."
            )
            % photos.limits()
        )
        if refusal:
            # The file was dropped as it arrived (photos.PhotoSizeLimit), or refused before
            # it was read: the field is empty, and this is why.
            field.error_messages = {**field.error_messages, "required": refusal}

    def storage_failed(self):
        self.add_error(
            "photo",
            ValidationError(
                _(
                    "Your photo could not be stored just now; nothing was kept. Please send "
                    "it again in a few minutes."
                ),
                code="storage_failed",
            ),
        )

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        try:
            self.square = photos.square_image(upload)
        except photos.PhotoRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload

import copy
import secrets
import time
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
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

from modalities.forms import (
    BoundsValues,
    KeepsUnofferedRelations,
    RefusesStaleSave,
    SavesOwnChanges,
    Version,
)
from therapists import photos
from therapists.invitations import in_use, is_staff_account
from therapists.models import MESSAGE_MAX_LENGTH, QUOTE_MAX_LENGTH, ContactMessage, Therapist

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


class InviteeAwarePasswordResetForm(BoundsValues, PasswordResetForm):
    """Also sends a link to an invited therapist who never set a password, so an expired
    invitation can be renewed from the login page."""

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, **options):
        """The link leads to SITE_URL: the request's Host header is whatever the sender
        wrote, and a reset link to their host would hand them the token."""
        site = urlsplit(settings.SITE_URL)
        super().save(
            **{**options, "domain_override": site.netloc, "use_https": site.scheme == "https"}
        )


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
        label=_("About"),
        required=False,
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BIO_MAX_LENGTH}),
        help_text=_("Plain text, up to %(limit)s characters.") % {"limit": BIO_MAX_LENGTH},
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

    class Meta:
        model = Therapist
        fields = [
            "pronouns",
            "headline",
            "bio",
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
        labels = {"contact_email": _("Private email for message notices")}
        help_texts = {
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
        help_text=_(
            "Plain text, up to %(limit)s characters: how you practise this approach and "
            "who it helps. Staff review it before it goes live."
        )
        % {"limit": QUOTE_MAX_LENGTH},
        error_messages={
            "required": _("Write your quote before you preview or submit it."),
            "max_length": _(
                "Keep your quote to %(limit_value)d characters; it has %(show_value)d."
            ),
        },
    )


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


# The contact form carries the moment it was shown, signed, so a bot that posts at once is
# told apart from a person, who takes some seconds to write.
SHOWN_AT_SALT = "therapists.contact.shown-at"
# A form shown longer ago than this is refused too, so one signed moment is not reused for ever.
SHOWN_AT_MAX_AGE = 24 * 60 * 60


def shown_at_token(therapist, now=None):
    """The signed moment a contact form for this listing was shown (`now`, a Unix time),
    with a random part, so that no two pages shown share a token (each sends one message)."""
    moment = time.time() if now is None else now
    return signing.dumps([therapist.pk, moment, secrets.token_hex(8)], salt=SHOWN_AT_SALT)


def form_token_hash(token):
    """What a message keeps of the token it was sent with: enough to refuse the token again."""
    return salted_hmac("therapists.contact.form-token", token).hexdigest()


class ContactForm(BoundsValues, forms.ModelForm):
    """A client's message to one therapist. Besides its fields it reads two that are not
    shown as fields: `website`, a honeypot that people never see nor fill, and `shown_at`
    (shown_at_token). Refused, with a message saying why: a filled honeypot, a form sent too
    soon after it was shown or carrying a forged or stale moment, and a sender over the day's
    limits, per email address and per network address (`address`, as the view names it)."""

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
            "text": _(
                "Up to %(limit)s characters. What you would like help with, and when you are "
                "free, is enough to start; you need not give details of your health."
            )
            % {"limit": MESSAGE_MAX_LENGTH},
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

    def __init__(self, *args, therapist, address, **kwargs):
        super().__init__(*args, **kwargs)
        self.therapist, self.address = therapist, address
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
        if self.data.get("website"):
            raise ValidationError(
                _(
                    "Not sent: the field marked “leave empty” had something in it, as when "
                    "a program fills in the form. Empty it and send again."
                ),
                code="spam",
            )
        self.check_shown_at()
        self.check_limits(cleaned_data["email"], cleaned_data["text"])
        return cleaned_data

    def check_shown_at(self):
        token = self.data.get("shown_at", "")
        try:
            pk, shown_at, _nonce = signing.loads(token, salt=SHOWN_AT_SALT)
        except (signing.BadSignature, TypeError, ValueError):
            pk, shown_at = None, None
        if pk != self.therapist.pk or not isinstance(shown_at, int | float):
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
        self.form_token = form_token_hash(token)

    def check_limits(self, email, text):
        by_email, by_address, already = ContactMessage.objects.sent_today(
            email, self.address, self.form_token, self.therapist, text
        )
        if already:
            raise self.already_sent()
        if by_email >= settings.CONTACT_MESSAGES_PER_EMAIL:
            raise ValidationError(
                _(
                    "Not sent: %(limit)s messages have been sent from this email address in "
                    "the last day, the most we take. Your message is kept below; please "
                    "send it tomorrow."
                ),
                code="limit",
                params={"limit": settings.CONTACT_MESSAGES_PER_EMAIL},
            )
        if by_address >= settings.CONTACT_MESSAGES_PER_ADDRESS:
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
        another send of the same form got there first (between clean() and now)."""
        message = super().save(commit=False)
        message.therapist = self.therapist
        message.consented_at = timezone.now()
        message.sender_address = self.address
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


class PhotoForm(forms.Form):
    """A photo for the listing, checked and made square as it is cleaned (self.square);
    therapists.photo_views stores it. Its own form on the edit page: saving the listing
    never touches the photo, nor the photo the listing."""

    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": photos.ACCEPT}),
        error_messages={"required": _("Choose a photo to send.")},
    )

    def __init__(self, *args, too_big=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        field = self.fields["photo"]
        field.help_text = (
            _(
                "A JPEG, PNG or WebP file up to %(megabytes)s MB, at least %(pixels)s pixels "
                "on each side. It is cropped to a square from its centre, and its hidden "
                "details (where and when it was taken) are removed."
            )
            % photos.limits()
        )
        if too_big:
            # The file was dropped as it arrived (photos.PhotoSizeLimit): the field is empty,
            # and this is why.
            field.error_messages = {**field.error_messages, "required": photos.too_big_message()}

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        try:
            self.square = photos.square_image(upload)
        except photos.PhotoRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload

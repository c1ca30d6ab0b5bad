"""Forms that lose nothing: each saves only the fields its user changed, and staff forms
refuse to save over a change made after they were opened. The mixins live here, in the
lowest app, so every app's forms can use them."""

import hashlib
import json
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.models import model_to_dict
from django.forms.utils import flatatt
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from modalities.models import AgeGroup, Concern, Format, Modality

# The longest value taken by a field with no max_length of its own (a choice, a number, a
# checkbox): far more than any slug or number such a field expects.
INPUT_MAX_LENGTH = 100


class BoundedField(forms.BoundField):
    """A field of a BoundedForm."""

    def submitted(self):
        """The strings sent for this field as the field reads them: stripped, if it strips.
        Taken from the request, not the widget: a checkbox's widget turns any text into True.
        """
        data = self.form.data
        values = data.getlist(self.html_name) if hasattr(data, "getlist") else self.data
        values = values if isinstance(values, (list, tuple)) else [values]
        strip = getattr(self.field, "strip", False)
        return [value.strip() if strip else value for value in values if isinstance(value, str)]

    def length_error(self):
        """The error for a value longer than the field takes, or None."""
        limit = getattr(self.field, "max_length", None) or INPUT_MAX_LENGTH
        longest = max(map(len, self.submitted()), default=0)
        if longest <= limit:
            return None
        return ValidationError(
            # The field's own wording where it has one ("Enter your ZIP code as 5 digits").
            self.field.error_messages.get("max_length", MaxLengthValidator.message),
            code="max_length",
            params={"limit_value": limit, "show_value": longest},
        )

    def value(self):
        """What the input shows again: never a value longer than the field takes, nor the
        whitespace around one, which no limit bounds."""
        if not self.form.is_bound:
            return super().value()
        if self.length_error():
            return self.field.prepare_value(self.initial)
        value = super().value()
        if isinstance(value, str) and getattr(self.field, "strip", False):
            return value.strip()
        return value


class QuickSelect(forms.Select):
    """A select drawn in Python: Django's widget renders a template for each option, and
    the public forms' lists of states, kinds of therapy and languages have hundreds."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)


class BoundsValues:
    """Form mixin: a form that takes no value longer than its field allows (its max_length, else
    INPUT_MAX_LENGTH), whatever the kind of field, and never repeats such a value: not in
    its input, nor in an error that would quote it ("no option called ..."), which the
    length error replaces."""

    bound_field_class = BoundedField

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.fields:
            if error := self[name].length_error():
                self.errors.pop(name, None)
                self.add_error(name, error)


class BoundedForm(BoundsValues, forms.Form):
    pass


class KeepsUnofferedRelations(forms.ModelForm):
    """Saves each many-to-many field as the ticked rows plus the related rows it did not
    offer: a form showing only some choices (published modalities) cannot have been asked
    to remove the others, and removing them would lose what hangs on them (a live quote)."""

    def _save_m2m(self):
        many_to_many = {field.name for field in self.instance._meta.many_to_many}
        for name, field in self.fields.items():
            if name in many_to_many and name in self.cleaned_data:
                unoffered = getattr(self.instance, name).exclude(pk__in=field.queryset.values("pk"))
                self.cleaned_data[name] = [*self.cleaned_data[name], *unoffered]
        super()._save_m2m()


def as_text(value):
    """A field's value as a form shows or sends it, written one way (ids as text, lists in
    any order, a browser's CRLF line ends as LF)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "\x1f".join(sorted(as_text(item) for item in value))
    return str(value).replace("\r\n", "\n").strip()


def fingerprint(value):
    return hashlib.sha256(as_text(value).encode()).hexdigest()[:16]


def fingerprints(values):
    return {name: fingerprint(value) for name, value in values.items()}


class SavesOwnChanges(forms.ModelForm):
    """Knows which fields its user changed, and saves only those.

    The form carries a fingerprint of each field as it showed it (`shown_as`); a field whose
    sent value matches is one its user left alone, so the save does not write it back, and a
    change made meanwhile by someone else (staff, the therapist, another curator) survives.
    Save with update_fields=form.changed_columns(); save_m2m() writes only changed relations.
    """

    shown_as = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # From the initial values ModelForm has just read: no second read of the row.
            shown = {name: self[name].value() for name in self.model_field_names()}
            self.initial["shown_as"] = json.dumps(fingerprints(shown))

    def model_field_names(self):
        opts = self.instance._meta
        fields = [*opts.concrete_fields, *opts.many_to_many]
        return [f.name for f in fields if f.name in self.fields and not f.primary_key]

    def stored_values(self, instance):
        """What an unbound form shows of this row, field by field."""
        names = self.model_field_names()
        initial = model_to_dict(instance, fields=names)
        return {name: self.fields[name].prepare_value(initial.get(name)) for name in names}

    def shown(self):
        """{field: fingerprint} as the form was shown, or None if it did not say."""
        try:
            shown = json.loads(self.data.get(self.add_prefix("shown_as")) or "null")
        except (TypeError, ValueError):
            return None
        return shown if isinstance(shown, dict) else None

    def own_changes(self):
        """The fields its user changed from what the form showed; all if it cannot tell."""
        shown = self.shown()
        names = self.model_field_names()
        if shown is None or not self.instance.pk:
            return set(names)
        return {name for name in names if shown.get(name) != fingerprint(self[name].value())}

    def changed_columns(self):
        """The columns a save of this form may write: those changed, and auto_now stamps."""
        mine = self.own_changes()
        return [
            field.name
            for field in self.instance._meta.concrete_fields
            if field.name in mine or getattr(field, "auto_now", False)
        ]

    def save(self, commit=True):
        if not commit or not self.instance.pk or self.errors:
            return super().save(commit)  # which refuses a form with errors
        # What an inline formset calls: write the changed columns only.
        self.instance.save(update_fields=self.changed_columns())
        self._save_m2m()
        return self.instance

    def _save_m2m(self):
        mine = self.own_changes()
        for field in self.instance._meta.many_to_many:
            if field.name not in mine:
                self.cleaned_data.pop(field.name, None)
        super()._save_m2m()

    def show_stored(self, name, value):
        """Puts a stored value into the sent data, as the field's widget would have sent it."""
        key, widget = self.add_prefix(name), self.fields[name].widget
        if isinstance(widget, forms.MultiWidget):
            return
        if isinstance(value, list | tuple):
            self.data.setlist(key, [str(item) for item in value])
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                self.data[key] = "on"
            else:
                self.data.pop(key, None)
        else:
            self.data[key] = "" if value is None else str(value)


class Version(NamedTuple):
    token: str
    who: object  # who made it, where known
    when: object


class RefusesStaleSave(SavesOwnChanges):
    """Refuses to save over a change made after the form was opened.

    The form carries a token of the version it was based on; if the row moved on since,
    the save is refused and the other change named. The form is shown again with the other
    person's values in the fields its user left alone and its user's own changes kept, so
    saving again writes only those. Subclasses say what the version is (current_version).
    """

    # Long enough for an ISO timestamp (TherapistAdminForm), a history id for the rest.
    based_on_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def current_version(self):
        """The stored row's Version, or None if it has none to compare."""
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and (version := self.current_version()):
            self.initial["based_on_version"] = version.token

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk:
            return cleaned_data
        # Lock the row (PostgreSQL) so two saves cannot both pass this check; the admin
        # holds the lock until its save commits.
        stored = (
            type(self.instance)._default_manager.select_for_update().filter(pk=self.instance.pk)
        ).first()
        version = self.current_version()
        if stored is None or not version or cleaned_data.get("based_on_version") == version.token:
            return cleaned_data
        shown, mine = self.shown() or {}, self.own_changes()
        current = self.stored_values(stored)
        theirs = [name for name, value in current.items() if shown.get(name) != fingerprint(value)]
        self.data = self.data.copy()
        for name in theirs:
            if name not in mine:
                self.show_stored(name, current[name])
        # From now on the form stands for the version it shows.
        self.data[self.add_prefix("shown_as")] = json.dumps(fingerprints(current))
        self.data[self.add_prefix("based_on_version")] = version.token
        message = _(
            "Not saved: %(who)s changed this page at %(when)s, after you opened it. "
            "The form below now shows their changes, and keeps yours."
        )
        both = [self.fields[name].label for name in theirs if name in mine]
        if both:
            message += " " + _(
                "You both changed %(both)s: the form shows your version, and saving again "
                "replaces theirs."
            ) % {"both": get_text_list(both, _("and"))}
        else:
            message += " " + _("Check the form, then save again to make your changes.")
        raise ValidationError(
            message,
            params={
                "who": version.who or _("someone"),
                "when": formats.localize(timezone.localtime(version.when)),
            },
            code="stale",
        )


class RefusesStaleHistorySave(RefusesStaleSave):
    """The version of a model with django-simple-history: its latest historical record."""

    def current_version(self):
        history = type(self.instance).history
        latest = history.filter(id=self.instance.pk).order_by("-history_id").first()
        if latest is None:
            return None
        return Version(str(latest.history_id), latest.history_user, latest.history_date)


class ModalityAdminForm(RefusesStaleHistorySave):
    class Meta:
        model = Modality
        fields = [
            "name",
            "abbreviation",
            "slug",
            "is_published",
            "overview",
            "name_es",
            "overview_es",
            "typical_length",
            "typical_length_es",
            "formats",
            "age_groups",
            "concerns",
        ]


class ConcernAdminForm(RefusesStaleHistorySave):
    class Meta:
        model = Concern
        fields = ["name", "name_es", "slug"]


def name_admin_form(vocabulary_model, *extra):
    """The admin form of a named row of the vocabulary (Format, Credential...), in both
    languages, that saves only its own changes and refuses a stale save."""
    meta = type("Meta", (), {"model": vocabulary_model, "fields": ["name", "name_es", *extra]})
    return type(f"{vocabulary_model.__name__}AdminForm", (RefusesStaleHistorySave,), {"Meta": meta})


FormatAdminForm = name_admin_form(Format, "slug", "position")
AgeGroupAdminForm = name_admin_form(AgeGroup, "slug", "position")

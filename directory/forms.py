from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from modalities.models import Modality
from therapists.states import USState

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
            MaxLengthValidator.message,
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


class BoundedForm(forms.Form):
    """A form that takes no value longer than its field allows (its max_length, else
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


class HomeSearchForm(BoundedForm):
    """The home page's search; it sends the directory's own GET parameters."""

    modality = forms.ModelChoiceField(
        label=_("Kind of therapy"),
        queryset=Modality.objects.published(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any kind of therapy"),
    )
    near = forms.CharField(
        label=_("ZIP code"),
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    state = forms.ChoiceField(
        label=_("or state"), required=False, choices=[("", _("Any state")), *USState.choices]
    )

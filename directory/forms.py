from django import forms
from django.utils.translation import gettext_lazy as _

from modalities.forms import BoundedForm, QuickSelect
from modalities.models import Modality
from therapists.states import USState


class HomeSearchForm(BoundedForm):
    """The home page's search; it sends the directory's own GET parameters."""

    modality = forms.ModelChoiceField(
        label=_("Kind of therapy"),
        queryset=Modality.objects.published(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any kind of therapy"),
        widget=QuickSelect,
    )
    near = forms.CharField(
        label=_("ZIP code"),
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    state = forms.ChoiceField(
        label=_("or state"),
        required=False,
        choices=[("", _("Any state")), *USState.choices],
        widget=QuickSelect,
    )

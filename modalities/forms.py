from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from modalities.models import Modality


def latest_version(modality_pk):
    return Modality.history.filter(id=modality_pk).order_by("-history_id").first()


class ModalityAdminForm(forms.ModelForm):
    """Refuses to save over a change made after the form was opened.

    The form carries the id of the version it was based on; if another curator saved
    since, the save is refused, their change named, and this curator's text kept.
    """

    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Modality
        fields = [
            "name",
            "abbreviation",
            "slug",
            "is_published",
            "overview",
            "typical_length",
            "formats",
            "age_groups",
            "concerns",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and (latest := latest_version(self.instance.pk)):
            self.initial["based_on_version"] = latest.history_id

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk:
            return cleaned_data
        # Lock the row (PostgreSQL) so two saves cannot both pass this check.
        Modality.objects.select_for_update().filter(pk=self.instance.pk).exists()
        latest = latest_version(self.instance.pk)
        if latest and cleaned_data.get("based_on_version") != latest.history_id:
            # Saving again now is a deliberate choice to replace the other change.
            self.data = self.data.copy()
            self.data[self.add_prefix("based_on_version")] = latest.history_id
            raise ValidationError(
                _(
                    "Not saved: %(who)s changed this page at %(when)s, after you opened it. "
                    "Your text is still in the form below. Compare it with the current "
                    "version (open the page in a new tab, or see History), then save "
                    "again to replace their change with yours."
                ),
                params={
                    "who": latest.history_user or _("someone"),
                    "when": formats.localize(latest.history_date),
                },
                code="stale",
            )
        return cleaned_data

"""Forms that lose nothing: each saves only what it showed, and staff forms refuse to save
over a change made after they were opened. The mixins live here, in the lowest app, so
every app's forms can use them."""

from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from modalities.models import Concern, Modality


def own_columns(form):
    """The model columns a ModelForm shows, plus its auto_now timestamps: what its save may
    write (save(update_fields=...)), so a column changed elsewhere meanwhile survives."""
    return [
        field.name
        for field in form.instance._meta.concrete_fields
        if field.name in form.fields or getattr(field, "auto_now", False)
    ]


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


class Version(NamedTuple):
    token: str
    who: object  # who made it, where known
    when: object


class RefusesStaleSave(forms.ModelForm):
    """Refuses to save over a change made after the form was opened.

    The form carries a token of the version it was based on; if the row moved on since,
    the save is refused, the other change named, and this person's text kept in the form.
    Subclasses say what the version is (current_version).
    """

    # Long enough for two ISO timestamps (TherapistAdminForm), a history id for the rest.
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
        type(self.instance)._default_manager.select_for_update().filter(
            pk=self.instance.pk
        ).exists()
        version = self.current_version()
        if version and cleaned_data.get("based_on_version") != version.token:
            # Saving again now is a deliberate choice to replace the other change.
            self.data = self.data.copy()
            self.data[self.add_prefix("based_on_version")] = version.token
            raise ValidationError(
                _(
                    "Not saved: %(who)s changed this page at %(when)s, after you opened it. "
                    "Your text is still in the form below. Compare it with the current "
                    "version (open the page in a new tab, or see History), then save "
                    "again to replace their change with yours."
                ),
                params={
                    "who": version.who or _("someone"),
                    "when": formats.localize(version.when),
                },
                code="stale",
            )
        return cleaned_data


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
            "typical_length",
            "formats",
            "age_groups",
            "concerns",
        ]


class ConcernAdminForm(RefusesStaleHistorySave):
    class Meta:
        model = Concern
        fields = ["name", "slug"]

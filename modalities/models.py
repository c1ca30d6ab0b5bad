from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from modalities.translation import InLanguage, TranslatedFields, with_abbreviation


class Format(TranslatedFields, models.Model):
    """How sessions are held: individual, couples, family, group."""

    name = models.CharField(_("name"), max_length=60)
    name_es = models.CharField(_("name in Spanish"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, db_index=False)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="format_slug_unique")]

    def __str__(self):
        return self.translated("name")


class AgeGroup(TranslatedFields, models.Model):
    """Who sessions are for: children, teens, adults, older adults."""

    name = models.CharField(_("name"), max_length=60)
    name_es = models.CharField(_("name in Spanish"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, db_index=False)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("age group")
        constraints = [models.UniqueConstraint(fields=["slug"], name="agegroup_slug_unique")]

    def __str__(self):
        return self.translated("name")


class Concern(TranslatedFields, models.Model):
    """Something a person seeks help with: depression, grief, role transitions..."""

    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="concern_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="concern_name_unique"),
        ]

    def __str__(self):
        return self.translated("name")


class ModalityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


# Several screens of text; the database has no limit of its own on it.
OVERVIEW_MAX_LENGTH = 20_000


class Modality(TranslatedFields, models.Model):
    """A kind of therapy, and the text of its public page."""

    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)
    overview = models.TextField(
        _("overview"),
        max_length=OVERVIEW_MAX_LENGTH,
        help_text=_("Plain text. Separate paragraphs with a blank line."),
    )
    overview_es = models.TextField(
        _("overview in Spanish"),
        max_length=OVERVIEW_MAX_LENGTH,
        blank=True,
        help_text=_("Plain text. Separate paragraphs with a blank line. Empty: the English one."),
    )
    concerns = models.ManyToManyField(
        Concern, blank=True, related_name="modalities", verbose_name=_("used for")
    )
    typical_length = models.CharField(
        _("typical length"), max_length=120, blank=True, help_text=_('For example "12–16 weeks".')
    )
    typical_length_es = models.CharField(
        _("typical length in Spanish"),
        max_length=120,
        blank=True,
        help_text=_('For example "12 a 16 semanas".'),
    )
    formats = models.ManyToManyField(Format, blank=True, related_name="modalities")
    age_groups = models.ManyToManyField(
        AgeGroup, blank=True, related_name="modalities", verbose_name=_("ages")
    )
    is_published = models.BooleanField(_("published"), default=True)
    reviewed_on = models.DateField(
        _("reviewed on"), null=True, blank=True, help_text=_("Set when a curator saves the page.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ModalityQuerySet.as_manager()
    history = HistoricalRecords()

    translated_fields = ("name", "overview", "typical_length")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "modalities"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="modality_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="modality_name_unique"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("modalities:detail", kwargs={"slug": self.slug})

    @property
    def full_name(self):
        """'Interpersonal Therapy (IPT)' in the edition's language, or just the name when
        there is no abbreviation."""
        return with_abbreviation(self.translated("name"), self.abbreviation)

    @property
    def overview_paragraphs(self):
        """The edition's overview, a paragraph each, each knowing its language."""
        overview = self.translated("overview")
        paragraphs = overview.replace("\r\n", "\n").split("\n\n")
        return [InLanguage(p.strip(), overview.language) for p in paragraphs if p.strip()]


class Reference(models.Model):
    """A source a curator cites on a modality page."""

    modality = models.ForeignKey(Modality, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["modality", "position", "id"]

    def __str__(self):
        return self.title


class ContentVersion(models.Model):
    """One row: a number that moves each time something the public sees changes.

    Part of every cache key (modalities.versioned_cache). It lives in the database, the
    truth, so an edit is recorded even when the cache cannot be reached, and every process
    sees it.
    """

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("content version")

    def __str__(self):
        return str(self.number)

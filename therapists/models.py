from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Mod
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from modalities.models import Concern, Modality
from therapists.states import USState


class Credential(models.Model):
    """A kind of license: "Licensed Clinical Social Worker" (LCSW)."""

    name = models.CharField(_("name"), max_length=120)
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="credential_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="credential_name_unique"),
        ]

    def __str__(self):
        return self.name


class Language(models.Model):
    """A language a therapist offers sessions in."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, db_index=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="language_slug_unique")]

    def __str__(self):
        return self.name


class City(models.Model):
    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    # "los-angeles-ca": the city's name and state, so one slug names one place.
    slug = models.SlugField(_("slug"), max_length=140, db_index=False)

    class Meta:
        ordering = ["name", "state"]
        verbose_name_plural = "cities"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="city_slug_unique"),
            models.UniqueConstraint(fields=["state", "name"], name="city_name_per_state_unique"),
        ]

    def __str__(self):
        return f"{self.name}, {self.state}"


def signature_prefetches(prefix=""):
    """What Therapist.signature reads, to load with the therapists (prefix: "therapist__")."""
    return [
        Prefetch(
            f"{prefix}licenses",
            queryset=License.objects.filter(is_primary=True).select_related("credential"),
            to_attr="primary_licenses",
        ),
        Prefetch(
            f"{prefix}locations",
            queryset=Location.objects.filter(is_primary=True).select_related("city"),
            to_attr="primary_locations",
        ),
    ]


class TherapistQuerySet(models.QuerySet):
    def listed(self):
        """What the public may see; every public page starts here."""
        return self.filter(is_listed=True)

    def practising(self, modality):
        return self.filter(modalities=modality)

    def in_city(self, city):
        # EXISTS rather than a join, so a therapist with two offices appears once.
        return self.filter(Exists(Location.objects.filter(therapist=OuterRef("pk"), city=city)))

    def in_state(self, state):
        return self.filter(
            Exists(Location.objects.filter(therapist=OuterRef("pk"), city__state=state))
        )

    def with_signature(self):
        """Loads the primary license and location in two queries, whatever the page size."""
        return self.prefetch_related(*signature_prefetches())


class Therapist(models.Model):
    """A listing: one person or a group practice."""

    display_name = models.CharField(
        _("name"), max_length=200, help_text=_("A person's name or a group practice's name.")
    )
    slug = models.SlugField(_("slug"), max_length=220, db_index=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="therapist",
        help_text=_("The account that may edit this listing."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    headline = models.CharField(
        _("headline"),
        max_length=200,
        blank=True,
        help_text=_("One sentence shown on the card in the directory."),
    )
    bio = models.TextField(_("about"), blank=True)
    modalities = models.ManyToManyField(
        Modality, blank=True, related_name="therapists", verbose_name=_("modalities practised")
    )
    concerns = models.ManyToManyField(
        Concern, blank=True, related_name="therapists", verbose_name=_("concerns treated")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="therapists", verbose_name=_("languages")
    )
    telehealth = models.BooleanField(_("offers telehealth"), default=False)
    accepting_new_clients = models.BooleanField(_("accepting new clients"), default=True)
    accepting_confirmed_on = models.DateField(
        _("accepting new clients confirmed on"), null=True, blank=True
    )
    session_fee = models.PositiveIntegerField(_("fee per session (USD)"), null=True, blank=True)
    sliding_scale = models.BooleanField(_("sliding scale available"), default=False)
    email = models.EmailField(_("public email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_listed = models.BooleanField(
        _("listed"), default=True, help_text=_("Unlisted therapists appear on no public page.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TherapistQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="therapist_slug_unique"),
        ]
        indexes = [
            # The directory's default order over the public listings.
            models.Index(
                fields=["display_name", "id"],
                condition=Q(is_listed=True),
                name="therapist_listed_name_idx",
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("therapists:profile", kwargs={"slug": self.slug})

    @property
    def initials(self):
        """Up to two letters standing in for a photo: 'SS' for Steven Su."""
        words = [w for w in self.display_name.split() if w[:1].isalpha()]
        return "".join(w[0] for w in words[:2]).upper()

    def _primary(self, relation):
        """The primary row of licenses or locations, from whichever prefetch loaded it.

        with_signature() loads just the primary rows, a profile loads them all; without
        either, this costs a query per call.
        """
        if hasattr(self, f"primary_{relation}"):
            return next(iter(getattr(self, f"primary_{relation}")), None)
        loaded = getattr(self, "_prefetched_objects_cache", {}).get(relation)
        if loaded is None:
            loaded = getattr(self, relation).filter(is_primary=True)
        return next((row for row in loaded if row.is_primary), None)

    @property
    def primary_license(self):
        return self._primary("licenses")

    @property
    def primary_location(self):
        return self._primary("locations")

    @property
    def signature(self):
        """'Steven Su, Licensed Clinical Social Worker in Fullerton, CA', as on the seed page."""
        text = self.display_name
        if license := self.primary_license:
            text += f", {license.credential.name}"
        if location := self.primary_location:
            text += f" in {location.city}"
        return text


class License(models.Model):
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="licenses")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="licenses")
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    number = models.CharField(_("license number"), max_length=40, blank=True)
    is_primary = models.BooleanField(
        _("primary"), default=False, help_text=_("Shown in the signature under quotes.")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist"],
                condition=Q(is_primary=True),
                name="license_one_primary_per_therapist",
            ),
        ]

    def __str__(self):
        return f"{self.credential} ({self.state})"


class Location(models.Model):
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="locations")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="locations")
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    is_primary = models.BooleanField(
        _("primary"), default=False, help_text=_("Shown in the signature under quotes.")
    )

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist"],
                condition=Q(is_primary=True),
                name="location_one_primary_per_therapist",
            ),
        ]
        indexes = [
            # The city filter's EXISTS probe answers from this index alone.
            models.Index(fields=["city", "therapist"], name="location_city_therapist_idx"),
        ]

    def __str__(self):
        return str(self.city)


# A prime: multiplying ids by a daily factor modulo it shuffles them afresh each day,
# and the products stay well inside 64-bit integers on every database.
ROTATION_MODULUS = 2_147_483_647


class QuoteQuerySet(models.QuerySet):
    def live(self):
        """Approved text of listed therapists: what a modality page may show."""
        return self.exclude(text="").filter(therapist__is_listed=True)

    def daily_sample(self, day, size):
        """A fair sample that changes each day and is stable within it."""
        # Spread consecutive days far apart so even small ids wrap the modulus.
        factor = day.toordinal() * 2_654_435_761 % (ROTATION_MODULUS - 1) + 1
        return (
            self.select_related("therapist")
            .prefetch_related(*signature_prefetches("therapist__"))
            .order_by(Mod(models.F("id") * factor, ROTATION_MODULUS), "id")[:size]
        )


class Quote(models.Model):
    """What a therapist says about how they practise one modality.

    The live text and a submitted draft are kept apart, so a draft waiting for review
    never takes the live quote down and a refused draft loses nothing.
    """

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="quotes")
    modality = models.ForeignKey(Modality, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(_("live text"), blank=True)
    draft = models.TextField(_("draft waiting for review"), blank=True)
    draft_submitted_at = models.DateTimeField(_("draft submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["modality", "therapist"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "modality"], name="quote_one_per_therapist_modality"
            ),
        ]
        indexes = [
            models.Index(
                fields=["modality", "id"], condition=~Q(text=""), name="quote_live_by_modality_idx"
            ),
        ]

    def __str__(self):
        return f"{self.therapist} on {self.modality.name}"

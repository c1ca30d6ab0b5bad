import calendar
import datetime
import hashlib
import math
import operator
import statistics
import unicodedata
from functools import reduce

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Mod, Sqrt, Substr
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from modalities.models import AgeGroup, Concern, Format, Modality
from modalities.translation import (
    ENGLISH,
    SPANISH,
    TEXT_LANGUAGES,
    InLanguage,
    TranslatedFields,
    edition_language,
    in_edition,
)
from therapists.states import USState


class Credential(TranslatedFields, models.Model):
    """A kind of license: "Licensed Clinical Social Worker" (LCSW)."""

    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="credential_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="credential_name_unique"),
        ]

    def __str__(self):
        return self.translated("name")


class Language(TranslatedFields, models.Model):
    """A language a therapist offers sessions in."""

    name = models.CharField(_("name"), max_length=60)
    name_es = models.CharField(_("name in Spanish"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, db_index=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="language_slug_unique")]

    def __str__(self):
        return self.translated("name")


class InsurancePlan(models.Model):
    """A health plan a therapist accepts."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, db_index=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="insuranceplan_slug_unique")]

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non-binary", _("Non-binary")


def searchable(text):
    """Lower case without accents: 'José Núñez' and 'jose nunez' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class City(models.Model):
    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    # "los-angeles-ca": the city's name and state, so one slug names one place.
    slug = models.SlugField(_("slug"), max_length=140, db_index=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["name", "state"]
        verbose_name_plural = "cities"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="city_slug_unique"),
            models.UniqueConstraint(fields=["state", "name"], name="city_name_per_state_unique"),
        ]
        indexes = [
            # The bounding box of a ZIP + radius search.
            models.Index(fields=["latitude", "longitude"], name="city_coordinates_idx"),
        ]

    def __str__(self):
        return f"{self.name}, {self.state}"

    def get_absolute_url(self):
        return self.landing_url()

    def landing_url(self, modality_slug=None):
        """/therapists/ca/los-angeles/, or with a modality its page in the city."""
        kwargs = {"state": self.state.lower(), "city": self.path_name}
        if modality_slug:
            return reverse("therapists:city_modality", kwargs={**kwargs, "modality": modality_slug})
        return reverse("therapists:city", kwargs=kwargs)

    @property
    def path_name(self):
        """'los-angeles' for the landing page /therapists/ca/los-angeles/."""
        return self.slug.removesuffix(f"-{self.state.lower()}")


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


# Sent after bulk UPDATEs, which send no post_save: public pages showing the rows are stale.
# `therapist_ids` names the listings whose rows changed (the search index re-reads them).
rows_updated = Signal()

# "Accepting new clients" counts as current for this long after the therapist confirms it.
ACCEPTING_FRESH_DAYS = 90
# A listing saying it accepts new clients is asked to confirm this often: a month before
# its confirmation stops counting as fresh, so one click keeps it current.
ACCEPTING_REMINDER_DAYS = 60
EARTH_RADIUS_MILES = 3958.8
# The smallest modulus of the day's shuffle; tests and a new site start below it.
MIN_ROTATION_MODULUS = 10_007


def accepting_fresh_since():
    return timezone.localdate() - datetime.timedelta(days=ACCEPTING_FRESH_DAYS)


def is_prime(number):
    return number > 1 and all(number % d for d in range(2, math.isqrt(number) + 1))


def next_prime(number):
    while not is_prime(number):
        number += 1
    return number


class Order:
    """The directory's fair order for a day: rank = id x factor mod a prime modulus.

    A bijection on the ids below the modulus, so no two listings share a rank. The
    modulus is chosen at each rotation just above twice the largest id: ranks are then
    dense, and the search index uses them as bit positions. An id past the modulus (the
    site more than doubled since the last rotation) ranks as itself, after all others,
    until the next rotation shuffles it in.
    """

    def __init__(self, day, modulus):
        self.day, self.modulus = day, modulus
        # Consecutive days far apart, never 0 modulo the prime.
        self.factor = day.toordinal() * 2_654_435_761 % (modulus - 1) + 1
        self.inverse = pow(self.factor, -1, modulus)

    @classmethod
    def for_ids_up_to(cls, day, largest_id):
        return cls(day, next_prime(max(2 * largest_id + 1, MIN_ROTATION_MODULUS)))

    @classmethod
    def current(cls):
        found = ListingOrder.objects.values_list("day", "modulus").filter(pk=1).first()
        if found is None:  # the tables were emptied (flush): today's order, recorded
            Therapist.objects.rotate(timezone.localdate())
            found = ListingOrder.objects.values_list("day", "modulus").get(pk=1)
        return cls(*found)

    def rank(self, therapist_id):
        if therapist_id >= self.modulus:
            return therapist_id
        return therapist_id * self.factor % self.modulus

    def therapist_at(self, rank):
        """The id whose rank() is `rank`."""
        if rank >= self.modulus:
            return rank
        return rank * self.inverse % self.modulus

    def expression(self, field="id"):
        """rank(), in SQL."""
        return models.Case(
            models.When(
                **{f"{field}__lt": self.modulus},
                then=Mod(models.F(field) * self.factor, self.modulus),
            ),
            default=models.F(field),
            output_field=models.BigIntegerField(),
        )


def miles_between(latitude, longitude, lat_field, lon_field):
    """Distance in miles from a point to the coordinates in two fields.

    Equirectangular: within the 100-mile radius the directory allows it is off by well
    under one percent, and it needs only arithmetic, the same on SQLite and PostgreSQL.
    """
    lat_scale = EARTH_RADIUS_MILES * math.pi / 180
    lon_scale = lat_scale * math.cos(math.radians(latitude))
    d_lat = (models.F(lat_field) - latitude) * lat_scale
    d_lon = (models.F(lon_field) - longitude) * lon_scale
    return Sqrt(d_lat * d_lat + d_lon * d_lon)


def bounding_box(latitude, longitude, miles):
    """The lat/lon ranges that hold every point within `miles`: an index-friendly prefilter."""
    d_lat = miles / (EARTH_RADIUS_MILES * math.pi / 180)
    d_lon = d_lat / max(math.cos(math.radians(latitude)), 0.01)
    return (latitude - d_lat, latitude + d_lat), (longitude - d_lon, longitude + d_lon)


# A card's statement: the headline, else the start of the bio, cut to about two lines.
STATEMENT_LOADED = 200
# The Language whose therapists' cards say "Speaks Spanish" (fixtures/vocabulary.json).
SPANISH_LANGUAGE_SLUG = "spanish"


def statement(headline, bio):
    """A card's statement in one language, as SQL: the headline, else the bio's start."""
    return models.Case(
        models.When(**{headline: ""}, then=Substr(bio, 1, STATEMENT_LOADED)), default=headline
    )


def searched_office(cities=(), state=None, near=None):
    """The office that matched a search by place, as the annotation `searched_location_row`:
    among those in `cities` (slugs) or `state`, the nearest to `near` (latitude,
    longitude), else the primary one. Nothing without a place."""
    if not (cities or state or near):
        return {}
    offices = Location.objects.filter(therapist=OuterRef("pk"))
    if cities:
        offices = offices.filter(city__slug__in=cities)
    if state:
        offices = offices.filter(city__state=state)
    if near:
        latitude, longitude = near
        offices = offices.filter(city__latitude__isnull=False, city__longitude__isnull=False)
        offices = offices.annotate(
            miles=miles_between(latitude, longitude, "city__latitude", "city__longitude")
        ).order_by("miles", "id")
    else:
        offices = offices.order_by("-is_primary", "id")
    chosen = Subquery(offices.values("id")[:1])
    return {
        "searched_location_row": FilteredRelation("locations", condition=Q(locations__id=chosen))
    }


def plans_counted():
    """How many insurance plans a therapist (OuterRef "pk") takes, as a subquery."""
    links = Therapist.insurance_plans.through.objects.filter(therapist=OuterRef("pk"))
    return Coalesce(
        Subquery(links.values("therapist").annotate(n=models.Count("*")).values("n")),
        0,
    )


class TherapistQuerySet(models.QuerySet):
    def listed(self):
        """What the public may see; every public page starts here."""
        return self.filter(is_listed=True)

    def claimable(self):
        """Public listings that are not demos, each with `has_license_number`: whether a
        license of it has a number a claim can be matched against at once (without one,
        staff check the number given with the state board)."""
        numbered = License.objects.filter(therapist=OuterRef("pk")).exclude(number="")
        return self.listed().filter(is_demo=False).annotate(has_license_number=Exists(numbered))

    def linked_to_any(self, relation, values):
        """Linked through the many-to-many `relation` to any of `values` (ids or objects).

        EXISTS rather than a join, so a therapist matching two values appears once.
        """
        field = self.model._meta.get_field(relation)
        target = field.m2m_reverse_field_name()
        links = field.remote_field.through.objects.filter(
            **{field.m2m_field_name(): OuterRef("pk"), f"{target}__in": values}
        )
        return self.filter(Exists(links))

    def practising(self, *modalities):
        return self.linked_to_any("modalities", modalities)

    def in_city(self, *cities):
        return self.filter(
            Exists(Location.objects.filter(therapist=OuterRef("pk"), city__in=cities))
        )

    def in_state(self, state):
        return self.filter(
            Exists(Location.objects.filter(therapist=OuterRef("pk"), city__state=state))
        )

    def licensed_in(self, state):
        """Holding a license in `state`: who may see its residents, online included."""
        return self.filter(Exists(License.objects.filter(therapist=OuterRef("pk"), state=state)))

    def holding(self, *credentials):
        return self.filter(
            Exists(License.objects.filter(therapist=OuterRef("pk"), credential__in=credentials))
        )

    def verified(self):
        """Therapists holding at least one license verified within the configured months."""
        return self.filter(Exists(License.objects.verified().filter(therapist=OuterRef("pk"))))

    def accepting(self):
        """Accepting new clients, confirmed within the last ACCEPTING_FRESH_DAYS days."""
        return self.filter(
            accepting_new_clients=True, accepting_confirmed_on__gte=accepting_fresh_since()
        )

    def due_accepting_reminder(self, today=None):
        """Listed, saying they accept new clients, with an address to remind, neither
        confirmed nor reminded in the last ACCEPTING_REMINDER_DAYS days."""
        since = (today or timezone.localdate()) - datetime.timedelta(days=ACCEPTING_REMINDER_DAYS)
        return self.listed().filter(
            Q(contact_email__gt="") | Q(user__email__gt=""),
            Q(accepting_confirmed_on__isnull=True) | Q(accepting_confirmed_on__lte=since),
            Q(accepting_reminded_on__isnull=True) | Q(accepting_reminded_on__lte=since),
            accepting_new_clients=True,
        )

    def named(self, text):
        """Names containing text, whatever its case and accents."""
        return self.filter(search_name__contains=searchable(text))

    def near(self, latitude, longitude, miles):
        """Within `miles` of the point (any of their offices), annotated with `distance`."""
        (lat_min, lat_max), (lon_min, lon_max) = bounding_box(latitude, longitude, miles)
        offices = (
            Location.objects.filter(
                therapist=OuterRef("pk"),
                city__latitude__range=(lat_min, lat_max),
                city__longitude__range=(lon_min, lon_max),
            )
            .annotate(
                distance=miles_between(latitude, longitude, "city__latitude", "city__longitude")
            )
            .filter(distance__lte=miles)
            .order_by("distance")
        )
        return self.filter(Exists(offices)).annotate(
            distance=Subquery(offices.values("distance")[:1])
        )

    def rotated(self):
        """The directory's default order: fair, different each day, stable while paging.

        Reads the rank that rotate() stores, so the order comes from an index rather than
        from sorting every match.
        """
        return self.order_by("rotation_rank", "id")

    def rotate(self, day):
        """Stores the day's shuffle as every therapist's rank (rotate_listings, daily).

        The order is recorded with the ranks, in one transaction, so that a listing added
        later takes its place in the same shuffle (see Order).
        """
        with transaction.atomic():
            largest = Therapist.objects.aggregate(largest=models.Max("id"))["largest"] or 0
            order = Order.for_ids_up_to(day, largest)
            ListingOrder.objects.update_or_create(
                pk=1, defaults={"day": day, "modulus": order.modulus}
            )
            rotated = Therapist.objects.update(rotation_rank=order.expression())
            # None: every listing moved (the search index builds itself again).
            rows_updated.send(sender=Therapist, therapist_ids=None)
        return rotated

    def cards(
        self, therapist_ids, distances=None, *, modalities=(), cities=(), state=None, near=None
    ):
        """These listings, in the order of `therapist_ids`, with what a card shows: two queries.

        The first joins in the photo shown, the primary license and the office to show (the
        nearest to `near`, a (latitude, longitude), or one in `cities` (slugs) or `state`, or
        else the primary one) and counts the insurance plans; the second loads the published
        modalities, the searched `modalities` (slugs) first. `distances`: miles by id, if any.
        """
        found = {
            therapist.pk: therapist
            for therapist in self.listed()
            .filter(pk__in=therapist_ids)
            .annotate(
                primary_license_row=FilteredRelation(
                    "licenses", condition=Q(licenses__is_primary=True)
                ),
                primary_location_row=FilteredRelation(
                    "locations", condition=Q(locations__is_primary=True)
                ),
                **searched_office(cities, state, near),
                insurance_count=plans_counted(),
                has_verified_license=Exists(
                    License.objects.verified().filter(therapist=OuterRef("pk"))
                ),
                statement_en=statement("headline", "bio"),
                statement_es=statement("headline_es", "bio_es"),
                speaks_spanish=Exists(
                    Therapist.languages.through.objects.filter(
                        therapist=OuterRef("pk"), language__slug=SPANISH_LANGUAGE_SLUG
                    )
                ),
            )
            .defer("bio", "bio_es")
            .select_related(
                "photo",
                "primary_license_row__credential",
                "primary_location_row__city",
                *(["searched_location_row__city"] if cities or state or near else []),
            )
            .prefetch_related(
                Prefetch(
                    "modalities",
                    queryset=Modality.objects.filter(is_published=True).only(
                        "name", "name_es", "abbreviation", "slug"
                    ),
                    to_attr="published_modalities",
                )
            )
        }
        cards = [found[pk] for pk in therapist_ids if pk in found]
        place = {slug: n for n, slug in enumerate(modalities)}
        for therapist in cards:
            therapist.distance = (distances or {}).get(therapist.pk)
            therapist.statement = in_edition(therapist.statement_en, therapist.statement_es)
            # The searched kinds of therapy first, in the order searched; the rest by name.
            therapist.card_modalities = sorted(
                therapist.published_modalities, key=lambda m: place.get(m.slug, len(place))
            )
        return cards

    def with_signature(self):
        """Loads the primary license and location in two queries, whatever the page size."""
        return self.prefetch_related(*signature_prefetches())

    def with_photo_in_review(self):
        """Adds photo_in_review_status and photo_in_review_reason: the latest photo waiting
        for staff or sent back by them (None if none), read with the listing, no query of
        its own."""
        latest = Photo.objects.filter(
            therapist=OuterRef("pk"), status__in=[ReviewStatus.PENDING, ReviewStatus.SENT_BACK]
        ).order_by("-created_at", "-id")
        return self.annotate(
            photo_in_review_status=Subquery(latest.values("status")[:1]),
            photo_in_review_reason=Subquery(latest.values("review_reason")[:1]),
        )


# Longest texts anyone may write; the database has no limit of its own on them.
BIO_MAX_LENGTH = 4000


class Therapist(TranslatedFields, models.Model):
    """A listing: one person or a group practice."""

    # The therapist's own words, in English and, if they write one, Spanish.
    translated_fields = ("headline", "bio")

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
    bio = models.TextField(_("about"), max_length=BIO_MAX_LENGTH, blank=True)
    headline_es = models.CharField(
        _("headline in Spanish"),
        max_length=200,
        blank=True,
        help_text=_("The headline for the Spanish edition; the English one shows without it."),
    )
    bio_es = models.TextField(_("about, in Spanish"), max_length=BIO_MAX_LENGTH, blank=True)
    modalities = models.ManyToManyField(
        Modality, blank=True, related_name="therapists", verbose_name=_("modalities practised")
    )
    concerns = models.ManyToManyField(
        Concern, blank=True, related_name="therapists", verbose_name=_("concerns treated")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="therapists", verbose_name=_("languages")
    )
    gender = models.CharField(
        _("gender"),
        max_length=20,
        choices=Gender.choices,
        blank=True,
        help_text=_("Optional. Shown, and searchable, only if you choose one."),
    )
    formats = models.ManyToManyField(
        Format, blank=True, related_name="therapists", verbose_name=_("session formats")
    )
    age_groups = models.ManyToManyField(
        AgeGroup, blank=True, related_name="therapists", verbose_name=_("ages seen")
    )
    insurance_plans = models.ManyToManyField(
        InsurancePlan, blank=True, related_name="therapists", verbose_name=_("insurance accepted")
    )
    telehealth = models.BooleanField(_("offers telehealth"), default=False)
    in_person = models.BooleanField(_("offers in-person sessions"), default=True)
    accepting_new_clients = models.BooleanField(_("accepting new clients"), default=True)
    accepting_confirmed_on = models.DateField(
        _("accepting new clients confirmed on"), null=True, blank=True
    )
    session_fee = models.PositiveIntegerField(_("fee per session (USD)"), null=True, blank=True)
    sliding_scale = models.BooleanField(_("sliding scale available"), default=False)
    email = models.EmailField(_("public email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(
        _("private address for messages"),
        blank=True,
        help_text=_(
            "Where we tell you a client has written. Never shown on the site; "
            "your account's address if left empty."
        ),
    )
    is_demo = models.BooleanField(
        _("demo listing"),
        default=False,
        help_text=_("A fictional listing for trying the site, marked as such on every page."),
    )
    is_listed = models.BooleanField(
        _("listed"), default=True, help_text=_("Unlisted therapists appear on no public page.")
    )
    # The approved photo the public sees; until there is one, the listing shows initials.
    photo = models.ForeignKey(
        "Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("photo shown"),
    )
    # The edition they joined or claimed the listing in, until they choose another.
    language = models.CharField(
        _("language of our emails"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the notices we send you."),
    )
    # "Usually replies within N days": kept by ContactMessage.objects.update_reply_days().
    reply_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The last "are you still accepting new clients?" reminder (send_accepting_reminders).
    accepting_reminded_on = models.DateField(null=True, blank=True, editable=False)
    # display_name without case or accents, for the name search; kept by save().
    search_name = models.CharField(max_length=200, editable=False, default="")
    # The place in the directory's fair order; rotate_listings reshuffles it every day.
    rotation_rank = models.BigIntegerField(editable=False, default=0)
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
            models.Index(
                fields=["rotation_rank", "id"],
                condition=Q(is_listed=True),
                name="therapist_rotation_idx",
            ),
        ]

    def __str__(self):
        # The name, in every edition (not TranslatedFields' translated name).
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_name = searchable(self.display_name)
        if kwargs.get("update_fields") is not None and "display_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        adding = self._state.adding
        # The row and its search-index log entry (post_save) commit together; a new
        # listing's rank too (its id is needed for it), so no reader sees it unranked.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                self.rotation_rank = Order.current().rank(self.pk)
                type(self).objects.filter(pk=self.pk).update(rotation_rank=self.rotation_rank)

    def get_absolute_url(self):
        return reverse("therapists:profile", kwargs={"slug": self.slug})

    def get_contact_url(self):
        return reverse("therapists:contact", kwargs={"slug": self.slug})

    @property
    def takes_messages(self):
        """Whether the site offers its contact form: only where someone reads what is sent,
        a listing linked to an account (a demo's form is a try-out that says no one reads it)."""
        return self.user_id is not None or self.is_demo

    @property
    def accepting_is_current(self):
        """Accepting new clients, confirmed recently enough to be believed."""
        return (
            self.accepting_new_clients
            and self.accepting_confirmed_on is not None
            and self.accepting_confirmed_on >= accepting_fresh_since()
        )

    def confirm_accepting(self, accepting=True):
        """Records, as of today, the therapist's word on accepting new clients. updated_at
        moves too, so a staff form opened before is refused rather than undoing it."""
        self.accepting_new_clients = accepting
        self.accepting_confirmed_on = timezone.localdate()
        self.save(update_fields=["accepting_new_clients", "accepting_confirmed_on", "updated_at"])

    def missing_details(self):
        """What a therapist could add to complete the listing, in words for them.

        Reads modalities, concerns and languages: prefetch them to avoid three queries.
        """
        confirmed = self.accepting_confirmed_on
        checks = [
            (self.headline, _("a one-sentence headline for your card")),
            (self.bio, _("a few words about you and how you work")),
            (self.modalities.all(), _("the kinds of therapy you practise")),
            (self.concerns.all(), _("the concerns you treat")),
            (self.languages.all(), _("the languages you offer sessions in")),
            (self.email or self.phone or self.website, _("a way for people to contact you")),
            (
                confirmed and (timezone.localdate() - confirmed).days <= ACCEPTING_FRESH_DAYS,
                _("a fresh confirmation of whether you are accepting new clients"),
            ),
            (self.primary_license, _("a license (staff add and verify it)")),
            (self.primary_location, _("an office location (staff add it)")),
        ]
        return [missing for present, missing in checks if not present]

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
        if hasattr(self, f"primary_{relation[:-1]}_row"):  # cards()
            return getattr(self, f"primary_{relation[:-1]}_row")
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
    def card_location(self):
        """The office a card shows: the one that matched the search by place (cards()),
        else the primary one."""
        return getattr(self, "searched_location_row", None) or self.primary_location

    @property
    def signature(self):
        """'Steven Su, Licensed Clinical Social Worker in Fullerton, CA', as on the seed page."""
        text = self.display_name
        if license := self.primary_license:
            text += f", {license.credential.translated('name')}"
        if location := self.primary_location:
            text = gettext("%(who)s in %(city)s") % {"who": text, "city": location.city}
        return text


def months_before(day, months):
    """The same day of the month `months` earlier, or that month's last day if shorter."""
    count = day.year * 12 + day.month - 1 - months
    year, month = divmod(count, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


def verified_since(today=None):
    """The first day whose verifications still count (LICENSE_VERIFICATION_MONTHS ago).

    Counted in whole days of the site's time zone, like "accepting new clients": a
    license verified on 3 March stays verified until the end of 3 March a term later.
    """
    return months_before(today or timezone.localdate(), settings.LICENSE_VERIFICATION_MONTHS)


def verification_cutoff(now=None):
    """Verifications before this moment have expired: the start of verified_since()."""
    today = timezone.localdate(now) if now else timezone.localdate()
    midnight = datetime.datetime.combine(verified_since(today), datetime.time.min)
    return timezone.make_aware(midnight)


def last_verified_day(verified_on):
    """The last day on which a license verified on `verified_on` still counts."""
    months = settings.LICENSE_VERIFICATION_MONTHS
    # months_before() is monotonic; the answer is within a few days of the naive one.
    day = verified_on + datetime.timedelta(days=31 * months + 4)
    while months_before(day, months) > verified_on:
        day -= datetime.timedelta(days=1)
    return day


class LicenseQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verified_at__gte=verification_cutoff())

    def verification_expired(self):
        return self.filter(verified_at__lt=verification_cutoff())

    def to_recheck(self):
        """Never verified, or verified too long ago: never-verified first, then oldest."""
        return self.filter(Q(verified_at=None) | Q(verified_at__lt=verification_cutoff())).order_by(
            models.F("verified_at").asc(nulls_first=True), "id"
        )

    def mark_verified(self, staff_member, source):
        with transaction.atomic():  # the licenses and the search index's log entries
            therapist_ids = set(self.values_list("therapist_id", flat=True))
            verified = self.update(
                verified_at=timezone.now(), verified_by=staff_member, verification_source=source
            )
            rows_updated.send(sender=License, therapist_ids=therapist_ids)
        return verified


class LoggedWithItsChange(models.Model):
    """save() in a transaction, so the search index's log entry (written by post_save)
    commits with the row, even where the caller has no transaction of its own."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)


class License(LoggedWithItsChange):
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="licenses")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="licenses")
    state = models.CharField(_("state"), max_length=2, choices=USState.choices)
    number = models.CharField(_("license number"), max_length=40, blank=True)
    is_primary = models.BooleanField(
        _("primary"), default=False, help_text=_("Shown in the signature under quotes.")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_source = models.URLField(
        _("verified at this address"),
        max_length=500,
        blank=True,
        help_text=_("The state board's lookup page that shows this license."),
    )

    objects = LicenseQuerySet.as_manager()

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

    @property
    def is_verified(self):
        """Verified recently enough to show the badge."""
        return self.verified_at is not None and self.verified_at >= verification_cutoff()


class Location(LoggedWithItsChange):
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


QUOTE_MAX_LENGTH = 800
REVIEW_REASON_MAX_LENGTH = 1000  # as the admin's "send back" form takes


class QuoteQuerySet(models.QuerySet):
    def live(self):
        """Approved text of listed therapists who still practise the modality."""
        return self.exclude(text="").filter(
            therapist__is_listed=True, therapist__modalities=models.F("modality")
        )

    def pending(self):
        return self.filter(draft_status=Quote.DraftStatus.PENDING)

    def of_listings(self, therapist_ids):
        """These listings' quotes with their signatures, in the order of `therapist_ids`:
        one per listing and modality, in the edition's language if written in it."""
        quotes = (
            self.filter(therapist_id__in=therapist_ids)
            .select_related("therapist")
            .prefetch_related(*signature_prefetches("therapist__"))
        )
        place = {therapist_id: n for n, therapist_id in enumerate(therapist_ids)}
        return sorted(in_edition_language(quotes), key=lambda quote: place[quote.therapist_id])

    def as_reviewed(self, seen):
        """The pending quotes whose draft is still the one the reviewer read.

        `seen` maps a quote's id to the draft_version shown to the reviewer. The drafts
        are compared here and again, as text, in the UPDATE that uses this queryset, so a
        draft replaced at any moment before that UPDATE is left alone.
        """
        drafts = self.pending().filter(pk__in=seen).values_list("pk", "draft")
        unchanged = [
            Q(pk=pk, draft=draft) for pk, draft in drafts if draft_version(draft) == seen[pk]
        ]
        if not unchanged:
            return self.none()
        return self.pending().filter(reduce(operator.or_, unchanged))

    def approve(self, reviewer, seen, now=None):
        """Makes each draft the reviewer read (see as_reviewed) the live text; returns how
        many went live.

        One UPDATE guarded by the pending status and the draft's text, so a draft approved
        twice (two reviewers, a double click) goes live once, and a draft replaced since the
        reviewer read it does not go live at all. `now`: the decision's time, by which the
        caller finds the quotes this call decided.
        """
        now = now or timezone.now()
        with transaction.atomic():  # the quotes and the search index's log entries
            reviewed = self.as_reviewed(seen)
            therapist_ids = set(reviewed.values_list("therapist_id", flat=True))
            approved = reviewed.update(
                text=models.F("draft"),
                draft="",
                draft_status=Quote.DraftStatus.NONE,
                review_reason="",
                reviewed_by=reviewer,
                reviewed_at=now,
                updated_at=now,
            )
            rows_updated.send(sender=Quote, therapist_ids=therapist_ids)
        return approved

    def send_back(self, reviewer, reason, seen, now=None):
        """Refuses each draft the reviewer read with a reason; the draft and the live text
        both stay. A draft replaced since is left pending: the reason was not about it."""
        now = now or timezone.now()
        return self.as_reviewed(seen).update(
            draft_status=Quote.DraftStatus.SENT_BACK,
            review_reason=reason,
            reviewed_by=reviewer,
            reviewed_at=now,
            updated_at=now,
        )


def in_edition_language(quotes):
    """One of `quotes` per (listing, modality), in their order: the one in the edition's
    language, else the other. Chosen here, from rows already loaded, so that a page costs
    the same queries in either language."""
    chosen = {}
    for quote in quotes:
        key = (quote.therapist_id, quote.modality_id)
        if key not in chosen or quote.language == edition_language():
            chosen[key] = quote
    return list(chosen.values())


# The therapist's page for their quote on a modality, by the quote's language.
QUOTE_EDIT_URL_NAMES = {ENGLISH: "profile:quote", SPANISH: "profile:quote_es"}


def draft_version(draft):
    """A short fingerprint of a draft's text: the review queue's record of what was read."""
    return hashlib.sha256(draft.encode()).hexdigest()[:32]


class ReviewRecord(models.Model):
    """Who decided on something a therapist submitted, when, and the reason if sent back."""

    review_reason = models.TextField(
        _("reason for sending back"),
        max_length=REVIEW_REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Shown to the therapist."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        abstract = True


class Quote(ReviewRecord, LoggedWithItsChange):
    """What a therapist says about how they practise one modality.

    The live text and a submitted draft are kept apart, so a draft waiting for review
    never takes the live quote down and a refused draft loses nothing.
    """

    class DraftStatus(models.TextChoices):
        NONE = "none", _("no draft")
        PENDING = "pending", _("pending review")
        SENT_BACK = "sent_back", _("sent back")

    class Language(models.TextChoices):
        # Named as in "Written in English": one name per language for the whole site.
        ENGLISH = ENGLISH, TEXT_LANGUAGES[ENGLISH]
        SPANISH = SPANISH, TEXT_LANGUAGES[SPANISH]

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="quotes")
    modality = models.ForeignKey(Modality, on_delete=models.CASCADE, related_name="quotes")
    # The language the therapist wrote it in: a quote is never translated by the site.
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    text = models.TextField(_("live text"), max_length=QUOTE_MAX_LENGTH, blank=True)
    draft = models.TextField(_("draft"), max_length=QUOTE_MAX_LENGTH, blank=True)
    draft_status = models.CharField(
        _("draft status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.NONE
    )
    draft_submitted_at = models.DateTimeField(_("draft submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["modality", "therapist", "language"]
        permissions = [("review_quote", "Can approve or send back quotes")]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "modality", "language"],
                name="quote_one_per_therapist_modality_language",
            ),
        ]
        indexes = [
            models.Index(
                fields=["modality", "id"], condition=~Q(text=""), name="quote_live_by_modality_idx"
            ),
            # The review queue, newest first.
            models.Index(
                fields=["-draft_submitted_at"],
                condition=Q(draft_status="pending"),
                name="quote_pending_review_idx",
            ),
        ]

    def __str__(self):
        return f"{self.therapist} on {self.modality.name}"

    @property
    def live_text(self):
        """The live text, knowing its language (for lang_attr and written_in)."""
        return InLanguage(self.text, self.language)

    @property
    def language_name(self):
        """'English' or 'Spanish', as the middle of a sentence writes it."""
        return TEXT_LANGUAGES[self.language]

    @property
    def edit_url_name(self):
        """The URL name of the therapist's page for this quote (kwargs: modality_slug)."""
        return QUOTE_EDIT_URL_NAMES[self.language]

    @property
    def draft_version(self):
        return draft_version(self.draft)

    @property
    def status(self):
        """What the therapist sees: pending review, sent back, live, or none yet."""
        if self.draft_status != self.DraftStatus.NONE:
            return self.draft_status
        return "live" if self.text else "none"

    # The therapist's side writes only draft fields, so it can never overwrite a live
    # text that staff approved a moment ago.
    DRAFT_FIELDS = ["draft", "draft_status", "draft_submitted_at", "review_reason", "updated_at"]

    def submit(self, text):
        """Sends text for review; the live text stays public until staff approve it."""
        self.draft = text
        self.draft_status = self.DraftStatus.PENDING
        self.draft_submitted_at = timezone.now()
        self.review_reason = ""
        self.save(update_fields=self.DRAFT_FIELDS)

    def withdraw(self):
        self.draft = ""
        self.draft_status = self.DraftStatus.NONE
        self.draft_submitted_at = None
        self.review_reason = ""
        self.save(update_fields=self.DRAFT_FIELDS)


# Longest message a client may send through the contact form.
MESSAGE_MAX_LENGTH = 5000


# "Usually replies within N days" shows once this many kept messages were marked replied.
REPLY_DAYS_MIN_REPLIES = 3


def retention_start(now=None):
    """The moment before which contact messages are past MESSAGE_RETENTION_DAYS."""
    days = settings.MESSAGE_RETENTION_DAYS
    return (now or timezone.now()) - datetime.timedelta(days=days)


class ContactMessageQuerySet(models.QuerySet):
    def due_for_deletion(self, now=None):
        """Messages older than MESSAGE_RETENTION_DAYS: health information is kept no longer."""
        return self.filter(created_at__lt=retention_start(now))

    def kept(self, now=None):
        """Messages within MESSAGE_RETENTION_DAYS: those not yet deleted that are not due to be."""
        return self.filter(created_at__gte=retention_start(now))

    def for_inbox(self, therapist):
        """The therapist's messages, newest first; none past retention, even before the
        daily delete_old_messages has run."""
        return self.kept().filter(therapist=therapist).order_by("-created_at", "-id")

    def mark_read(self):
        return self.filter(read_at__isnull=True).update(read_at=timezone.now())

    def mark_replied(self):
        """Records when each was first marked replied; a second mark changes nothing."""
        return self.filter(replied_at__isnull=True).update(replied_at=timezone.now())

    def reply_days(self, therapist, now=None):
        """The therapist's usual reply time in whole days (the median, rounded up, at least
        1) over the kept messages marked replied; None for fewer than REPLY_DAYS_MIN_REPLIES."""
        replied = self.kept(now).filter(therapist=therapist, replied_at__isnull=False)
        waits = [
            replied_at - created_at
            for created_at, replied_at in replied.values_list("created_at", "replied_at")
        ]
        if len(waits) < REPLY_DAYS_MIN_REPLIES:
            return None
        days = statistics.median(waits) / datetime.timedelta(days=1)
        return max(1, math.ceil(days))

    def update_reply_days(self, therapist, now=None):
        """Stores reply_days() on the listing when it changed: a save (not an update()), so
        the public profile's cached copies and the search index see it."""
        days = self.reply_days(therapist, now)
        if therapist.reply_days != days:
            therapist.reply_days = days
            therapist.save(update_fields=["reply_days"])
        return days


class ContactMessage(models.Model):
    """A client's message to a therapist, sent through the site's contact form.

    It holds health information: only the therapist it is for may read its text. It is
    never logged, listed in the admin or put in an email, and is deleted after
    MESSAGE_RETENTION_DAYS (the delete_old_messages command).
    """

    class Recipient(models.TextChoices):
        MYSELF = "myself", _("Myself")
        SOMEONE_ELSE = "someone_else", _("Someone else (a child, partner or relative)")

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField(_("your name"), max_length=100)
    email = models.EmailField(_("your email"))
    phone = models.CharField(_("your phone (optional)"), max_length=30, blank=True)
    text = models.TextField(_("your message"), max_length=MESSAGE_MAX_LENGTH)
    for_whom = models.CharField(_("who is the help for?"), max_length=20, choices=Recipient.choices)
    consented_at = models.DateTimeField(_("consent to share given at"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("marked replied at"), null=True, blank=True)
    # A keyed hash of the contact form's shown_at token: unique, so one page load sends one
    # message, even when two sends of it race. Empty for messages not sent through the form.
    form_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact message")
        indexes = [
            models.Index(fields=["therapist", "-created_at"], name="message_inbox_idx"),
            models.Index(fields=["created_at"], name="message_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["form_token"],
                condition=~Q(form_token=""),
                name="message_form_token_unique",
            ),
        ]

    def __str__(self):
        # Never the text or the sender: this may be printed where staff can read it.
        return f"Message {self.pk} to {self.therapist_id}"


class ListingOrder(models.Model):
    """One row: the Order whose ranks the listings hold (set by rotate())."""

    day = models.DateField()
    modulus = models.BigIntegerField()

    class Meta:
        verbose_name = _("listing order")

    def __str__(self):
        return f"{self.day} mod {self.modulus}"


class ListingChange(models.Model):
    """The search index's change log: an entry per change to what the directory lists.

    Written in the transaction of the change (therapists.search.changes). Numbers come
    from ListingChangeCounter, whose row stays locked until that transaction ends, so
    they are committed in order and without gaps: a process that has applied every entry
    up to N needs only the entries after N.
    """

    class Kind(models.TextChoices):
        THERAPIST = "therapist", _("a listing changed")
        VOCABULARY = "vocabulary", _("the vocabulary changed")
        EVERYTHING = "everything", _("read everything again")

    number = models.BigIntegerField(primary_key=True)
    # Tells two entries of the same number apart after a rollback or a restore.
    token = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    therapist_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}: {self.kind} {self.therapist_id or ''}".strip()


class ListingChangeCounter(models.Model):
    """One row: the last number handed to a ListingChange."""

    number = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.number)


class PendingQuote(Quote):
    """The review queue in the admin: quotes whose draft waits for staff."""

    class Meta:
        proxy = True
        verbose_name = _("quote waiting for review")
        verbose_name_plural = _("quotes waiting for review")


class LicenseToRecheck(License):
    """Licenses never verified or whose verification has expired: the admin's re-check list."""

    class Meta:
        proxy = True
        verbose_name = _("license to re-check")
        verbose_name_plural = _("licenses to re-check")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    APPROVED = "approved", _("approved")
    SENT_BACK = "sent_back", _("sent back")


class ReviewedQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ReviewStatus.PENDING)

    def decide(self, pk, reviewer, status, reason=""):
        """Records the decision on item `pk` if it is still pending: 1 if this call decided
        it, 0 if it was decided already (two reviewers, a double click). The UPDATE's row
        lock holds a second decision back until the first commits."""
        return (
            self.pending()
            .filter(pk=pk)
            .update(
                status=status,
                review_reason=reason,
                reviewed_by=reviewer,
                reviewed_at=timezone.now(),
            )
        )


class Reviewed(ReviewRecord):
    """Something a therapist submits that staff approve or send back with a reason."""

    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = ReviewedQuerySet.as_manager()

    class Meta:
        abstract = True


class Photo(Reviewed):
    """A therapist's photo: stored as square WebP files, one per size, through Django's
    storage API; public only once staff approve it (Therapist.photo)."""

    SIZES = (96, 192, 384)

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="photos")
    # The files' common name in storage: f"{name}-{size}.webp" for each of SIZES.
    name = models.CharField(max_length=200, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("photo")
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="photo_pending_idx"
            ),
        ]
        # The public address names the photo (therapists.photo_views.serve_photo).
        constraints = [models.UniqueConstraint(fields=["name"], name="photo_name_unique")]

    def __str__(self):
        return f"Photo {self.pk} of {self.therapist}"


class ApplicationQuerySet(ReviewedQuerySet):
    def joins(self):
        """Requests to join, newest first."""
        return self.filter(kind=self.model.Kind.JOIN).order_by("-created_at", "-id")


class Application(Reviewed):
    """A therapist's request, waiting for staff: to be listed (join), or to take over an
    unclaimed listing (claim). Staff approve it before any account is linked or listed."""

    class Kind(models.TextChoices):
        JOIN = "join", _("join")
        CLAIM = "claim", _("claim")

    class Evidence(models.TextChoices):
        ADDRESS_CONFIRMED = "address", _("their own address confirmed by a link")
        LISTING_ADDRESS = "listing_address", _("the listing's private address confirmed")
        LICENSE_NUMBER = "license_number", _("license number matches the listing's")
        LICENSE_TO_CHECK = (
            "license_to_check",
            _("license number given, to check with the state board"),
        )

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="applications")
    # The address the account signs in with: confirmed for a join, the claimant's for a claim.
    email = models.EmailField(_("email"))
    # A join's account, made when the address is confirmed; a claim's only once approved.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("account"),
    )
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices)
    # The license a claim by number gave, for staff to look up with the state board.
    license_number = models.CharField(_("license number given"), max_length=40, blank=True)
    # The edition the request was made in: the language of the therapist's emails after.
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    license_state = models.CharField(
        _("license state given"), max_length=2, choices=USState.choices, blank=True
    )
    # License numbers are public (profiles and state boards show them), so a join, and a
    # claim by number, is approved only with staff's note of how they reached the licensee.
    identity_check = models.TextField(
        _("how staff confirmed the claimant holds the license"), max_length=500, blank=True
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("join or claim request")
        verbose_name_plural = _("join and claim requests")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="application_pending_idx",
            ),
        ]
        constraints = [
            # One claim waiting per listing and claimant: asking again adds nothing to review.
            models.UniqueConstraint(
                fields=["therapist", "email"],
                condition=Q(status="pending", kind="claim"),
                name="application_one_pending_claim",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.therapist}"

    @property
    def needs_identity_check(self):
        """Whether approving it needs staff's note of how they reached the licensee: a join
        (anyone can join under a real therapist's name and number, both public) or a claim
        whose evidence is a license number, which anyone can read off a profile."""
        return self.kind == self.Kind.JOIN or self.evidence in {
            self.Evidence.LICENSE_NUMBER,
            self.Evidence.LICENSE_TO_CHECK,
        }


# Find Your Match's results live in their flow's module; imported here so Django finds them.
from therapists.match_results import MatchResult  # noqa: E402, F401

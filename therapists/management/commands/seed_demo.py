"""Fictional demo therapists in bulk, to try the directory at the scale it is built for.

Every demo listing is marked three times: its name ends with " (demo)", its slug starts
with "demo-<seed>-" and its is_demo is set (pages show "Demo listing" from it). Nothing
here changes a row it did not create, so the seeded IPT page (therapists 1-10, the IPT
text and its quotes) stays exactly as loaded.
"""

import datetime
import functools
import gc
import itertools
import random
import time
from collections import defaultdict
from itertools import accumulate

import zipcodes
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from modalities.models import AgeGroup, Concern, Format, Modality
from therapists.models import (
    City,
    Credential,
    Gender,
    InsurancePlan,
    Language,
    License,
    Location,
    Quote,
    Therapist,
    searchable,
)
from therapists.states import USState

DEMO_MARK = " (demo)"

WOMEN = [
    "Amara", "Beatrix", "Calla", "Delphine", "Esme", "Florence", "Greta", "Imogen",
    "Junie", "Liora", "Maren", "Nadia", "Odessa", "Priya", "Rosalind", "Sunniva",
    "Thea", "Wilhelmina", "Yesenia", "Zora",
]  # fmt: skip
MEN = [
    "Anselm", "Bartholomew", "Cosmo", "Desmond", "Emeric", "Fitzgerald", "Gideon",
    "Horatio", "Ignatius", "Jasper", "Lysander", "Mateo", "Nikolai", "Orrin", "Percival",
    "Quentin", "Rafferty", "Thaddeus", "Ulysses", "Zebediah",
]  # fmt: skip
ANY_GENDER = [
    "Ari", "Blake", "Quinn", "Rowan", "Sage", "Emery", "Indigo", "Marlowe", "Reese", "Wren",
]  # fmt: skip
# Surnames are made up from two parts ("Cedarwick", "Larkhollow"), so they belong to no one.
SURNAME_STARTS = [
    "Alder", "Amber", "Birch", "Bramble", "Cedar", "Clover", "Elm", "Fern", "Hazel",
    "Juniper", "Lark", "Maple", "Moss", "Oak", "Quill", "Rowan", "Sorrel", "Thistle",
    "Willow", "Wren",
]  # fmt: skip
SURNAME_ENDS = ["brook", "dale", "field", "ford", "hollow", "more", "ridge", "wick"]
PRACTICES = [
    "Counseling Collective", "Therapy Group", "Center for Wellbeing",
    "Psychotherapy Associates", "Family Counseling",
]  # fmt: skip
FIRST_NAMES = {
    Gender.WOMAN: WOMEN,
    Gender.MAN: MEN,
    Gender.NON_BINARY: ANY_GENDER,
    "": WOMEN + MEN + ANY_GENDER,
}
GENDERS = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, "")
GENDER_CUM_WEIGHTS = (48, 68, 70, 100)  # blank (not given) for 30%
PRONOUNS = {Gender.WOMAN: "she/her", Gender.MAN: "he/him", Gender.NON_BINARY: "they/them"}

HEADLINES = [
    "Steady, practical support for {concern}.",
    "{modality} for {concern} and the changes life brings.",
    "Warm, collaborative therapy for {concern}, in {city} and beyond.",
    "Helping {ages} work through {concern}.",
    "Evidence-based care for {concern}, at a pace that suits you.",
]
QUOTES = [
    "In my {modality} work we start from what matters most to you this week, and build from there.",
    "I use {modality} because it gives us a shared map: clear goals, practical skills "
    "and a way to notice progress.",
    "{modality} helps us see the patterns that keep you stuck, and try something "
    "different together.",
    "I was drawn to {modality} for its structure; clients tell me they value knowing "
    "where we are headed.",
    "With {modality}, sessions are collaborative and paced to you, and you stay in "
    "charge of what we work on.",
    "My training in {modality} shapes how I listen: closely, without judgement, and "
    "with an eye on what helps.",
]
BIO = (
    "This is a fictional listing, made up so you can try the directory. "
    "{name} is not a real therapist."
)
STREETS = ["Alder", "Birch", "Cedar", "Hillside", "Lakeview", "Maple", "Orchard", "Park"]
STREET_KINDS = ["St", "Ave", "Blvd", "Rd", "Way", "Ln"]

# Rough shares among practising therapists; slugs missing here get DEFAULT_WEIGHT.
DEFAULT_WEIGHT = 2
CREDENTIAL_WEIGHTS = {
    "licensed-clinical-social-worker": 26,
    "licensed-professional-counselor": 16,
    "marriage-family-therapist": 14,
    "psychologist": 14,
    "licensed-mental-health-counselor": 8,
    "licensed-master-social-worker": 5,
    "licensed-professional-clinical-counselor": 5,
    "licensed-clinical-professional-counselor": 4,
    "psychiatric-mental-health-nurse-practitioner": 3,
    "psychiatrist": 3,
    "licensed-clinical-alcohol-and-drug-counselor": 2,
}
MODALITY_WEIGHTS = {
    "cognitive-behavioral-therapy": 30,
    "psychodynamic-therapy": 10,
    "acceptance-and-commitment-therapy": 8,
    "dialectical-behavior-therapy": 8,
    "eye-movement-desensitization-and-reprocessing": 8,
    "person-centered-therapy": 8,
    "internal-family-systems": 6,
    "family-systems-therapy": 5,
    "motivational-interviewing": 5,
    "emotionally-focused-therapy": 4,
    "mindfulness-based-cognitive-therapy": 4,
    "solution-focused-brief-therapy": 4,
    "trauma-focused-cognitive-behavioral-therapy": 4,
    "interpersonal-therapy": 2,
}
CONCERN_WEIGHTS = {
    "anxiety": 30,
    "depression": 28,
    "stress": 16,
    "trauma": 14,
    "relationship-conflict": 10,
    "self-esteem": 10,
    "grief": 8,
    "post-traumatic-stress": 8,
    "panic-attacks": 6,
    "adhd": 6,
    "role-transitions": 5,
    "couples-communication": 5,
    "parenting": 5,
    "substance-use": 5,
}
# Besides English, which nearly everyone offers.
LANGUAGE_WEIGHTS = {"spanish": 40, "mandarin": 6, "vietnamese": 4, "korean": 4}
INSURANCE_WEIGHTS = {
    "blue-cross-blue-shield": 10,
    "aetna": 9,
    "cigna": 9,
    "unitedhealthcare": 9,
    "optum": 7,
    "anthem-blue-cross": 5,
    "medicaid": 5,
    "medicare": 4,
}
# How likely a therapist is to offer each; at least one is always chosen.
FORMAT_SHARES = {"individual": 0.95, "couples": 0.3, "family": 0.2, "group": 0.1}
AGE_GROUP_SHARES = {"adults": 0.92, "teens": 0.35, "older-adults": 0.3, "children": 0.15}


class Weighted:
    """Values and cumulative weights, for fast repeated random.choices()."""

    def __init__(self, values, weights):
        self.values = list(values)
        self.cum = list(accumulate(max(weight, 0.01) for weight in weights))

    def one(self, rng):
        return rng.choices(self.values, cum_weights=self.cum)[0]

    def distinct(self, rng, count):
        count = min(count, len(self.values))
        chosen = []
        while len(chosen) < count:
            value = rng.choices(self.values, cum_weights=self.cum)[0]
            if value not in chosen:
                chosen.append(value)
        return chosen


# The values DemoBuilder.draw() gives for each therapist, in this order.
THERAPIST_FIELDS = [
    "display_name",
    "search_name",
    "slug",
    "pronouns",
    "headline",
    "bio",
    "gender",
    "telehealth",
    "in_person",
    "accepting_new_clients",
    "accepting_confirmed_on",
    "session_fee",
    "sliding_scale",
    "email",
    "phone",
    "is_listed",
    "is_demo",
]

# Names repeat (a few thousand combinations), so their slugs and search forms are cached.
slug_of = functools.cache(slugify)
search_name_of = functools.cache(searchable)


def shares(model, by_slug, default):
    """[(id, share)] of a small vocabulary, ordered by slug so ids never matter."""
    rows = sorted(model.objects.all(), key=lambda row: row.slug)
    return [(row.pk, by_slug.get(row.slug, default)) for row in rows]


def weighted_vocabulary(model, weights):
    """(id, row) of a vocabulary, weighted by slug; ordered by slug so ids never matter."""
    rows = sorted(model.objects.all(), key=lambda row: row.slug)
    return Weighted(
        [(row.pk, row) for row in rows], [weights.get(row.slug, DEFAULT_WEIGHT) for row in rows]
    )


@functools.cache
def zip_cities():
    """[(name, state, zip count, latitude, longitude, zip codes)], most ZIP codes first.

    The number of street-delivery ZIP codes stands in for population, so no other data set
    is needed; PO box and single-address ZIPs (which make Washington, DC look like the
    largest city) only break ties.
    """
    states = frozenset(USState.values)
    groups = defaultdict(list)
    for record in zipcodes.list_all():
        if (
            record["active"]
            and record["lat"]
            and record["long"]
            and record["state"] in states
            and record["zip_code_type"] != "MILITARY"
        ):
            groups[(record["city"], record["state"])].append(record)
    ranked = []
    for (name, state), records in groups.items():
        standard = sorted(r["zip_code"] for r in records if r["zip_code_type"] == "STANDARD")
        city = (
            name,
            state,
            max(len(standard), 1),
            round(sum(float(r["lat"]) for r in records) / len(records), 4),
            round(sum(float(r["long"]) for r in records) / len(records), 4),
            standard or sorted(r["zip_code"] for r in records),
        )
        ranked.append(((-len(standard), -len(records), state, name), city))
    ranked.sort()
    return [city for _, city in ranked]


def in_a_sentence(name):
    """'Grief' -> 'grief', but 'ADHD' stays."""
    return name if name.isupper() else name.lower()


def first_of(drawn, values, number):
    """`drawn` with the `number`th of `values` (in turn) first, keeping its length."""
    dealt = values[(number - 1) % len(values)]
    return [dealt, *(value for value in drawn if value != dealt)][: len(drawn)]


def demo_prefix(seed):
    return f"demo-{seed}-"


class Command(BaseCommand):
    help = (
        "Create fictional demo therapists (names end in “(demo)”, slugs start with "
        "“demo-<seed>-”) in about a thousand real US cities, to try the directory at scale. "
        "The same --seed always gives the same therapists. If demo therapists for the seed "
        "exist already, nothing is created unless --replace is given, which deletes that "
        "seed's demo therapists first. Rows the command did not create, such as the seeded "
        "IPT page, are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--therapists", type=int, required=True, help="how many demo therapists to create"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (a whole number ≥ 0; default 1)"
        )
        parser.add_argument(
            "--batch", type=int, default=5000, help="therapists per bulk insert (default 5000)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete this seed's demo therapists first, instead of skipping",
        )

    def handle(self, *args, therapists, seed, batch, replace, **options):
        if therapists < 1 or seed < 0 or batch < 1:
            raise CommandError("--therapists and --batch must be positive, --seed ≥ 0.")
        started = time.monotonic()
        self.verbosity = options["verbosity"]
        if not Modality.objects.exists():
            call_command("seed", verbosity=0)

        existing = Therapist.objects.filter(slug__startswith=demo_prefix(seed))
        if existing.exists() and not replace:
            self.say(
                f"Demo therapists for seed {seed} exist already ({existing.count():,}); "
                "nothing created. Use --replace to create them again."
            )
            return

        # Millions of short-lived model instances, none in a reference cycle: the cyclic
        # garbage collector would rescan them all again and again, for a third of the time.
        gc.disable()
        try:
            with transaction.atomic():
                if replace:
                    deleted = delete_demo(seed)
                    self.say(f"Deleted {deleted:,} demo therapists of seed {seed}.")
                cities = demo_cities(min(1000, max(20, therapists // 50)))
                builder = DemoBuilder(seed, cities)
                for done in builder.create(therapists, batch):
                    self.progress(done, therapists)
        finally:
            gc.enable()
        # Bulk inserts neither rank the new listings nor send post_save; rotating does both
        # (and tells the caches their pages are stale).
        Therapist.objects.rotate(timezone.localdate())
        if connection.vendor == "postgresql":
            analyze()
        self.say(
            f"\nCreated {therapists:,} demo therapists in {len(cities):,} cities "
            f"in {time.monotonic() - started:.1f} s."
        )

    def say(self, text, ending="\n"):
        if self.verbosity:
            self.stdout.write(text, ending=ending)
            self.stdout.flush()

    def progress(self, done, total, width=30):
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        self.say(f"\r[{bar}] {done:,}/{total:,} therapists", ending="")


def demo_cities(count):
    """[(City id, (name, state, weight, latitude, longitude, ZIP codes))], most ZIPs first.

    Existing cities with the same slug are reused as they are (the seed's among them), and
    the cities already listed come too, so that none of them is left without demo listings.
    """
    every = {slugify(f"{city[0]} {city[1]}"): city for city in zip_cities()}
    wanted = dict(itertools.islice(every.items(), count))
    for slug in City.objects.values_list("slug", flat=True):
        if slug in every:
            wanted.setdefault(slug, every[slug])
    City.objects.bulk_create(
        [
            City(name=name, state=state, slug=slug, latitude=latitude, longitude=longitude)
            for slug, (name, state, _, latitude, longitude, _) in wanted.items()
        ],
        ignore_conflicts=True,
    )
    ids = dict(City.objects.filter(slug__in=wanted).values_list("slug", "id"))
    return [(ids[slug], city) for slug, city in wanted.items() if slug in ids]


def delete_demo(seed):
    """Deletes the seed's demo therapists and what hangs off them, without per-row signals.

    Django's cascade would load every row to send post_delete for it; _raw_delete (the
    fast path Django's own cascade takes for rows without signals) deletes in one query per
    table. A PROTECTed relation, if one is ever added, still stops the delete.
    """
    demo = Therapist.objects.filter(slug__startswith=demo_prefix(seed))
    ids = demo.values("pk")
    for field in Therapist._meta.many_to_many:
        through = field.remote_field.through
        through.objects.filter(**{f"{field.m2m_field_name()}__in": ids})._raw_delete(
            through.objects.db
        )
    for relation in Therapist._meta.related_objects:
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.on_delete is models.CASCADE:
            related._raw_delete(related.db)
        elif relation.on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
    return demo._raw_delete(demo.db)


def analyze():
    """Lets PostgreSQL's planner see the new rows now rather than at the next autovacuum."""
    tables = [model._meta.db_table for model in (City, Therapist, License, Location, Quote)]
    tables += [field.remote_field.through._meta.db_table for field in Therapist._meta.many_to_many]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Rows:
    """Makes instances of a model from values for the named fields, in that order.

    Positional construction, as Django does when it loads rows: several times faster
    than Model(**fields), which looks up every other field's default on each call. The
    defaults are taken once, so they must not be callables whose value should differ.
    """

    def __init__(self, model, *names):
        fields = model._meta.concrete_fields
        positions = {field.attname: index for index, field in enumerate(fields)}
        self.model = model
        self.template = [None if field.primary_key else field.get_default() for field in fields]
        self.slots = [positions[name] for name in names]

    def __call__(self, *values):
        row = self.template.copy()
        for slot, value in zip(self.slots, values, strict=True):
            row[slot] = value
        return self.model(*row)


class DemoBuilder:
    """Draws demo therapists from one random.Random(seed), in a fixed order."""

    M2M = ["modalities", "concerns", "languages", "formats", "age_groups", "insurance_plans"]

    def __init__(self, seed, cities):
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.cities = Weighted(cities, [city[2] for _, city in cities])
        by_state = defaultdict(list)
        for city in cities:
            by_state[city[1][1]].append(city)
        self.cities_in = {
            state: Weighted(rows, [city[2] for _, city in rows]) for state, rows in by_state.items()
        }
        self.credentials = weighted_vocabulary(Credential, CREDENTIAL_WEIGHTS)
        self.modalities = weighted_vocabulary(Modality, MODALITY_WEIGHTS)
        self.concerns = weighted_vocabulary(Concern, CONCERN_WEIGHTS)
        self.insurance = weighted_vocabulary(InsurancePlan, INSURANCE_WEIGHTS)
        languages = weighted_vocabulary(Language, LANGUAGE_WEIGHTS).values
        self.english = next((pk for pk, row in languages if row.slug == "english"), None)
        others = [(pk, row) for pk, row in languages if pk != self.english]
        self.other_languages = Weighted(
            others, [LANGUAGE_WEIGHTS.get(row.slug, DEFAULT_WEIGHT) for _, row in others]
        )
        self.formats = shares(Format, FORMAT_SHARES, 0.1)
        self.age_groups = shares(AgeGroup, AGE_GROUP_SHARES, 0.2)
        # Who draws no format or age group gets the usual one, so every listing has both.
        self.usual_format = max(self.formats, key=lambda option: option[1])[0]
        self.usual_age_group = max(self.age_groups, key=lambda option: option[1])[0]
        self.expired_days = settings.LICENSE_VERIFICATION_MONTHS * 31
        self.deal_size = max(
            len(self.cities.values), len(self.modalities.values), len(self.concerns.values)
        )

        self.new_therapist = Rows(Therapist, *THERAPIST_FIELDS)
        self.new_license = Rows(
            License, "therapist_id", "credential_id", "state", "number", "is_primary", "verified_at"
        )
        self.new_location = Rows(
            Location, "therapist_id", "city_id", "street_address", "postal_code", "is_primary"
        )
        self.new_quote = Rows(
            Quote,
            "therapist_id",
            "modality_id",
            "text",
            "draft",
            "draft_status",
            "draft_submitted_at",
        )
        # {"modalities": Rows(Therapist.modalities.through, "therapist_id", "modality_id")}
        self.new_links = {}
        for name in self.M2M:
            field = Therapist._meta.get_field(name)
            through = field.remote_field.through
            self.new_links[name] = Rows(
                through,
                through._meta.get_field(field.m2m_field_name()).attname,
                through._meta.get_field(field.m2m_reverse_field_name()).attname,
            )

    def create(self, total, batch):
        """Inserts `total` therapists `batch` at a time; yields how many are done."""
        for start in range(0, total, batch):
            numbers = range(start + 1, min(start + batch, total) + 1)
            self.insert([self.draw(number) for number in numbers], batch)
            yield numbers[-1]

    def insert(self, drawn, batch):
        """Saves the therapists, then everything that points at them, by the new ids."""
        therapists = Therapist.objects.bulk_create(
            [self.new_therapist(*row["therapist"]) for row in drawn], batch_size=batch
        )
        licenses, locations, quotes = [], [], []
        links = {name: [] for name in self.M2M}
        for therapist, row in zip(therapists, drawn, strict=True):
            pk = therapist.pk
            licenses += [self.new_license(pk, *values) for values in row["licenses"]]
            locations += [self.new_location(pk, *values) for values in row["locations"]]
            quotes += [self.new_quote(pk, *values) for values in row["quotes"]]
            for name in self.M2M:
                new_link = self.new_links[name]
                links[name] += [new_link(pk, value) for value in row[name]]
        for model, objs in ((License, licenses), (Location, locations), (Quote, quotes)):
            model.objects.bulk_create(objs, batch_size=batch)
        for name, objs in links.items():
            self.new_links[name].model.objects.bulk_create(objs, batch_size=batch)

    def draw(self, number):
        """The `number`th demo therapist, as plain values; ids only of the vocabulary.

        The first ones are dealt each modality, concern and city in turn besides what they
        draw, so that even a small demo (the seed's) lists someone for every one of them.
        """
        rng = self.rng
        dealt = number <= self.deal_size
        city_id, city = self.cities.one(rng)
        if dealt:
            city_id, city = self.cities.values[(number - 1) % len(self.cities.values)]
        city_name, state = city[0], city[1]

        gender = rng.choices(GENDERS, cum_weights=GENDER_CUM_WEIGHTS)[0]
        surname = rng.choice(SURNAME_STARTS) + rng.choice(SURNAME_ENDS)
        if rng.random() < 0.03:
            name, gender = f"{surname} {rng.choice(PRACTICES)}", ""
        else:
            name = f"{rng.choice(FIRST_NAMES[gender])} {surname}"
        display_name = name + DEMO_MARK
        slug = f"{demo_prefix(self.seed)}{number}-{slug_of(name)}"

        modalities = self.modalities.distinct(rng, rng.choices((1, 2, 3, 4), (30, 35, 22, 13))[0])
        concerns = self.concerns.distinct(rng, rng.randint(1, 5))
        if dealt:
            modalities = first_of(modalities, self.modalities.values, number)
            concerns = first_of(concerns, self.concerns.values, number)
        languages = self.draw_languages()
        ages = [pk for pk, share in self.age_groups if rng.random() < share]
        formats = [pk for pk, share in self.formats if rng.random() < share]
        insurance = self.insurance.distinct(rng, rng.choices((0, 1, 2, 3), (35, 25, 20, 20))[0])

        accepting = rng.random() < 0.7
        headline = rng.choice(HEADLINES).format(
            concern=in_a_sentence(concerns[0][1].name),
            modality=modalities[0][1].abbreviation or modalities[0][1].name,
            city=city_name,
            ages="teens and adults" if len(ages) > 1 else "adults",
        )
        therapist = (
            display_name,
            search_name_of(display_name),
            slug,
            PRONOUNS.get(gender, "") if rng.random() < 0.6 else "",
            headline,
            BIO.format(name=name),
            gender,
            rng.random() < 0.6,  # telehealth
            rng.random() < 0.8,  # in person
            accepting,
            # Within ACCEPTING_FRESH_DAYS (90), so "accepting" shows as current.
            self.today - datetime.timedelta(days=rng.randrange(60)) if accepting else None,
            None if rng.random() < 0.1 else 5 * round(rng.triangular(60, 250, 140) / 5),
            rng.random() < 0.3,  # sliding scale
            # example.com and 555-01xx are reserved for fiction: no one gets these messages.
            f"{slug.removeprefix('demo-')}@example.com" if rng.random() < 0.6 else "",
            f"(555) 555-01{rng.randrange(100):02d}" if rng.random() < 0.5 else "",
            dealt or rng.random() < 0.97,  # listed
            True,  # is_demo
        )
        return {
            "therapist": therapist,
            "licenses": self.draw_licenses(state),
            "locations": self.draw_locations(city_id, city),
            "quotes": self.draw_quotes(modalities, dealt=dealt),
            "modalities": [pk for pk, _ in modalities],
            "concerns": [pk for pk, _ in concerns],
            "languages": languages,
            "formats": formats or [self.usual_format],
            "age_groups": ages or [self.usual_age_group],
            "insurance_plans": [pk for pk, _ in insurance],
        }

    def draw_languages(self):
        """English for nearly everyone, and up to two more languages."""
        rng = self.rng
        count = rng.choices((1, 2, 3), (72, 22, 6))[0]
        english = [self.english] if self.english and rng.random() < 0.97 else []
        others = self.other_languages.distinct(rng, count - len(english))
        return english + [pk for pk, _ in others]

    def draw_licenses(self, state):
        """The primary license in the office's state; a fifth hold a second state's too."""
        rng = self.rng
        credential_id, _ = self.credentials.one(rng)
        licenses = [self.license(credential_id, state, primary=True)]
        if rng.random() < 0.2:
            _, (_, other_state, *_) = self.cities.one(rng)
            licenses.append(self.license(credential_id, other_state, primary=False))
        return licenses

    def license(self, credential_id, state, *, primary):
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            verified_at = self.now - datetime.timedelta(days=rng.randrange(330))
        elif roll < 0.7:  # verified once, long enough ago to have expired
            verified_at = self.now - datetime.timedelta(
                days=self.expired_days + rng.randrange(1, 700)
            )
        else:
            verified_at = None
        return (credential_id, state, f"DEMO-{rng.randrange(10**6):06d}", primary, verified_at)

    def draw_locations(self, city_id, city):
        """The primary office; a tenth have a second one, in the same state where possible."""
        rng = self.rng
        locations = [self.location(city_id, city, primary=True)]
        if rng.random() < 0.1:
            nearby = self.cities_in[city[1]]
            other_id, other = nearby.one(rng) if len(nearby.values) > 1 else self.cities.one(rng)
            if other_id != city_id:
                locations.append(self.location(other_id, other, primary=False))
        return locations

    def location(self, city_id, city, *, primary):
        rng = self.rng
        street = ""
        if rng.random() < 0.5:
            street = f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
        postal_code = rng.choice(city[5]) if rng.random() < 0.6 else ""
        return (city_id, street, postal_code, primary)

    def draw_quotes(self, modalities, *, dealt=False):
        """Live quotes for about 60% of the modalities; a tenth of them with a pending edit.

        A dealt therapist always has one on the modality dealt (the first), so that every
        modality's page has a specialist to show.
        """
        rng = self.rng
        quotes = []
        for position, (modality_id, modality) in enumerate(modalities):
            if rng.random() >= 0.6 and not (dealt and position == 0):
                continue
            text = rng.choice(QUOTES).format(modality=modality.abbreviation or modality.name)
            if rng.random() < 0.1:
                draft = rng.choice(QUOTES).format(modality=modality.name)
                submitted = self.now - datetime.timedelta(hours=rng.randrange(24 * 30))
                quotes.append((modality_id, text, draft, Quote.DraftStatus.PENDING, submitted))
            else:
                quotes.append((modality_id, text, "", Quote.DraftStatus.NONE, None))
        return quotes

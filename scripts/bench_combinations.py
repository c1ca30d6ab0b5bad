"""Listing and landing page addresses drawn as visitors search, for `make bench`.

The vocabulary comes from the benchmark database itself (psycopg, no Django), so every
slug exists there; values are drawn in proportion to how many therapists offer them,
which is a fair stand-in for how often visitors look for them (many search for anxiety
and cognitive behavioral therapy in Los Angeles, few for play therapy in a small town).
The same seed and database give the same addresses, in the same order.

A draw is a combination: a modality (usually one, sometimes two or none), a place (a city,
or a ZIP code in such a city with a radius), zero to three other facets, a page from 1 to
5 and an order. Whether a draw's page exists is not decided here: bench.py requests each
address once and keeps those answering 200 (a page past the end answers 404).

    python scripts/bench_combinations.py --database-url postgres://.../directory_bench_100000

prints a sample of the addresses, one a line.
"""

import argparse
import random
from dataclasses import dataclass, field
from itertools import accumulate
from urllib.parse import parse_qs, urlencode, urlsplit

import psycopg
import zipcodes

# How a visitor's search is shaped, as weights (value: weight). Tunable, but changing
# them changes the addresses a seed gives, so benchmark runs stop being comparable.
MODALITY_COUNT = {1: 75, 0: 15, 2: 10}  # mostly one kind of therapy
PLACE_KIND = {"city": 55, "zip": 45}
RADIUS = {5: 2, 10: 3, 25: 3, 50: 2}  # miles, among the form's choices
OTHER_FACET_COUNT = {0: 30, 1: 35, 2: 22, 3: 13}
# Which other facets visitors add: insurance and concerns most, a credential rarely.
OTHER_FACETS = {
    "concern": 5,
    "insurance": 4,
    "telehealth": 3,
    "language": 2,
    "gender": 2,
    "accepting": 2,
    "fee_max": 2,
    "format": 1,
    "age": 1,
    "sliding_scale": 1,
    "verified": 1,
    "in_person": 1,
    "credential": 1,
}
GENDERS = {"woman": 6, "man": 3, "non-binary": 1}
FEES = {80: 1, 100: 2, 120: 2, 150: 3, 200: 2, 250: 1}  # fee_max, dollars
PAGES = {1: 40, 2: 20, 3: 15, 4: 13, 5: 12}
# A visitor arriving on page 1 from a form has no page parameter; one coming back from
# page 2 through the pagination links has page=1.
PAGE_ONE_WRITTEN = 0.3
ORDERS_CITY = {"": 70, "name": 30}  # "" is the fair daily rotation
ORDERS_NEAR = {"": 50, "distance": 30, "name": 20}
LANDING_WITH_MODALITY = 0.6

# The order the listing form sends its fields in, so the addresses look like the site's.
PARAM_ORDER = [
    "modality",
    "concern",
    "credential",
    "language",
    "insurance",
    "format",
    "age",
    "gender",
    "city",
    "near",
    "radius",
    "fee_max",
    "telehealth",
    "in_person",
    "accepting",
    "sliding_scale",
    "verified",
    "order",
    "page",
]
FLAGS = {"telehealth", "in_person", "accepting", "sliding_scale", "verified"}

# (facet, vocabulary table, link table, link column): the facets drawn from the database.
VOCABULARY = [
    ("modality", "modalities_modality", "therapists_therapist_modalities", "modality_id"),
    ("concern", "modalities_concern", "therapists_therapist_concerns", "concern_id"),
    ("language", "therapists_language", "therapists_therapist_languages", "language_id"),
    (
        "insurance",
        "therapists_insuranceplan",
        "therapists_therapist_insurance_plans",
        "insuranceplan_id",
    ),
    ("format", "modalities_format", "therapists_therapist_formats", "format_id"),
    ("age", "modalities_agegroup", "therapists_therapist_age_groups", "agegroup_id"),
    ("credential", "therapists_credential", "therapists_license", "credential_id"),
]


class Weighted:
    """Values with weights, drawn by random.choices; ordered as given, so a seed repeats."""

    def __init__(self, weights):
        self.values = list(weights)
        self.cum = list(accumulate(weights.values()))

    def one(self, rng):
        return rng.choices(self.values, cum_weights=self.cum)[0]

    def distinct(self, rng, count):
        chosen = []
        while len(chosen) < min(count, len(self.values)):
            value = self.one(rng)
            if value not in chosen:
                chosen.append(value)
        return chosen


@dataclass(eq=False)  # hashed by identity: a Weighted value
class City:
    slug: str  # "los-angeles-ca"
    state: str  # "CA"
    therapists: int
    zips: list = field(default_factory=list)

    @property
    def landing(self):
        """/therapists/ca/los-angeles/: the city part is the slug without its state."""
        state = self.state.lower()
        return f"/therapists/{state}/{self.slug.removesuffix('-' + state)}/"


@dataclass
class Vocabulary:
    facets: dict  # facet -> Weighted slugs
    cities: Weighted  # of City


def known_zips():
    """The ZIP codes the site can place (therapists.zips: the zipcodes package, with
    coordinates); a ZIP it cannot place gets a form error, not a listing."""
    return {r["zip_code"] for r in zipcodes.list_all() if r["lat"] and r["long"]}


def load_vocabulary(connection):
    """Every facet's slugs weighted by their therapists, and the cities that have any."""
    facets = {}
    for facet, table, links, column in VOCABULARY:
        published = "WHERE v.is_published" if facet == "modality" else ""
        # +1: an option nobody offers yet is still searched for now and then.
        rows = connection.execute(
            f"SELECT v.slug, 1 + (SELECT count(*) FROM {links} l WHERE l.{column} = v.id) "
            f"FROM {table} v {published} ORDER BY v.slug"
        ).fetchall()
        facets[facet] = Weighted(dict(rows))
    facets["gender"] = Weighted(GENDERS)
    facets["fee_max"] = Weighted(FEES)

    rows = connection.execute(
        """
        SELECT c.slug, c.state, c.name, count(DISTINCT l.therapist_id)
        FROM therapists_city c
        JOIN therapists_location l ON l.city_id = c.id
        JOIN therapists_therapist t ON t.id = l.therapist_id AND t.is_listed
        GROUP BY c.id ORDER BY c.slug
        """
    ).fetchall()
    names = {slug: (name, state) for slug, state, name, _n in rows}
    cities = {slug: City(slug, state, n) for slug, state, _name, n in rows}
    # A visitor's ZIP: one of the city's own that the site can place, from the therapists'
    # offices; for a city whose offices give none, the city's ZIPs in the zipcodes package.
    placeable = known_zips()
    for slug, postal_code in connection.execute(
        """
        SELECT DISTINCT c.slug, l.postal_code FROM therapists_location l
        JOIN therapists_city c ON c.id = l.city_id
        WHERE l.postal_code <> '' ORDER BY 1, 2
        """
    ):
        if postal_code in placeable and slug in cities:
            cities[slug].zips.append(postal_code)
    for slug, city in cities.items():
        if not city.zips:
            name, state = names[slug]
            city.zips = sorted(
                r["zip_code"]
                for r in zipcodes.filter_by(city=name, state=state)
                if r["zip_code"] in placeable
            )
    return Vocabulary(facets, Weighted({c: c.therapists for c in cities.values()}))


def draw_listing(rng, vocabulary):
    """One visitor's search: (address, key). The key is what the search means, so that two
    ways of writing the same page (page=1 or no page) count once."""
    params = {}
    for slug in vocabulary.facets["modality"].distinct(rng, Weighted(MODALITY_COUNT).one(rng)):
        params.setdefault("modality", []).append(slug)
    city = vocabulary.cities.one(rng)
    near = Weighted(PLACE_KIND).one(rng) == "zip" and bool(city.zips)
    if near:
        params["near"] = [rng.choice(city.zips)]
        params["radius"] = [str(Weighted(RADIUS).one(rng))]
    else:
        params["city"] = [city.slug]
    count = Weighted(OTHER_FACET_COUNT).one(rng)
    for facet in Weighted(OTHER_FACETS).distinct(rng, count):
        value = "on" if facet in FLAGS else str(vocabulary.facets[facet].one(rng))
        params[facet] = [value]
    order = Weighted(ORDERS_NEAR if near else ORDERS_CITY).one(rng)
    if order:
        params["order"] = [order]
    page = Weighted(PAGES).one(rng)
    if page > 1 or rng.random() < PAGE_ONE_WRITTEN:
        params["page"] = [str(page)]

    pairs = [(name, value) for name in PARAM_ORDER for value in params.get(name, [])]
    # Nearest first is the default order with a ZIP: order=distance is the same page.
    meaning = {name: values for name, values in params.items() if name not in ("page", "order")}
    key = (
        tuple(sorted((name, tuple(sorted(values))) for name, values in meaning.items())),
        page,
        "" if near and order == "distance" else order,
    )
    return "/therapists/?" + urlencode(pairs), key


def listing_paths(vocabulary, seed):
    """An endless stream of distinct listing addresses, the same for the same seed."""
    rng = random.Random(f"listing-{seed}")
    seen = set()
    while True:
        path, key = draw_listing(rng, vocabulary)
        if key not in seen:
            seen.add(key)
            yield path


def landing_paths(vocabulary, seed):
    """An endless stream of distinct landing pages: a city, or a city and a modality."""
    rng = random.Random(f"landing-{seed}")
    seen = set()
    while True:
        path = vocabulary.cities.one(rng).landing
        if rng.random() < LANDING_WITH_MODALITY:
            path += vocabulary.facets["modality"].one(rng) + "/"
        if path not in seen:
            seen.add(path)
            yield path


def describe(path):
    """The shape of a listing address, for the report: place, facets, page, order."""
    params = parse_qs(urlsplit(path).query)
    others = [name for name in params if name not in ("modality", "city", "near", "radius")]
    others = [name for name in others if name not in ("page", "order")]
    return {
        "place": "ZIP + radius" if "near" in params else "city",
        "modalities": len(params.get("modality", [])),
        "other facets": len(others),
        "page": int(params.get("page", ["1"])[0]),
        "order": params.get("order", ["default"])[0],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    with psycopg.connect(args.database_url) as connection:
        vocabulary = load_vocabulary(connection)
    for stream in (listing_paths(vocabulary, args.seed), landing_paths(vocabulary, args.seed)):
        for _ in range(args.count):
            print(next(stream))


if __name__ == "__main__":
    main()

"""The directory's search, checked against a plain Python filter of generated data."""

import datetime
import io
import math
import random
import re
from urllib.parse import parse_qsl

import pytest
from django.core.management import call_command
from django.utils import timezone

from modalities.models import AgeGroup, Concern, Format
from tests.conftest import (
    card_names,
    make_city,
    make_credential,
    make_modality,
    make_therapist,
    page_links,
    page_text,
)
from therapists.models import (
    InsurancePlan,
    Language,
    License,
    Order,
    Therapist,
)

LISTING = "/therapists/"
ZIP_90012 = (34.0614, -118.2385)
# (name, state, latitude, longitude): distances from ZIP 90012 are about 0, 9, 19, 111 and
# 360 miles, none near the radii tested, so rounding cannot decide a case.
CITIES = [
    ("Los Angeles", "CA", 34.0365, -118.2949),
    ("Pasadena", "CA", 34.1478, -118.1445),
    ("Long Beach", "CA", 33.792, -118.1722),
    ("San Diego", "CA", 32.7157, -117.1611),
    ("Sacramento", "CA", 38.5816, -121.4944),
    ("Portland", "OR", 45.5152, -122.6784),
]


def miles(a, b):
    """Great-circle distance, computed independently of the app's formula."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 3958.8 * math.asin(math.sqrt(h))


@pytest.fixture
def population(db):
    """60 fictional therapists with random facets, and the same facts as plain dicts."""
    rng = random.Random(20261125)
    cities = [make_city(n, s) for n, s, *_ in CITIES]
    for city, (_, _, lat, lon) in zip(cities, CITIES, strict=True):
        city.latitude, city.longitude = lat, lon
        city.save()
    vocab = {
        "modality": [make_modality(f"Sample Modality {c}") for c in "ABC"],
        "concern": [
            Concern.objects.create(name=f"Concern {c}", slug=f"concern-{c}") for c in "abcd"
        ],
        "language": [
            Language.objects.create(name=n, slug=n.lower())
            for n in ("English", "Spanish", "Korean")
        ],
        "insurance": [
            InsurancePlan.objects.create(name=f"Plan {c}", slug=f"plan-{c}") for c in "xyz"
        ],
        "format": [
            Format.objects.create(name=n, slug=n.lower()) for n in ("Individual", "Couples")
        ],
        "age": [AgeGroup.objects.create(name=n, slug=n.lower()) for n in ("Teens", "Adults")],
        "credential": [make_credential(f"Sample Credential {c}", c) for c in "PQ"],
    }
    today = timezone.localdate()
    people = []
    for number in range(60):
        picks = {key: rng.sample(values, rng.randint(0, 2)) for key, values in vocab.items()}
        city_index = rng.randrange(len(cities))
        facts = {
            "name": f"Fictional Person {number:02}",
            "city": CITIES[city_index],
            "telehealth": rng.random() < 0.5,
            "in_person": rng.random() < 0.7,
            "accepting_new_clients": rng.random() < 0.6,
            "accepting_confirmed_on": today - datetime.timedelta(days=rng.choice([3, 80, 120])),
            "sliding_scale": rng.random() < 0.3,
            "session_fee": rng.choice([None, 80, 120, 150, 200]),
            "gender": rng.choice(["", "woman", "man", "non-binary"]),
        }
        therapist = make_therapist(
            facts["name"],
            city=cities[city_index],
            credential=(picks["credential"] or [vocab["credential"][0]])[0],
            modalities=picks["modality"],
            **{k: v for k, v in facts.items() if k not in {"name", "city"}},
        )
        for credential in picks["credential"][1:]:
            License.objects.create(therapist=therapist, credential=credential, state="CA")
        therapist.concerns.set(picks["concern"])
        therapist.languages.set(picks["language"])
        therapist.insurance_plans.set(picks["insurance"])
        therapist.formats.set(picks["format"])
        therapist.age_groups.set(picks["age"])
        verified = rng.random() < 0.4
        if verified:
            therapist.licenses.update(verified_at=timezone.now() - datetime.timedelta(days=30))
        facts.update({key: {v.slug for v in values} for key, values in picks.items()})
        facts["credential"] = {license.credential.slug for license in therapist.licenses.all()}
        facts["city_slug"] = cities[city_index].slug
        facts["verified"] = verified
        people.append(facts)
    make_therapist("Fictional Unlisted", city=cities[0], is_listed=False)
    return people, vocab


def listed_names(client, query):
    """Every name the listing gives for the query, following its pages."""
    names, url, params = [], LISTING, {**query, "order": "name"}
    while True:
        response = client.get(url, params)
        assert response.status_code == 200, page_text(response)[:500]
        names += card_names(response)
        following = [href for href, text in page_links(response) if text == "Next page"]
        if not following:
            return names
        url, params = LISTING + following[0], {}


FRESH = datetime.timedelta(days=90)


def expected(people, **query):
    today = timezone.localdate()
    tests = {
        "modality": lambda p, v: p["modality"] & set(v),
        "concern": lambda p, v: p["concern"] & set(v),
        "language": lambda p, v: p["language"] & set(v),
        "insurance": lambda p, v: p["insurance"] & set(v),
        "format": lambda p, v: p["format"] & set(v),
        "age": lambda p, v: p["age"] & set(v),
        "credential": lambda p, v: p["credential"] & set(v),
        "gender": lambda p, v: p["gender"] in v,
        "city": lambda p, v: p["city_slug"] in v,
        "state": lambda p, v: p["city"][1] == v,
        "telehealth": lambda p, v: p["telehealth"],
        "in_person": lambda p, v: p["in_person"],
        "sliding_scale": lambda p, v: p["sliding_scale"],
        "verified": lambda p, v: p["verified"],
        "accepting": lambda p, v: (
            p["accepting_new_clients"] and today - p["accepting_confirmed_on"] <= FRESH
        ),
        "fee_max": lambda p, v: p["session_fee"] is not None and p["session_fee"] <= int(v),
        "q": lambda p, v: v.lower() in p["name"].lower(),
    }
    return sorted(
        p["name"] for p in people if all(tests[key](p, value) for key, value in query.items())
    )


SINGLE_FACETS = [
    {"modality": ["sample-modality-a"]},
    {"modality": ["sample-modality-a", "sample-modality-b"]},
    {"concern": ["concern-c"]},
    {"concern": ["concern-a", "concern-d"]},
    {"language": ["spanish"]},
    {"insurance": ["plan-y", "plan-z"]},
    {"format": ["couples"]},
    {"age": ["teens"]},
    {"credential": ["sample-credential-q"]},
    {"gender": ["woman", "non-binary"]},
    {"city": ["pasadena-ca", "portland-or"]},
    {"state": "OR"},
    {"telehealth": "on"},
    {"in_person": "on"},
    {"sliding_scale": "on"},
    {"verified": "on"},
    {"accepting": "on"},
    {"fee_max": "120"},
    {"q": "person 1"},
]


@pytest.mark.parametrize("query", SINGLE_FACETS, ids=lambda q: "&".join(q))
def test_it_filters_each_facet_exactly(client, population, query):
    people, _ = population
    assert listed_names(client, query) == expected(people, **query)


@pytest.mark.parametrize(
    "query",
    [
        {"modality": ["sample-modality-a", "sample-modality-c"], "telehealth": "on"},
        {"concern": ["concern-a", "concern-b"], "language": ["english"], "state": "CA"},
        {"insurance": ["plan-x"], "fee_max": "150", "accepting": "on"},
        {"format": ["individual"], "age": ["adults"], "gender": ["woman", "man"]},
        {"city": ["los-angeles-ca", "san-diego-ca"], "verified": "on", "in_person": "on"},
        {"credential": ["sample-credential-p"], "sliding_scale": "on", "q": "fictional"},
    ],
    ids=lambda q: "&".join(q),
)
def test_it_combines_facets_with_and_and_values_with_or(client, population, query):
    people, _ = population
    assert listed_names(client, query) == expected(people, **query)


def test_it_says_how_the_filters_combine(client, population):
    assert "within a group, any of them will do; across groups, all must match" in page_text(
        client.get(LISTING)
    )


def test_it_finds_therapists_within_the_radius_of_a_zip_nearest_first(client, population):
    people, _ = population
    response = client.get(LISTING, {"near": "90012", "radius": "10"})
    body = response.content.decode()
    shown = card_names(response)
    inside = [p for p in people if miles(ZIP_90012, p["city"][2:]) <= 10]
    assert sorted(shown) == sorted(p["name"] for p in inside)[: len(shown)] or len(inside) > 20
    assert f"{len(inside)} therapists" in page_text(response)
    distances = [float(d) for d in re.findall(r"([\d.]+) miles away", body)]
    assert distances == sorted(distances)
    assert all(d <= 10 for d in distances)
    assert "Nearest first" in page_text(response)


def test_it_widens_the_radius_on_request(client, population):
    people, _ = population
    within_25 = sorted(p["name"] for p in people if miles(ZIP_90012, p["city"][2:]) <= 25)
    assert listed_names(client, {"near": "90012", "radius": "25"}) == within_25


@pytest.mark.parametrize("zip_code", ["00000", "9001", "abcde", "90012<script>", "9" * 12])
def test_it_explains_a_zip_code_it_cannot_find(client, population, zip_code):
    response = client.get(LISTING, {"near": zip_code})
    assert response.status_code == 200
    text = page_text(response)
    assert "Some filters could not be used" in text
    assert "90012<script>" not in response.content.decode()


@pytest.mark.parametrize("radius", ["0", "101", "ten", "-5"])
def test_it_explains_a_radius_out_of_range(client, population, radius):
    response = client.get(LISTING, {"near": "90012", "radius": radius})
    assert response.status_code == 200
    assert "Some filters could not be used" in page_text(response)


def option_counts(response):
    """{(param, value): count} read from the checkboxes and their labels."""
    body = response.content.decode()
    found = {}
    for param, value, count in re.findall(
        r'<label><input type="checkbox" name="([a-z_]+)" value="([^"]+)"(?: checked)?>'
        r"[^<]*<small>\((\d+)\)</small>",
        body,
    ):
        found[(param, value)] = int(count)
    return found


@pytest.mark.parametrize(
    "base",
    [{}, {"state": "CA"}, {"telehealth": "on", "concern": ["concern-a"]}],
    ids=["nothing", "state", "telehealth-and-concern"],
)
def test_it_counts_each_option_as_following_it_would(client, population, base):
    counts = option_counts(client.get(LISTING, base))
    assert len(counts) > 20
    for (param, value), count in counts.items():
        query = {**base}
        if value == "on":
            query[param] = "on"
        else:
            query[param] = [value]  # the option alone within its facet, others as they are
        assert len(listed_names(client, query)) == count, (param, value)


def test_it_hides_options_without_results_unless_chosen(client, population):
    counts = option_counts(client.get(LISTING, {"city": ["portland-or"]}))
    assert all(count > 0 or param == "city" for (param, _), count in counts.items())


def test_it_pages_a_fair_rotation_showing_each_therapist_once(client, db):
    for number in range(95):
        make_therapist(f"Fictional Rotation {number:02}")
    seen = []
    response = client.get(LISTING)
    while True:
        seen += card_names(response)
        following = [href for href, text in page_links(response) if text == "Next page"]
        if not following:
            break
        response = client.get(LISTING + following[0])
    assert len(seen) == 95
    assert sorted(seen) == sorted(f"Fictional Rotation {n:02}" for n in range(95))
    assert seen != sorted(seen)
    assert "In a fair order that changes every day" in page_text(client.get(LISTING))


def test_it_suggests_one_change_with_the_right_count_when_nothing_matches(client, population):
    people, _ = population
    query = {"state": "OR", "telehealth": "on", "sliding_scale": "on"}
    if expected(people, **query):
        pytest.fail("the generated data should give no result for this query")
    response = client.get(LISTING, query)
    text = page_text(response)
    assert "No therapist matches all of these filters yet." in text
    suggestions = re.findall(r"Remove “([^”]+)” \((\d+) therapists?\)", text)
    assert suggestions
    names = {"State": "state", "Sliding scale": "sliding_scale", "Offers telehealth": "telehealth"}
    for label, count in suggestions:
        without = {k: v for k, v in query.items() if k != names[label]}
        assert int(count) == len(expected(people, **without)), label


def test_it_suggests_a_wider_radius_when_nothing_is_near(client, population):
    people, _ = population
    in_pasadena = [p for p in people if p["city"][0] == "Pasadena"]
    near_5 = [p for p in people if miles(ZIP_90012, p["city"][2:]) <= 5]
    assert in_pasadena and near_5
    response = client.get(LISTING, {"near": "90012", "radius": "5", "city": ["pasadena-ca"]})
    text = page_text(response)
    assert "0 therapists" in text
    counts = dict(
        re.findall(r"(Search within 100 miles|Remove “[^”]+”) \((\d+) therapists?\)", text)
    )
    assert counts == {
        "Search within 100 miles": str(len(in_pasadena)),
        "Remove “City”": str(len(near_5)),
        "Remove “Near ZIP code”": str(len(in_pasadena)),
    }
    wider = next(href for href, text in page_links(response) if text == "Search within 100 miles")
    assert len(listed_names(client, dict(parse_qsl(wider.split("?", 1)[1])))) == len(in_pasadena)


def test_it_keeps_the_query_count_whatever_is_selected(
    client, population, django_assert_num_queries
):
    queries = [
        {},
        {"modality": ["sample-modality-a"]},
        {"state": "CA", "telehealth": "on", "language": ["english", "spanish"], "age": ["adults"]},
        {
            "near": "90012",
            "radius": "25",
            "concern": ["concern-a", "concern-b"],
            "telehealth": "on",
        },
    ]
    for query in queries:
        assert listed_names(client, query)
        # the search index's look at the change log; the page's cards (licenses and
        # locations joined in, insurance counted); the cards' kinds of therapy
        with django_assert_num_queries(3):
            assert client.get(LISTING, query).status_code == 200


def test_it_reshuffles_the_fair_order_each_day(client, db):
    for number in range(30):
        make_therapist(f"Fictional Rotation {number:02}")
    today = timezone.localdate()
    orders = []
    for days in range(3):
        Therapist.objects.rotate(today + datetime.timedelta(days=days))
        orders.append(names_on_page(client.get(LISTING)))
    assert len({tuple(order) for order in orders}) == 3
    assert len({order[0] for order in orders}) > 1


def test_it_reshuffles_from_the_command_line(db):
    make_therapist("Fictional Rotation A")
    call_command("rotate_listings", stdout=io.StringIO())
    therapist = Therapist.objects.get()
    order = Order.current()
    assert order.day == timezone.localdate()
    assert therapist.rotation_rank == order.rank(therapist.pk)


def names_on_page(response):
    return card_names(response)


def test_it_orders_every_listing_by_name_with_no_other_filter(client, db):
    for name in ["Fictional Zed", "Fictional Amy", "Fictional Mia"]:
        make_therapist(name)
    # as "Clear all filters" then "Name, A to Z" submits it
    query = {"q": "", "near": "", "radius": "", "state": "", "fee_max": "", "order": "name"}
    response = client.get(LISTING, query, follow=True)
    assert response.redirect_chain == [(LISTING + "?order=name", 301)]
    assert names_on_page(response) == [
        "Fictional Amy",
        "Fictional Mia",
        "Fictional Zed",
    ]


def test_it_takes_a_zip_plus_four_as_its_first_five_digits(client, db):
    make_therapist("Fictional Angeleno", city=make_city("Los Angeles", "CA"))
    City = type(make_city())
    City.objects.filter(slug="los-angeles-ca").update(latitude=34.0365, longitude=-118.2949)
    response = client.get(LISTING, {"near": "90012-1234", "radius": "25"})
    assert response.status_code == 200
    assert names_on_page(response) == ["Fictional Angeleno"]

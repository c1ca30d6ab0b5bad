"""The listing's cards: what people compare, the searched kind of therapy first, and the
office that matched the place searched (with its distance for a ZIP search)."""

import datetime
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_city, make_credential, make_modality, make_therapist, page_text
from therapists.models import InsurancePlan, License, Location, Therapist

LISTING = "/therapists/"
# ZIP 90012 is 3.7 miles from these coordinates of Los Angeles (as in test_match).
LOS_ANGELES = ("Los Angeles", "CA", 34.0365, -118.2949)


def city_at(name, state, latitude, longitude):
    city = make_city(name, state)
    city.latitude, city.longitude = latitude, longitude
    city.save()
    return city


def cards(response):
    """Each card as a person reads it, keyed by the therapist's name."""
    body = response.content.decode()
    found = {}
    for card in re.findall(r'<article class="card">.*?</article>', body, re.S):
        name = unescape(re.search(r"<h3><a [^>]*>([^<]+)</a>", card)[1])
        found[name] = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", card))).strip()
    return found


def card_html(response, name):
    body = response.content.decode()
    return next(
        c for c in re.findall(r'<article class="card">.*?</article>', body, re.S) if name in c
    )


@pytest.fixture
def dana(db):
    confirmed = timezone.localdate() - datetime.timedelta(days=3)
    therapist = make_therapist(
        "Dana Reyes",
        city=make_city("Springfield", "IL"),
        credential=make_credential("Licensed Marriage and Family Therapist", "LMFT"),
        modalities=[make_modality("Alpha Therapy"), make_modality("Beta Therapy")],
        pronouns="she/her",
        headline="Steady, practical help for couples and families going through change.",
        session_fee=130,
        sliding_scale=True,
        telehealth=True,
        in_person=True,
        accepting_new_clients=True,
        accepting_confirmed_on=confirmed,
        is_demo=True,
    )
    therapist.insurance_plans.set(
        [InsurancePlan.objects.create(name=f"Fictional Plan {c}", slug=f"plan-{c}") for c in "abc"]
    )
    License.objects.filter(therapist=therapist).update(
        verified_at=timezone.now() - datetime.timedelta(days=10)
    )
    return therapist


def test_it_shows_each_fact_people_compare(client, dana):
    response = client.get(LISTING)
    card = cards(response)["Dana Reyes"]
    confirmed = dana.accepting_confirmed_on
    for fact in [
        "DR",  # the initials stand in for a photo
        "Dana Reyes (she/her)",
        "Demo listing",
        "Licensed Marriage and Family Therapist · Springfield, IL",
        "Steady, practical help for couples and families going through change.",
        "Alpha Therapy Beta Therapy",
        "$130 per session · sliding scale",
        "Takes 3 insurance plans",
        "In person and telehealth",
        f"Accepting new clients · confirmed {confirmed.day} {confirmed:%b %Y}",
        "License verified",
        "Contact",
        "View profile",
    ]:
        assert fact in card, fact
    assert "miles away" not in card


def test_it_names_each_action_after_the_therapist(client, dana):
    html = card_html(client.get(LISTING, {"state": "IL"}), "Dana Reyes")
    # Each action's name is its own words and the card's name link (aria-labelledby).
    texts = dict(re.findall(r'id="(\w+)"[^>]*>([^<]+)</a>', html))
    actions = {
        href: " ".join(texts[id_] for id_ in ids.split())
        for href, ids in re.findall(r'<a href="([^"]+)" id="\w+" aria-labelledby="([^"]+)"', html)
    }
    assert actions == {
        dana.get_contact_url(): "Contact Dana Reyes",
        "/therapists/dana-reyes/?back=%2Ftherapists%2F%3Fstate%3DIL": "View profile Dana Reyes",
    }
    # The name, where most people click, leads to the same profile with the same way back.
    assert '<h3><a href="/therapists/dana-reyes/?back=%2Ftherapists%2F%3Fstate%3DIL"' in html


def test_it_says_what_is_missing_or_different_in_the_same_places(client, db):
    therapist = make_therapist(
        "Fictional Sparse",
        in_person=False,
        telehealth=True,
        accepting_new_clients=False,
        accepting_confirmed_on=timezone.localdate(),
        sliding_scale=True,
    )
    therapist.insurance_plans.set([InsurancePlan.objects.create(name="Only Plan", slug="only")])
    make_therapist("Fictional Unknown", in_person=True)
    make_therapist("Fictional Closed", accepting_new_clients=False)
    found = cards(client.get(LISTING))
    sparse, unknown = found["Fictional Sparse"], found["Fictional Unknown"]
    # Not accepting is said whether or not it was ever confirmed.
    assert "Not accepting new clients" in found["Fictional Closed"]
    assert "Availability" not in found["Fictional Closed"]
    today = timezone.localdate()
    assert f"Not accepting new clients · as of {today.day} {today:%b %Y}" in sparse
    assert "Sliding scale fees" in sparse
    assert "Takes 1 insurance plan " in sparse + " "
    assert "Telehealth only" in sparse
    assert "Availability not confirmed recently" in unknown
    assert "Fee not listed" in unknown
    assert "No insurance listed" in unknown
    assert "In person only" in unknown
    for card in (sparse, unknown):
        assert "License verified" not in card
        assert "Demo listing" not in card


def test_it_shows_no_badge_for_an_expired_verification(client, db):
    therapist = make_therapist("Fictional Lapsed")
    License.objects.filter(therapist=therapist).update(
        verified_at=timezone.now() - datetime.timedelta(days=3 * 366)
    )
    assert "License verified" not in cards(client.get(LISTING))["Fictional Lapsed"]


def test_it_starts_the_statement_from_the_bio_cut_short_when_there_is_no_headline(client, db):
    bio = "I work with adults facing anxiety and loss. " * 40 + "THE VERY END"
    make_therapist("Fictional Writer", bio=bio)
    response = client.get(LISTING)
    card = cards(response)["Fictional Writer"]
    assert "I work with adults facing anxiety and loss." in card
    assert "THE VERY END" not in card
    statement = re.search(r'<p class="statement">([^<]*)</p>', card_html(response, "Writer"))[1]
    assert len(statement) <= 120
    assert statement.endswith("…")


def test_it_puts_the_kind_of_therapy_searched_for_first(client, db):
    modalities = [
        make_modality(name) for name in ("Alpha Therapy", "Beta Therapy", "Gamma Therapy")
    ]
    make_therapist("Fictional Three Kinds", modalities=modalities)
    listed = cards(client.get(LISTING))["Fictional Three Kinds"]
    assert "Alpha Therapy Beta Therapy and 1 more" in listed
    searched = cards(client.get(LISTING, {"modality": "gamma-therapy"}))["Fictional Three Kinds"]
    assert "Gamma Therapy Alpha Therapy and 1 more" in searched
    landing = cards(client.get("/therapists/il/springfield/beta-therapy/"))["Fictional Three Kinds"]
    assert "Beta Therapy Alpha Therapy and 1 more" in landing


def test_it_counts_the_modalities_beyond_two(client, db):
    modalities = [make_modality(f"Sample Modality {n}") for n in range(5)]
    draft = make_modality("Draft Modality", is_published=False)
    make_therapist("Fictional Five Kinds", modalities=[*modalities, draft])
    card = cards(client.get(LISTING))["Fictional Five Kinds"]
    assert "Sample Modality 0 Sample Modality 1 and 3 more" in card
    assert "Sample Modality 2" not in card


@pytest.fixture
def two_offices(db):
    """A therapist whose primary office is in Springfield and another in Los Angeles."""
    therapist = make_therapist("Fictional Two Offices", city=make_city("Springfield", "IL"))
    Location.objects.create(therapist=therapist, city=city_at(*LOS_ANGELES))
    return therapist


def test_it_shows_the_office_in_the_city_searched_without_a_distance(client, two_offices):
    assert "Springfield, IL" in cards(client.get(LISTING))["Fictional Two Offices"]
    card = cards(client.get(LISTING, {"city": "los-angeles-ca"}))["Fictional Two Offices"]
    assert "Licensed Sample Counselor · Los Angeles, CA" in card
    assert "miles away" not in card
    by_state = cards(client.get(LISTING, {"state": "CA"}))["Fictional Two Offices"]
    assert "Los Angeles, CA" in by_state
    assert "miles away" not in by_state


def test_it_shows_the_nearest_office_and_its_distance_for_a_zip_search(client, two_offices):
    card = cards(client.get(LISTING, {"near": "90012"}))["Fictional Two Offices"]
    assert "Licensed Sample Counselor · Los Angeles, CA · 3.7 miles away" in card


@pytest.mark.parametrize("therapists", [2, 20])
def test_it_loads_the_cards_in_the_same_queries_however_many(
    client, db, django_assert_num_queries, therapists
):
    plans = [InsurancePlan.objects.create(name=f"Plan {c}", slug=f"plan-{c}") for c in "xy"]
    modalities = [make_modality("Alpha Therapy"), make_modality("Beta Therapy")]
    city = city_at(*LOS_ANGELES)
    for number in range(therapists):
        therapist = make_therapist(
            f"Fictional Person {number:02}", city=city, modalities=modalities
        )
        therapist.insurance_plans.set(plans)
    # the search index's look at the change log; the cards with primary license, office
    # and the one searched for joined in, insurance plans counted, the license
    # verification checked; the cards' kinds of therapy
    with django_assert_num_queries(3):
        response = client.get(LISTING, {"near": "90012", "modality": "beta-therapy"})
    assert len(cards(response)) == therapists


def test_it_keeps_a_listing_of_twenty_demo_therapists_under_40_kb(client, seeded):
    call_command("seed_demo", therapists=300, stdout=StringIO())
    # Every demo card with its badge, as the demo population shows them.
    Therapist.objects.filter(slug__startswith="demo-").update(is_demo=True)
    # The longest cards: a search by ZIP (distances, and the search in each profile link).
    for query in ({}, {"state": "CA"}, {"near": "90012", "radius": "100"}):
        response = client.get(LISTING, query)
        assert response.content.count(b'<article class="card">') == 20, query
        assert len(response.content) < 40_000, (query, len(response.content))
        assert "Demo listing" in page_text(response)

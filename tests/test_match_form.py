"""Find Your Match as a person uses it: the form read from /match/ and sent back as a
browser sends it, untouched, half or fully filled; only the needs chosen are counted."""

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.conftest import make_concern, make_modality, make_therapist, page_text
from tests.live_http import form_fields, replace
from tests.test_match import LOS_ANGELES, SACRAMENTO, city_at, error_summary, names, reasons
from therapists.models import InsurancePlan, Language

MATCH = "/match/"
# About 38 miles north of ZIP 90012 (34.0614, -118.2385): beyond the default 25 miles,
# within 50.
FARTHER = ("Fictional Farther Town", "CA", 34.61, -118.2385)


def untouched(client):
    """The form's fields as the page gives them, before anyone answers."""
    response = client.get(MATCH)
    assert response.status_code == 200
    return form_fields(response.content.decode(), having="zip_code")


def submit(client, fields, follow=True):
    """Posts the fields urlencoded, in their order, as a browser does, and follows the
    redirect to the results; the response remembers the answers, for reasons()."""
    body = urlencode(fields, doseq=True)
    response = client.post(
        MATCH, body, content_type="application/x-www-form-urlencoded", follow=follow
    )
    response.answers = QueryDict(body)
    return response


@pytest.fixture
def directory(db):
    """Three listings: one in Los Angeles meeting many needs, one online from Sacramento,
    one in a town beyond the default radius."""
    depression, grief = make_concern("Depression"), make_concern("Grief")
    spanish = Language.objects.create(name="Spanish", slug="spanish")
    plan = InsurancePlan.objects.create(name="Fictional Health Plan", slug="fictional-plan")
    modality = make_modality("Sample Modality")
    near = make_therapist(
        "Fictional Angeleno",
        city=city_at(*LOS_ANGELES),
        gender="woman",
        session_fee=100,
        modalities=[modality],
        accepting_new_clients=True,
        accepting_confirmed_on=timezone.localdate(),
    )
    near.concerns.set([depression, grief])
    near.languages.set([spanish])
    near.insurance_plans.set([plan])
    online = make_therapist(
        "Fictional Online",
        city=city_at(*SACRAMENTO),
        telehealth=True,
        gender="man",
        session_fee=300,
        accepting_new_clients=False,
    )
    online.concerns.set([depression])
    make_therapist("Fictional Farther", city=city_at(*FARTHER), telehealth=False)


def test_it_offers_the_sites_radius_choices_with_25_miles_chosen(client, directory):
    body = client.get(MATCH).content.decode()
    select = body.split('name="radius"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', select) == ["5", "10", "25", "50", "100"]
    assert '<option value="25" selected>25 miles</option>' in select
    assert '<label for="id_radius">How far you can travel' in body


def test_it_shows_matches_for_the_form_sent_untouched(client, directory, django_assert_num_queries):
    fields = untouched(client)
    assert ("radius", "25") in fields
    assert ("zip_code", "") in fields and ("state", "") in fields
    # The search index's look at the change log; the matches' cards; their kinds of
    # therapy; the network's count of kept results (one statement that makes or counts
    # its day's row); the results past their day deleted; the
    # ranking kept.
    with django_assert_num_queries(6):
        sent = submit(client, fields, follow=False)
    assert sent.status_code == 303
    response = submit(client, fields)
    assert error_summary(response) == ""
    assert sorted(names(response)) == [
        "Fictional Angeleno",
        "Fictional Farther",
        "Fictional Online",
    ]
    text = page_text(response)
    assert "You chose no needs, so these are listed therapists in today's order" in text
    # No need was chosen, so no count of needs, and no place that was not given.
    assert reasons(response) == []
    assert "miles of" not in text
    assert "telehealth in" not in text


def test_it_counts_the_two_needs_of_a_half_filled_form(client, directory):
    fields = replace(untouched(client), concerns="grief", zip_code="90012")
    response = submit(client, fields)
    assert names(response) == ["Fictional Angeleno", "Fictional Online"]
    assert reasons(response) == [
        "Matches 2 of your 2 needs: Grief, near 90012",
        "Matches 1 of your 2 needs: telehealth in California",
        "Does not meet: Grief",
    ]


def test_it_counts_every_need_of_a_filled_form(client, directory):
    fields = replace(
        untouched(client),
        concerns=["depression", "grief"],
        zip_code="90012",
        radius="50",
        language="spanish",
        gender="woman",
        accepting="on",
        budget="120",
        insurance="fictional-plan",
        modality="sample-modality",
    )
    response = submit(client, fields)
    assert error_summary(response) == ""
    assert names(response) == ["Fictional Angeleno", "Fictional Online", "Fictional Farther"]
    assert reasons(response) == [
        "Matches 9 of your 9 needs: Depression, Grief, Spanish, gender: Woman, "
        "near 90012, up to $120 a session, takes Fictional Health Plan, Sample Modality, "
        "accepting new clients",
        "Matches 2 of your 9 needs: Depression, telehealth in California",
        "Does not meet: Grief, Spanish, gender: Woman, up to $120 a session, "
        "takes Fictional Health Plan, Sample Modality, accepting new clients",
        "Matches 1 of your 9 needs: near 90012",
        "Does not meet: Depression, Grief, Spanish, gender: Woman, up to $120 a session, "
        "takes Fictional Health Plan, Sample Modality, accepting new clients",
    ]


@pytest.mark.parametrize(
    ("answers", "first_reason"),
    [
        ({"zip_code": "90012"}, "Matches 1 of your 1 need: near 90012"),
        ({"state": "CA"}, "Matches 1 of your 1 need: telehealth in California"),
        ({"concerns": "depression"}, "Matches 1 of your 1 need: Depression"),
        ({"accepting": "on"}, "Matches 1 of your 1 need: accepting new clients"),
        (
            {"concerns": ["depression", "grief"], "gender": "woman"},
            "Matches 3 of your 3 needs: Depression, Grief, gender: Woman",
        ),
        (
            {"state": "CA", "language": "spanish", "gender": "man", "budget": "120"},
            "Matches 2 of your 4 needs: gender: Man, telehealth in California",
        ),
        (
            {"zip_code": "90012", "concerns": "grief", "language": "spanish", "gender": "woman"},
            "Matches 4 of your 4 needs: Grief, Spanish, gender: Woman, near 90012",
        ),
    ],
    ids=[
        "a zip code",
        "a state",
        "a concern",
        "accepting",
        "concerns and gender",
        "four answers online",
        "four answers nearby",
    ],
)
def test_it_counts_only_the_needs_chosen(client, directory, answers, first_reason):
    response = submit(client, replace(untouched(client), **answers))
    assert error_summary(response) == ""
    # Listings meeting as many needs are in the day's fair order: the best score comes
    # first, and this listing's reason is among the shown.
    assert reasons(response)[0].split(":")[0] == first_reason.split(":")[0]
    assert first_reason in reasons(response)
    assert not any(line.endswith(":") for line in reasons(response))
    if "accepting" not in answers:
        assert "accepting new clients" not in " ".join(reasons(response))


def test_it_never_speaks_of_miles_after_a_state_only_search(client, directory):
    response = submit(client, replace(untouched(client), state="CA"))
    assert names(response) == ["Fictional Online"]
    text = page_text(response)
    assert "miles of" not in text
    assert "near " not in " ".join(reasons(response))


def test_it_says_who_is_missing_for_a_state_only_search_without_a_place_it_was_not_given(
    client, directory
):
    response = submit(client, replace(untouched(client), state="OR"))
    assert names(response) == []
    text = page_text(response)
    assert "No listed therapist offers telehealth with a license in Oregon yet." in text
    assert "miles" not in unescape(text).split("Your matches")[1].split("Change your answers")[0]


def test_it_names_the_zip_and_the_radius_chosen_when_no_one_is_near(client, db):
    make_therapist("Fictional Farther", city=city_at(*FARTHER), telehealth=False)
    response = submit(client, replace(untouched(client), zip_code="90012", radius="10"))
    assert names(response) == []
    assert (
        "No listed therapist sees clients within 10 miles of 90012, or offers telehealth "
        "with a license in California, yet."
    ) in page_text(response)


@pytest.mark.parametrize(
    ("radius", "found"),
    [("", False), ("25", False), ("50", True), ("100", True)],
    ids=["empty means 25", "25", "50", "100"],
)
def test_it_looks_as_far_as_the_radius_chosen(client, db, radius, found):
    make_therapist("Fictional Farther", city=city_at(*FARTHER), telehealth=False)
    response = submit(client, replace(untouched(client), zip_code="90012", radius=radius))
    assert error_summary(response) == ""
    assert names(response) == (["Fictional Farther"] if found else [])
    if found:
        assert reasons(response) == ["Matches 1 of your 1 need: near 90012"]


@pytest.mark.parametrize("radius", ["30", "0", "-25", "1000", "ten"])
def test_it_refuses_a_radius_not_offered(client, directory, radius):
    response = submit(client, replace(untouched(client), zip_code="90012", radius=radius))
    assert response.status_code == 200
    assert error_summary(response) == (
        "Please correct the following How far you can travel: Choose a distance from the list."
    )
    assert names(response) == []


def test_it_keeps_the_radius_chosen_when_it_shows_the_form_again(client, directory):
    answers = {"zip_code": "90012", "state": "CA", "radius": "50"}  # a place given twice
    response = submit(client, replace(untouched(client), **answers))
    assert ("radius", "50") in form_fields(response.content.decode(), having="zip_code")


def test_it_says_so_when_a_listing_shown_meets_none_of_the_needs(client, directory):
    response = submit(client, replace(untouched(client), concerns="grief"))
    assert reasons(response)[:2] == [
        "Matches 1 of your 1 need: Grief",
        "Matches 0 of your 1 need",
    ]
    assert reasons(response)[2] == "Does not meet: Grief"

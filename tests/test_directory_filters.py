import pytest
from django.urls import reverse

from tests.conftest import (
    card_names,
    make_city,
    make_modality,
    make_therapist,
    page_links,
    page_text,
)

LISTING = reverse("therapists:list")
SEEDED_CALIFORNIANS = {
    "Steven Su",
    "Jennie Wang-Hall",
    "Jenny Moon",
    "Whitney O'Malley",
    "Shavonne James",
    "YONG PARK",
}


def names_listed(response):
    """Names of the therapists on the page, in order, from the card headings."""
    return card_names(response)


def test_it_filters_by_modality_and_city(client, seeded):
    response = client.get(LISTING, {"modality": "interpersonal-therapy", "city": "los-angeles-ca"})
    assert response.status_code == 200
    assert names_listed(response) == ["YONG PARK"]
    text = page_text(response)
    assert "Interpersonal Therapy therapists in Los Angeles, CA" in text
    assert "1 therapist" in text


def test_it_filters_by_state(client, seeded):
    response = client.get(LISTING, {"state": "CA"})
    assert set(names_listed(response)) == SEEDED_CALIFORNIANS
    assert "6 therapists" in page_text(response)
    assert "Therapists in California" in page_text(response)


def test_it_lists_everyone_listed_without_filters(client, seeded):
    make_therapist("Fictional Hidden", is_listed=False)
    response = client.get(LISTING)
    assert len(names_listed(response)) == 10
    assert "Fictional Hidden" not in page_text(response)


def test_it_shows_each_card_with_credential_and_city(client, seeded):
    text = page_text(client.get(LISTING, {"city": "fullerton-ca"}))
    assert "Steven Su" in text
    assert "Licensed Clinical Social Worker · Fullerton, CA" in text


def test_it_lists_a_therapist_with_two_offices_in_the_city_once(client, db):
    city = make_city("Springfield", "IL")
    therapist = make_therapist("Fictional Two Offices", city=city)
    therapist.locations.create(city=city, street_address="2 Second St")
    response = client.get(LISTING, {"city": "springfield-il"})
    assert names_listed(response) == ["Fictional Two Offices"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"city": "nowhere"}, "We have no city called “nowhere”."),
        ({"state": "ZZ"}, "We have no state called “ZZ”."),
        ({"modality": "no-such-therapy"}, "We have no kind of therapy called “no-such-therapy”."),
    ],
)
def test_it_explains_an_unknown_filter_value(client, seeded, query, message):
    response = client.get(LISTING, query)
    assert response.status_code == 200
    text = page_text(response)
    assert "Some filters could not be used" in text
    assert message in text
    assert names_listed(response) == []


def test_it_never_reflects_a_filter_value_unescaped(client, seeded):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    for key in ("modality", "city", "state", "page"):
        body = client.get(LISTING, {key: payload}).content.decode()
        assert "<script>alert(1)" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1", "1.5"])
def test_it_answers_a_missing_page_with_a_message_and_a_404(client, seeded, page):
    response = client.get(LISTING, {"page": page, "state": "CA"})
    assert response.status_code == 404
    text = page_text(response)
    assert f"There is no page “{page}” in these results." in text
    assert ("?state=CA", "Go to the first page") in page_links(response)


def test_it_pages_twenty_at_a_time_and_keeps_the_filters(client, db):
    city = make_city("Springfield", "IL")
    modality = make_modality("Sample Modality")
    for number in range(45):
        make_therapist(f"Fictional Person {number:02}", city=city, modalities=[modality])
    make_therapist("Fictional Elsewhere", city=make_city("Shelbyville", "IL"))
    query = {"modality": "sample-modality", "city": "springfield-il"}
    first = client.get(LISTING, query)
    assert len(names_listed(first)) == 20
    assert "45 therapists" in page_text(first)
    assert "Page 1 of 3" in page_text(first)
    next_link = next(href for href, text in page_links(first) if text == "Next page")
    assert next_link == "?modality=sample-modality&city=springfield-il&page=2"
    third = client.get(LISTING + next_link.replace("page=2", "page=3"))
    assert len(names_listed(third)) == 5
    seen = names_listed(first) + names_listed(client.get(LISTING + next_link)) + names_listed(third)
    assert len(set(seen)) == 45


def test_it_suggests_what_to_change_when_nothing_matches(client, seeded):
    response = client.get(
        LISTING, {"modality": "interpersonal-therapy", "city": "renton-wa", "state": "CA"}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "0 therapists" in text
    assert "No therapist matches all of these filters yet." in text
    links = page_links(response)
    assert ("/therapists/?modality=interpersonal-therapy&state=CA", "Remove “City”") in links
    assert ("/therapists/?modality=interpersonal-therapy&city=renton-wa", "Remove “State”") in links
    text = page_text(response)
    assert text.index("Remove “City” (6 therapists)") < text.index("Remove “State” (1 therapist)")


@pytest.mark.parametrize("therapists", [2, 25])
def test_it_costs_the_same_queries_however_many_results(
    client, db, django_assert_num_queries, therapists
):
    city = make_city("Springfield", "IL")
    modality = make_modality("Sample Modality")
    for number in range(therapists):
        make_therapist(f"Fictional Person {number:02}", city=city, modalities=[modality])
    # the search index's look at the change log (it answers the results, the counts and,
    # as these filters amount to a landing page, the nearby cities, from memory); the
    # page's cards with their primary licenses and locations joined in, insurance plans
    # counted; the cards' kinds of therapy
    with django_assert_num_queries(3):
        response = client.get(LISTING, {"modality": "sample-modality", "city": "springfield-il"})
    assert response.status_code == 200
    with django_assert_num_queries(3):
        assert client.get(LISTING).status_code == 200

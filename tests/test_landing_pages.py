"""City and city + modality landing pages, and what search engines are told about listings."""

import re
from html import unescape

import pytest

from tests.conftest import page_links, page_text

LA = "/therapists/ca/los-angeles/"
LA_IPT = "/therapists/ca/los-angeles/interpersonal-therapy/"


def canonical(response):
    found = re.search(r'<link rel="canonical" href="([^"]+)">', response.content.decode())
    return unescape(found.group(1))


def is_noindex(response):
    return '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_it_serves_a_city_and_modality_landing_page_with_its_own_title(client, seeded):
    response = client.get(LA_IPT)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Interpersonal Therapy therapists in Los Angeles, CA · " in body
    assert "<h1>Interpersonal Therapy therapists in Los Angeles, CA</h1>" in body
    assert re.search(
        r'<meta name="description" content="Interpersonal Therapy therapists in Los Angeles, CA: '
        r"1 licensed therapist",
        body,
    )
    assert "YONG PARK" in page_text(response)
    assert canonical(response) == f"http://testserver{LA_IPT}"
    assert not is_noindex(response)


def test_it_serves_a_city_landing_page(client, seeded):
    response = client.get(LA)
    assert "<h1>Therapists in Los Angeles, CA</h1>" in response.content.decode()
    assert canonical(response) == f"http://testserver{LA}"


@pytest.mark.parametrize(
    "url",
    [
        "/therapists/ca/nowhere/",
        "/therapists/zz/los-angeles/",
        "/therapists/ca/los-angeles/no-such-therapy/",
        "/therapists/ca/los-angeles/%3Cscript%3E/",
    ],
)
def test_it_answers_404_for_a_landing_page_that_does_not_exist(client, seeded, url):
    assert client.get(url).status_code == 404


def test_it_links_only_neighbouring_cities_where_the_kind_of_therapy_is_practised(client, seeded):
    from tests.conftest import make_modality, make_therapist
    from therapists.models import City

    rare = make_modality("Rare Modality")
    make_therapist(
        "Fictional Angeleno", city=City.objects.get(slug="los-angeles-ca"), modalities=[rare]
    )
    make_therapist(
        "Fictional Fullertonian", city=City.objects.get(slug="fullerton-ca"), modalities=[rare]
    )
    links = page_links(client.get("/therapists/ca/los-angeles/rare-modality/"))
    nearby = [
        text
        for href, text in links
        if not href.startswith("/es/") and href.endswith("/rare-modality/")
    ]
    # Torrance and Long Beach are closer, but no one there practises it: their pages are empty
    assert nearby == ["Fullerton, CA"]


def test_it_links_neighbouring_cities_and_related_modalities(client, seeded):
    links = page_links(client.get(LA_IPT))
    nearby = [
        text
        for href, text in links
        if not href.startswith("/es/") and href.endswith("/interpersonal-therapy/")
    ]
    # the closest seeded cities to Los Angeles, nearest first
    assert nearby[:3] == ["Torrance, CA", "Long Beach, CA", "Fullerton, CA"]
    assert ("/therapists/ca/long-beach/interpersonal-therapy/", "Long Beach, CA") in links
    city_links = page_links(client.get(LA))
    assert ("/therapists/ca/los-angeles/interpersonal-therapy/", "Interpersonal Therapy") in (
        city_links
    )
    assert ("/therapists/ca/long-beach/", "Long Beach, CA") in city_links


def test_it_names_the_landing_page_as_canonical_for_the_same_filters(client, seeded):
    response = client.get(
        "/therapists/",
        {"modality": "interpersonal-therapy", "city": "los-angeles-ca", "utm_source": "x"},
    )
    assert canonical(response) == f"http://testserver{LA_IPT}"
    assert not is_noindex(response)


def test_it_normalises_the_canonical_address_and_keeps_other_filters_out_of_the_index(
    client, seeded
):
    response = client.get(
        "/therapists/?telehealth=on&state=CA&concern=grief&concern=anxiety&page=1&fbclid=abc"
    )
    assert canonical(response) == (
        "http://testserver/therapists/?concern=anxiety&concern=grief&state=CA&telehealth=on"
    )
    assert is_noindex(response)


def test_it_indexes_the_plain_directory(client, seeded):
    response = client.get("/therapists/?utm_campaign=autumn")
    assert canonical(response) == "http://testserver/therapists/"
    assert not is_noindex(response)


def test_it_keeps_pages_after_the_first_in_the_canonical_address(client, seeded):
    assert canonical(client.get(LA + "?page=1")) == f"http://testserver{LA}"


def test_it_costs_three_queries_on_a_landing_page(client, seeded, django_assert_num_queries):
    # the search index's look at the change log (the city, the results, counts, related
    # and nearby searches come from memory); the page's cards with licenses, locations and
    # insurance counts; the cards' kinds of therapy
    with django_assert_num_queries(3):
        assert client.get(LA_IPT).status_code == 200

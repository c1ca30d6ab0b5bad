"""The listing as a browser submits and follows it: one address per search (empty fields
redirect), the active filters as links that remove one value each, the order, the radius
choice, nearby cities and the options' order; the layout itself is measured in
tests/browser/test_listing_layout.py."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from tests.conftest import (
    card_names,
    make_city,
    make_modality,
    make_therapist,
    page_links,
    page_text,
)
from therapists.models import City, Gender
from therapists.search.index import distance_miles

LISTING = "/therapists/"
LA = "/therapists/ca/los-angeles/"


class _FilterForm(HTMLParser):
    """The (name, value) pairs the filters' form sends untouched, in document order."""

    def __init__(self):
        super().__init__()
        self.pairs, self._in_form, self._select, self._first = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "filters" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind == "checkbox" and "checked" not in attrs:
                return
            self.pairs.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select, self._first = attrs["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = attrs["value"]
            if "selected" in attrs:
                self.pairs.append((self._select, attrs["value"]))
                self._select = None

    def handle_endtag(self, tag):
        if tag == "select" and self._select:  # nothing selected: a browser sends the first
            self.pairs.append((self._select, self._first))
            self._select = None
        if tag == "form":
            self._in_form = False


def submitted(response, **changes):
    """The query string a browser sends from the page's filters, with `changes` made."""
    parser = _FilterForm()
    parser.feed(response.content.decode())
    pairs = [(name, changes.pop(name, value)) for name, value in parser.pairs]
    return "?" + urlencode(pairs + list(changes.items()))


def names_listed(response):
    return card_names(response)


# One address per search -------------------------------------------------------------


def test_it_sends_the_untouched_form_to_the_plain_listing(client, seeded):
    page = client.get(LISTING)
    query = submitted(page)
    assert "near=&" in query and query.endswith("&q=")  # as a browser sends it
    response = client.get(LISTING + query)
    assert response.status_code == 301
    # The radius's default (25 miles) is sent as no value: no filter, no radius.
    assert "radius=&" in query
    assert response["Location"] == LISTING
    followed = client.get(response["Location"])
    assert "10 therapists" in page_text(followed)
    assert not page_text(followed).count("Remove filter:")


def test_it_keeps_the_filled_fields_in_the_order_given(client, seeded):
    half_filled = submitted(client.get(LISTING), state="CA", modality="interpersonal-therapy")
    response = client.get(LISTING + half_filled)
    assert response.status_code == 301
    assert response["Location"] == LISTING + "?state=CA&modality=interpersonal-therapy"
    assert "6 therapists" in page_text(client.get(response["Location"]))


def test_it_redirects_the_issues_example_and_keeps_repeated_values(client, seeded):
    response = client.get(
        LISTING + "?q=&near=&radius=&modality=&concern=grief&modality=interpersonal-therapy"
    )
    assert response.status_code == 301
    assert response["Location"] == LISTING + "?concern=grief&modality=interpersonal-therapy"
    assert client.get(LISTING + "?q=&near=&radius=&modality=")["Location"] == LISTING


def test_it_redirects_a_landing_page_with_empty_fields_to_its_clean_address(client, seeded):
    response = client.get(LA + "?q=&telehealth=on&near=")
    assert (response.status_code, response["Location"]) == (301, LA + "?telehealth=on")
    assert client.get(LA + "?q=")["Location"] == LA


@pytest.mark.parametrize(
    "address", [LISTING, LISTING + "?state=CA&modality=interpersonal-therapy", LA + "?page=1"]
)
def test_it_answers_a_clean_address_itself(client, seeded, address):
    assert client.get(address).status_code == 200


def test_it_still_explains_a_bad_value_once_the_empty_fields_are_gone(client, seeded):
    response = client.get(LISTING + "?q=&state=ZZ", follow=True)
    assert response.redirect_chain == [(LISTING + "?state=ZZ", 301)]
    assert response.status_code == 200
    assert "We have no state called “ZZ”." in page_text(response)
    bad = client.get(LISTING + "?radius=7&near=90012")
    assert bad.status_code == 200
    assert "Choose a distance of 5, 10, 25, 50 or 100 miles." in page_text(bad)


def test_its_own_links_never_carry_an_empty_field(client, db):
    city = make_city("Springfield", "IL")
    modality = make_modality("Sample Modality")
    for number in range(25):
        make_therapist(f"Fictional Person {number:02}", city=city, modalities=[modality])
    page = client.get(LISTING)
    query = submitted(page, modality="sample-modality", telehealth="")
    response = client.get(LISTING + query, follow=True)
    links = [href for href, _text in page_links(response) if "?" in href]
    assert any("page=2" in href for href in links)
    assert links and all(not re.search(r"=(&|$)", href) for href in links), links


# Above the results: count, active filters, order -------------------------------------


def test_it_lists_each_active_filter_as_a_link_without_that_value(client, seeded):
    response = client.get(
        LISTING,
        {
            "modality": "interpersonal-therapy",
            "concern": ["grief", "depression"],
            "state": "CA",
            "telehealth": "on",
            "page": "1",
        },
    )
    links = {text: href for href, text in page_links(response)}
    base = "concern=grief&concern=depression&state=CA&telehealth=on"
    assert links["Remove filter: Interpersonal Therapy ×"] == f"{LISTING}?{base}"
    assert links["Remove filter: Grief ×"] == (
        f"{LISTING}?modality=interpersonal-therapy&concern=depression&state=CA&telehealth=on"
    )
    assert links["Remove filter: California ×"] == (
        f"{LISTING}?modality=interpersonal-therapy&concern=grief&concern=depression&telehealth=on"
    )
    assert links["Remove filter: Offers telehealth ×"] == (
        f"{LISTING}?modality=interpersonal-therapy&concern=grief&concern=depression&state=CA"
    )
    assert links["Clear all filters"] == LISTING


def test_it_removes_the_zip_code_with_its_radius_and_names_both(client, seeded):
    response = client.get(
        LISTING, {"near": "90012", "radius": "50", "modality": "interpersonal-therapy"}
    )
    links = {text: href for href, text in page_links(response)}
    assert links["Remove filter: Within 50 miles of 90012 ×"] == (
        LISTING + "?modality=interpersonal-therapy"
    )


def test_it_leads_from_a_landing_page_to_the_search_without_one_value(client, seeded):
    links = {
        text: href
        for href, text in page_links(client.get(LA + "interpersonal-therapy/?telehealth=on"))
    }
    assert links["Remove filter: Offers telehealth ×"] == LA + "interpersonal-therapy/"
    assert links["Remove filter: Interpersonal Therapy ×"] == (
        LISTING + "?telehealth=on&city=los-angeles-ca"
    )
    assert links["Remove filter: Los Angeles, CA ×"] == (
        LISTING + "?telehealth=on&modality=interpersonal-therapy"
    )


def test_it_shows_the_count_and_no_filters_on_the_plain_listing(client, seeded):
    response = client.get(LISTING)
    assert "10 therapists" in page_text(response)
    assert "Remove filter:" not in page_text(response)
    assert "Skip to results" in page_text(response)


def test_it_offers_each_order_as_a_link_keeping_the_filters(client, seeded):
    response = client.get(LISTING, {"state": "CA", "page": "1"})
    links = {text: href for href, text in page_links(response)}
    assert links["Name, A to Z"] == f"{LISTING}?state=CA&order=name"
    assert '<span aria-current="true">Fair daily rotation</span>' in response.content.decode()
    by_name = client.get(links["Name, A to Z"])
    assert names_listed(by_name) == sorted(names_listed(by_name), key=str.casefold)
    back = {text: href for href, text in page_links(by_name)}
    assert back["Fair daily rotation"] == f"{LISTING}?state=CA"
    # The filters' form keeps the order chosen.
    assert "order=name" in submitted(by_name)
    near = {t: h for h, t in page_links(client.get(LISTING, {"near": "90012"}))}
    assert near["Name, A to Z"] == f"{LISTING}?near=90012&order=name"
    assert "Fair daily rotation" not in near


# Search details -------------------------------------------------------------------


def test_it_offers_the_radius_as_a_choice_with_25_miles_by_default(client, seeded):
    body = client.get(LISTING).content.decode()
    select = re.search(r'<select name="radius"[^>]*>(.*?)</select>', body).group(1)
    assert re.findall(r"<option[^>]*>([^<]+)", select) == [
        f"{miles} miles" for miles in (5, 10, 25, 50, 100)
    ]
    assert '<option value="" selected>25 miles</option>' in select
    for query in ({"near": "90012"}, {"near": "90012", "radius": "25"}):
        body = client.get(LISTING, query).content.decode()
        assert '<option value="" selected>25 miles</option>' in body
        assert "Within 25 miles of 90012" in page_text(client.get(LISTING, query))
    chosen = client.get(LISTING, {"near": "90012", "radius": "50"}).content.decode()
    assert '<option value="50" selected>50 miles</option>' in chosen


@pytest.mark.parametrize("radius", ["7", "1", "250", "ten"])
def test_it_refuses_any_other_radius_with_a_clear_message(client, seeded, radius):
    response = client.get(LISTING, {"near": "90012", "radius": radius})
    assert response.status_code == 200
    assert "Choose a distance of 5, 10, 25, 50 or 100 miles." in page_text(response)
    assert names_listed(response) == []


def test_it_links_only_cities_within_50_miles_nearest_first(client, seeded):
    links = page_links(client.get(LA))
    nearby = [text for href, text in links if re.fullmatch(r"/therapists/[a-z]{2}/[a-z-]+/", href)]
    assert "Renton, WA" not in nearby
    la = City.objects.get(slug="los-angeles-ca")
    cities = {str(city): city for city in City.objects.exclude(pk=la.pk)}
    distances = [
        distance_miles(la.latitude, la.longitude, cities[name].latitude, cities[name].longitude)
        for name in nearby
    ]
    assert nearby[:3] == ["Torrance, CA", "Long Beach, CA", "Fullerton, CA"]
    assert distances == sorted(distances) and max(distances) <= 50, distances
    # San Marcos (about 90 miles) and Carlsbad have listings too, but are not near.
    assert "San Marcos, CA" not in nearby and "Carlsbad, CA" not in nearby


def test_it_lists_city_options_alphabetically_by_name_then_state(client, db):
    for name, state in [
        ("Springfield", "MO"),
        ("Albany", "OR"),
        ("Springfield", "IL"),
        ("Albany", "NY"),
    ]:
        make_therapist(f"Fictional {name} {state}", city=make_city(name, state))
    body = client.get(LISTING).content.decode()
    cities = re.findall(r'name="city" value="([a-z-]+)"', body)
    assert cities == ["albany-ny", "albany-or", "springfield-il", "springfield-mo"]


def test_it_shows_gender_options_with_their_counts(client, db):
    for number, gender in enumerate([Gender.WOMAN, Gender.WOMAN, Gender.MAN]):
        make_therapist(f"Fictional Person {number}", gender=gender)
    body = client.get(LISTING).content.decode()
    assert re.search(r'value="woman"> Woman <small>\(2\)</small>', body)
    assert re.search(r'value="man"> Man <small>\(1\)</small>', body)


# Cost and weight --------------------------------------------------------------------


def test_it_costs_three_queries_with_active_filters_and_on_a_landing_page(
    client, seeded, django_assert_num_queries
):
    # the search index's look at the change log (results, counts, active filters, orders
    # and nearby cities come from memory); the page's cards with licenses and locations;
    # the cards' kinds of therapy
    with django_assert_num_queries(3):
        response = client.get(LISTING, {"state": "CA", "modality": "interpersonal-therapy"})
    assert "Remove filter: California" in page_text(response)
    with django_assert_num_queries(3):
        response = client.get(LA + "interpersonal-therapy/?order=name")
    assert "Remove filter: Los Angeles, CA" in page_text(response)


def test_it_redirects_empty_fields_without_a_query(client, seeded, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(LISTING + "?q=&state=CA").status_code == 301


def test_it_keeps_a_demo_listing_of_twenty_under_40_kb(client, seeded):
    call_command("seed_demo", therapists=300, stdout=io.StringIO())
    for query in ({}, {"state": "CA"}, {"modality": "cognitive-behavioral-therapy"}):
        response = client.get(LISTING, query)
        assert response.content.count(b'class="card"') == 20, query
        assert len(response.content) < 40_000, (query, len(response.content))

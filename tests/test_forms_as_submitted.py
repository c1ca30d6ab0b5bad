"""Every public form, sent as a browser sends it, from the page that holds it.

Each form is read from its page (tests/forms.py) and submitted untouched, half-filled and
filled, following redirects as a browser does; an untouched field means "no filter",
whatever it sends (`modality=` for "Any kind of therapy"). Whether the listing answers a
query with empty fields at once or redirects it to the clean URL first, the results must
be the same: these tests look only at where the browser ends up.
"""

import re

import pytest

from modalities.models import Modality
from tests.conftest import make_city, make_modality, make_therapist, page_links, page_text
from tests.forms import form_on
from therapists.models import License, Therapist

HOME, LISTING, MATCH = "/", "/therapists/", "/match/"
ZIP_DOWNTOWN_LA = "90012"

# (name, city, state, latitude, longitude): from ZIP 90012 Los Angeles is under a mile
# away, Pasadena about 9, San Diego about 111 and Portland about 830, so any radius the
# site offers as its default (10 to 50 miles) takes the first two and no other.
CITIES = {
    "los-angeles-ca": ("Los Angeles", "CA", 34.0522, -118.2437),
    "pasadena-ca": ("Pasadena", "CA", 34.1478, -118.1445),
    "san-diego-ca": ("San Diego", "CA", 32.7157, -117.1611),
    "portland-or": ("Portland", "OR", 45.5152, -122.6784),
}
FOCUSED, OTHER = "sample-focused-therapy", "other-sample-therapy"
# slug: (city, kinds of therapy, offers telehealth)
PEOPLE = {
    "fictional-ada-downtown": ("los-angeles-ca", [FOCUSED], False),
    "fictional-ben-pasadena": ("pasadena-ca", [OTHER], False),
    "fictional-cy-sandiego": ("san-diego-ca", [FOCUSED], True),
    "fictional-di-portland": ("portland-or", [FOCUSED, OTHER], True),
}
EVERYONE = set(PEOPLE)
NEAR_DOWNTOWN_LA = {"fictional-ada-downtown", "fictional-ben-pasadena"}
IN_CALIFORNIA = {"fictional-ada-downtown", "fictional-ben-pasadena", "fictional-cy-sandiego"}
PRACTISING_FOCUSED = {slug for slug, (_, kinds, _) in PEOPLE.items() if FOCUSED in kinds}


@pytest.fixture
def directory(db):
    """Four listed fictional therapists in four cities, and one who is not listed."""
    modalities = {
        FOCUSED: make_modality("Sample Focused Therapy"),
        OTHER: make_modality("Other Sample Therapy"),
    }
    cities = {}
    for slug, (name, state, latitude, longitude) in CITIES.items():
        city = make_city(name, state)
        city.latitude, city.longitude = latitude, longitude
        city.save()
        cities[slug] = city
    for slug, (city, kinds, telehealth) in PEOPLE.items():
        name = " ".join(part.capitalize() for part in slug.split("-"))
        therapist = make_therapist(
            name,
            city=cities[city],
            modalities=[modalities[kind] for kind in kinds],
            telehealth=telehealth,
        )
        assert therapist.slug == slug
    hidden = make_therapist("Fictional Unlisted Person", city=cities["los-angeles-ca"])
    Therapist.objects.filter(pk=hidden.pk).update(is_listed=False)
    assert License.objects.filter(state="CA").count() == 4
    assert Modality.objects.published().count() == 2


PROFILE_LINK = re.compile(r'href="/therapists/([a-z0-9-]+)/(?:\?back=[^"]*)?"')


def therapists_shown(response):
    """The listed therapists whose profiles the page links to, in the page's order, after
    checking the page is a good answer: 200, no refused filter, no empty value named."""
    assert response.status_code == 200, page_text(response)[:500]
    text = page_text(response)
    assert "We have no" not in text, text[:1000]
    assert "“”" not in text
    assert "could not be used" not in text
    found = PROFILE_LINK.findall(response.content.decode())
    return list(dict.fromkeys(slug for slug in found if slug in PEOPLE))


def ended_at(response):
    return response.request["PATH_INFO"]


# The home page's search --------------------------------------------------------------

HOME_SEARCHES = {
    "untouched": ({}, EVERYONE),
    "ZIP code only": ({"near": ZIP_DOWNTOWN_LA}, NEAR_DOWNTOWN_LA),
    "state only": ({"state": "CA"}, IN_CALIFORNIA),
    "kind of therapy only": ({"modality": FOCUSED}, PRACTISING_FOCUSED),
    "kind of therapy and ZIP code": (
        {"modality": FOCUSED, "near": ZIP_DOWNTOWN_LA},
        {"fictional-ada-downtown"},
    ),
    "kind of therapy and state": ({"modality": FOCUSED, "state": "OR"}, {"fictional-di-portland"}),
}


@pytest.mark.parametrize("search", HOME_SEARCHES, ids=list(HOME_SEARCHES))
def test_the_home_page_search_finds_who_it_should(client, directory, search):
    chosen, expected = HOME_SEARCHES[search]
    home = client.get(HOME)
    form = form_on(home, role="search")
    assert {"modality", "near", "state"} <= set(form.names())

    results = form.submit(client, HOME, **chosen)

    assert ended_at(results) == LISTING
    assert set(therapists_shown(results)) == expected


def test_the_home_page_search_sends_any_kind_of_therapy_as_no_value_or_an_empty_one(
    client, directory
):
    form = form_on(client.get(HOME), role="search")
    sent = dict(form.data())
    assert sent.get("modality", "") == ""
    assert sent.get("state", "") == ""
    assert sent.get("near", "") == ""


# The directory's filters, on the listing and on a landing page -------------------------

LISTING_SEARCHES = {
    "untouched": ({}, EVERYONE),
    "ZIP code only": ({"near": ZIP_DOWNTOWN_LA}, NEAR_DOWNTOWN_LA),
    "state only": ({"state": "CA"}, IN_CALIFORNIA),
    "kind of therapy only": ({"modality": [FOCUSED]}, PRACTISING_FOCUSED),
    "city only": ({"city": ["pasadena-ca"]}, {"fictional-ben-pasadena"}),
    "kind of therapy and state": (
        {"modality": [FOCUSED], "state": "CA"},
        {"fictional-ada-downtown", "fictional-cy-sandiego"},
    ),
    "kind of therapy and ZIP code": (
        {"modality": [OTHER], "near": ZIP_DOWNTOWN_LA},
        {"fictional-ben-pasadena"},
    ),
}


@pytest.mark.parametrize("search", LISTING_SEARCHES, ids=list(LISTING_SEARCHES))
def test_the_directory_filters_find_who_they_should(client, directory, search):
    chosen, expected = LISTING_SEARCHES[search]
    page = client.get(LISTING)
    assert set(therapists_shown(page)) == EVERYONE
    form = form_on(page, role="search")

    results = form.submit(client, LISTING, **chosen)

    assert ended_at(results) == LISTING
    assert set(therapists_shown(results)) == expected


def test_a_landing_page_filters_untouched_keep_its_city(client, directory):
    landing = "/therapists/ca/los-angeles/"
    page = client.get(landing)
    assert therapists_shown(page) == ["fictional-ada-downtown"]
    form = form_on(page, role="search")

    results = form.submit(client, landing)

    assert therapists_shown(results) == ["fictional-ada-downtown"]
    widened = form.submit(client, landing, city=[])
    assert set(therapists_shown(widened)) == EVERYONE


# A modality page's ways on: its specialists in the directory, and Find Your Match -------


def test_a_modality_page_leads_to_its_specialists(client, directory):
    page_url = f"/modalities/{FOCUSED}/"
    page = client.get(page_url)
    assert page.status_code == 200
    (link,) = [href for href, text in page_links(page) if text.startswith("See all 3")]

    results = client.get(link, follow=True)

    assert set(therapists_shown(results)) == PRACTISING_FOCUSED


def test_a_modality_page_leads_to_find_your_match_with_its_kind_of_therapy_chosen(
    client, directory
):
    page = client.get(f"/modalities/{FOCUSED}/")
    (link,) = [href for href, text in page_links(page) if text == "Find Your Match"]
    questions = client.get(link, follow=True)
    form = form_on(questions, action=MATCH)
    assert dict(form.data())["modality"] == FOCUSED

    results = form.submit(client, link, zip_code=ZIP_DOWNTOWN_LA)

    shown = therapists_shown(results)
    # Near the ZIP code, or online with a license in its state (San Diego): those who
    # practise the kind of therapy chosen come first.
    assert set(shown) == IN_CALIFORNIA
    assert set(shown[:2]) == {"fictional-ada-downtown", "fictional-cy-sandiego"}


# Find Your Match ----------------------------------------------------------------------


def match_form(client):
    return form_on(client.get(MATCH), action=MATCH)


def test_find_your_match_untouched_shows_every_listed_therapist(client, directory):
    # No answer is no preference, as everywhere else: nobody is ruled out, and no need is
    # counted that the person did not choose.
    results = match_form(client).submit(client, MATCH)
    assert set(therapists_shown(results)) == set(PEOPLE)
    assert "Matches" not in page_text(results)


def test_find_your_match_with_a_kind_of_therapy_only_puts_its_specialists_first(client, directory):
    results = match_form(client).submit(client, MATCH, modality=FOCUSED)
    shown = therapists_shown(results)
    assert set(shown[: len(PRACTISING_FOCUSED)]) == PRACTISING_FOCUSED
    assert page_text(results).count("Matches 1 of your 1 need") == len(PRACTISING_FOCUSED)


def test_find_your_match_with_a_zip_code_only_counts_that_one_need(client, directory):
    results = match_form(client).submit(client, MATCH, zip_code=ZIP_DOWNTOWN_LA)

    assert set(therapists_shown(results)) == IN_CALIFORNIA
    text = page_text(results)
    # Only what the person chose is a need: here the place alone (issue 12, item 6).
    assert text.count("Matches 1 of your 1 need") == len(IN_CALIFORNIA), text


def test_find_your_match_with_a_state_only_finds_telehealth_there(client, directory):
    results = match_form(client).submit(client, MATCH, state="CA")

    assert therapists_shown(results) == ["fictional-cy-sandiego"]
    assert "miles of there" not in page_text(results)


def test_find_your_match_filled_ranks_who_meets_most(client, directory):
    form = match_form(client)
    results = form.submit(client, MATCH, zip_code=ZIP_DOWNTOWN_LA, modality=OTHER)

    shown = therapists_shown(results)
    assert set(shown) == IN_CALIFORNIA
    assert shown[0] == "fictional-ben-pasadena"

"""A profile's way back: "Back to results" to the very search it came from (and nothing
else), the breadcrumb, and one canonical address whatever the link carried."""

import datetime
import re
from html import unescape
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_city, make_modality, make_therapist, page_links, page_text

STEVEN = "/therapists/steven-su/"


def view_profile_link(response, name):
    """The href of the "View profile" link on `name`'s card."""
    body = response.content.decode()
    card = next(
        c for c in re.findall(r'<article class="card">.*?</article>', body, re.S) if name in c
    )
    return unescape(re.search(r'<a href="([^"]+)"[^>]*>View profile</a>', card)[1])


def back_link(response):
    """(href, text) of the link above the profile: "Back to results" or "All therapists"."""
    found = re.search(
        r'<p class="back"><a href="([^"]*)">([^<]+)</a></p>', response.content.decode()
    )
    return unescape(found[1]), found[2]


@pytest.mark.parametrize(
    "search",
    [
        "/therapists/?modality=interpersonal-therapy&state=CA&order=name",
        "/therapists/?near=92831&radius=50&order=distance",
        "/therapists/ca/fullerton/",
        "/therapists/ca/fullerton/interpersonal-therapy/",
        "/therapists/?state=CA&page=2",
    ],
)
def test_it_returns_from_a_profile_to_the_same_search(client, seeded, search):
    if search.endswith("page=2"):
        for number in range(25):
            make_therapist(f"Fictional Page Filler {number:02}", city=make_city("Fresno", "CA"))
    listing = client.get(search)
    assert listing.status_code == 200
    names = re.findall(r'<h3><a href="[^"]+"[^>]*>([^<]+)</a>', listing.content.decode())
    profile_url = view_profile_link(listing, names[0])
    profile = client.get(profile_url)
    assert profile.status_code == 200
    href, text = back_link(profile)
    assert text == "Back to results"
    again = client.get(href)
    assert again.status_code == 200
    assert page_text(again) == page_text(listing)
    # Only the profile's own address is canonical, whatever search the link carried.
    slug = profile_url.split("?")[0]
    assert f'<link rel="canonical" href="http://testserver{slug}">' in profile.content.decode()


def test_it_gives_a_profile_reached_without_a_search_a_plain_link(client, seeded):
    assert back_link(client.get(STEVEN)) == ("/therapists/", "All therapists")
    listing = client.get("/therapists/")
    profile = client.get(view_profile_link(listing, "Steven Su"))
    assert back_link(profile) == ("/therapists/", "Back to results")


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/therapists/",
        "//evil.example/therapists/",
        "/\\evil.example/therapists/",
        "javascript:alert(1)",
        "/therapists/?state=CA&next=https://evil.example/",
        "/therapists/?state=CA&utm_source=mail",
        "/therapists/?" + "state=CA&" * 200,
        "/therapists/steven-su/",
        "/therapists/steven-su/contact/",
        "/admin/",
        "/modalities/?state=CA",
        "therapists/?state=CA",
        "/therapists/?state=CA#fragment",
        "/therapists/?state=<script>",
        "/therapists/?=CA",
        "/therapists/\x00",
        "\u202e/therapists/",
    ],
)
def test_it_gives_a_plain_link_for_any_other_back_value(client, seeded, back):
    response = client.get(STEVEN, {"back": back})
    assert response.status_code == 200
    assert back_link(response) == ("/therapists/", "All therapists")
    body = response.content.decode()
    assert "evil.example" not in body
    assert "<script>" not in body.split("</head>")[1]


def test_it_rewrites_a_good_back_value_from_its_parts(client, seeded):
    back = "/therapists/?state=CA&modality=&q=O%27Malley&near=90012-1234"
    href, text = back_link(client.get(STEVEN, {"back": back}))
    assert text == "Back to results"
    # Empty fields dropped, the rest written again, escaped.
    assert href == "/therapists/?state=CA&q=O%27Malley&near=90012-1234"


def test_it_shows_the_breadcrumb_to_the_state_and_city_listings(client, seeded):
    response = client.get(STEVEN)
    body = response.content.decode()
    crumbs = re.search(
        r'<nav class="breadcrumb" aria-label="Breadcrumb">\s*<ol>(.*?)</ol>', body, re.S
    )
    items = re.findall(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>', crumbs[1])
    assert [(href, text) for href, _, text in items] == [
        ("/", "Home"),
        ("/therapists/", "Therapists"),
        ("/therapists/?state=CA", "CA"),
        ("/therapists/ca/fullerton/", "Fullerton"),
        (STEVEN, "Steven Su"),
    ]
    assert [current for _, current, _ in items] == ["", "", "", "", ' aria-current="page"']
    for href, _, _ in items[:-1]:
        assert client.get(href).status_code == 200


def test_it_leaves_places_out_of_the_breadcrumb_of_a_listing_without_an_office(client, db):
    therapist = make_therapist("Fictional Online Only")
    therapist.locations.all().delete()
    response = client.get(therapist.get_absolute_url())
    assert response.status_code == 200
    assert "Home Therapists Fictional Online Only" in page_text(response)


def test_it_answers_the_questions_in_order_with_a_contact_button_first(client, steven_with_account):
    response = client.get(STEVEN)
    text = page_text(response)
    order = [
        "Steven Su",
        "Licensed Clinical Social Worker in Fullerton, CA",
        "Availability not confirmed recently",
        "Contact Steven Su",
        "In their own words",
        "Practice",
        "Licenses",
    ]
    start = text.index("All therapists")
    positions = [text.index(part, start) for part in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    assert (f"{STEVEN}contact/", "Contact Steven Su") in page_links(response)


def test_it_marks_a_demo_listing_as_fictional(client, db):
    demo = make_therapist("Fictional Demo Person", is_demo=True)
    real = make_therapist("Fictional Real Person")
    assert "Demo listing" in page_text(client.get(demo.get_absolute_url()))
    assert "Demo listing" not in page_text(client.get(real.get_absolute_url()))


def test_it_shows_that_a_license_was_verified_and_when_but_not_by_whom(client, db, admin_user):
    therapist = make_therapist("Fictional Checked", modalities=[make_modality("Alpha Therapy")])
    therapist.licenses.update(
        verified_at=timezone.now() - datetime.timedelta(days=5),
        verified_by=admin_user,
        verification_source="https://board.example/lookup/123",
    )
    response = client.get(therapist.get_absolute_url())
    text = page_text(response)
    verified = timezone.localtime(timezone.now() - datetime.timedelta(days=5))
    assert f"License verified {verified:%B %Y}" in text
    assert admin_user.username not in text
    assert "board.example" not in response.content.decode()


def test_it_costs_the_same_five_queries_with_a_back_link(client, seeded, django_assert_num_queries):
    back = quote("/therapists/?state=CA", safe="")
    # the therapist; licenses with credentials; locations with cities; live quotes with
    # modalities; modalities, concerns, languages, formats, ages and insurance (one query).
    # The back link is checked against the URL patterns, without the database.
    with django_assert_num_queries(5):
        assert client.get(f"{STEVEN}?back={back}").status_code == 200


@pytest.fixture
def cached(transactional_db, seeded, redis_cache):
    """The page cache on, in a real Redis."""


def test_it_caches_the_bare_profile_but_never_a_copy_per_search(client, cached):
    client.get(STEVEN)
    with CaptureQueriesContext(connection) as queries:
        bare = client.get(STEVEN)
    assert len(queries) == 0
    assert back_link(bare) == ("/therapists/", "All therapists")
    for back in ("/therapists/?state=CA", "/therapists/?state=CA", "//evil.example/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(STEVEN, {"back": back})
        assert len(queries) > 0  # built afresh, each time
        expected = "Back to results" if back.startswith("/therapists/") else "All therapists"
        assert back_link(response)[1] == expected
    assert back_link(client.get(STEVEN)) == ("/therapists/", "All therapists")

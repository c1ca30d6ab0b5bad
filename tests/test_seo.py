"""What search engines read: the sitemap, robots.txt and the JSON-LD on profiles and modalities."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.contrib.sitemaps import Sitemap
from django.utils.timezone import localdate

from modalities.models import Modality
from tests.conftest import (
    as_shown,
    make_city,
    make_credential,
    make_modality,
    make_therapist,
    seed_page,
)
from therapists.models import Location, Therapist

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://testserver"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def sitemap_root(response, tag):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS['sm']}}}{tag}"
    return root


def sitemap_pages(client, **request):
    """The <loc> of every sitemap page that /sitemap.xml, the index, lists."""
    index = sitemap_root(client.get("/sitemap.xml", **request), "sitemapindex")
    return [
        sitemap.findtext("sm:loc", namespaces=SITEMAP_NS)
        for sitemap in index.findall("sm:sitemap", SITEMAP_NS)
    ]


def sitemap_page_entries(response):
    """{loc: lastmod or None} for every <url> of one sitemap page."""
    entries = {}
    for url in sitemap_root(response, "urlset").findall("sm:url", SITEMAP_NS):
        loc = url.findtext("sm:loc", namespaces=SITEMAP_NS)
        assert loc not in entries, f"{loc} is listed twice"
        entries[loc] = url.findtext("sm:lastmod", namespaces=SITEMAP_NS)
    return entries


def sitemap_entries(client, *, limit=50_000, **request):
    """{loc: lastmod or None} for every URL on every page the index lists, as a crawler
    reads them; no page holds more than `limit` URLs and no URL is listed twice."""
    entries = {}
    for page in sitemap_pages(client, **request):
        parts = urlsplit(page)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        page_entries = sitemap_page_entries(client.get(path, **request))
        assert 0 < len(page_entries) <= limit, page
        assert not entries.keys() & page_entries.keys(), f"{page} repeats URLs"
        entries |= page_entries
    return entries


def structured_data(response):
    """The one JSON-LD block of a page, decoded."""
    assert response.status_code == 200
    body = response.content.decode()
    blocks = LD_JSON.findall(body)
    assert len(blocks) == 1
    assert body.index('<script type="application/ld+json">') < body.index("</head>")
    return json.loads(blocks[0])


@pytest.fixture
def hidden_pages(seeded):
    """Pages that exist in the database but must stay out of the sitemap, and one that must not."""
    draft = make_modality("Draft Modality", is_published=False)
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    # Listed, in a city of its own, practising only an unpublished modality: the city's
    # page is in, the city + draft modality page is not.
    make_therapist(
        "Fictional Draft Practitioner", city=make_city("Springfield", "IL"), modalities=[draft]
    )
    # Unlisted: neither the profile nor its city's pages may appear.
    make_therapist(
        "Fictional Unlisted Therapist",
        city=make_city("Shelbyville", "IL"),
        modalities=[ipt],
        is_listed=False,
    )
    make_city("Ogdenville", "IL")  # no therapist at all


def test_it_lists_the_seeded_pages_in_the_sitemap(client, seeded):
    entries = sitemap_entries(client)
    assert f"{BASE}/modalities/interpersonal-therapy/" in entries
    listed = Therapist.objects.listed()
    assert listed.count() == 10
    for therapist in listed:
        assert f"{BASE}/therapists/{therapist.slug}/" in entries
    # last modified on the site's calendar: midnight UTC is the evening before in New York
    steven = listed.get(slug="steven-su")
    assert entries[f"{BASE}/therapists/steven-su/"] == f"{localdate(steven.updated_at):%Y-%m-%d}"
    assert f"{BASE}/therapists/ca/los-angeles/" in entries
    assert f"{BASE}/therapists/ca/los-angeles/interpersonal-therapy/" in entries
    assert f"{BASE}/therapists/ga/atlanta/interpersonal-therapy/" in entries


def test_it_lists_a_published_modality_page_even_before_anyone_practises_it(client, seeded):
    entries = sitemap_entries(client)
    assert f"{BASE}/modalities/cognitive-behavioral-therapy/" in entries
    # ...but no landing page that would list nobody
    assert f"{BASE}/therapists/ca/los-angeles/cognitive-behavioral-therapy/" not in entries


def test_it_leaves_unpublished_unlisted_and_empty_pages_out_of_the_sitemap(client, hidden_pages):
    entries = sitemap_entries(client)
    assert f"{BASE}/therapists/fictional-draft-practitioner/" in entries
    assert f"{BASE}/therapists/il/springfield/" in entries
    for absent in [
        "/modalities/draft-modality/",
        "/therapists/il/springfield/draft-modality/",
        "/therapists/fictional-unlisted-therapist/",
        "/therapists/il/shelbyville/",
        "/therapists/il/shelbyville/interpersonal-therapy/",
        "/therapists/il/ogdenville/",
    ]:
        assert f"{BASE}{absent}" not in entries
    assert not [loc for loc in entries if "draft-modality" in loc or "unlisted" in loc]
    # the ten seeded cities and Springfield; IPT in each seeded city
    landing = [loc for loc in entries if re.fullmatch(rf"{BASE}/therapists/[a-z]{{2}}/.+", loc)]
    assert len([loc for loc in landing if loc.count("/") == 6]) == 11
    assert len([loc for loc in landing if loc.count("/") == 7]) == 10


def test_it_lists_a_city_once_whatever_number_of_therapists_and_offices_it_has(client, seeded):
    los_angeles = make_city("Los Angeles", "CA")
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    for number in range(3):
        therapist = make_therapist(
            f"Fictional Angeleno {number}", city=los_angeles, modalities=[ipt]
        )
        Location.objects.create(therapist=therapist, city=los_angeles)
    # sitemap_entries fails on a URL listed twice
    entries = sitemap_entries(client)
    assert f"{BASE}/therapists/ca/los-angeles/interpersonal-therapy/" in entries


def test_it_lists_a_landing_page_for_a_second_office_of_a_therapist(client, seeded):
    steven = Therapist.objects.get(slug="steven-su")
    Location.objects.create(therapist=steven, city=make_city("Anaheim", "CA"))
    entries = sitemap_entries(client)
    assert f"{BASE}/therapists/ca/anaheim/" in entries
    assert f"{BASE}/therapists/ca/anaheim/interpersonal-therapy/" in entries


def test_it_lists_only_pages_that_answer(client, hidden_pages):
    entries = sitemap_entries(client)
    assert len(entries) > 40
    for loc in entries:
        assert loc.startswith(f"{BASE}/")
        assert client.get(urlsplit(loc).path).status_code == 200, loc


def test_it_uses_the_scheme_and_host_of_the_request(client, seeded, settings):
    settings.ALLOWED_HOSTS = ["directory.example"]
    request = {"secure": True, "headers": {"host": "directory.example"}}
    assert all(
        page.startswith("https://directory.example/sitemap-")
        for page in sitemap_pages(client, **request)
    )
    entries = sitemap_entries(client, **request)
    assert entries
    assert all(loc.startswith("https://directory.example/") for loc in entries)
    assert "https://directory.example/therapists/steven-su/" in entries


@pytest.mark.parametrize("extra_therapists", [0, 12])
def test_it_builds_the_sitemap_index_and_each_page_in_a_fixed_number_of_queries(
    client, seeded, django_assert_num_queries, extra_therapists
):
    modalities = [make_modality(f"Sample Modality {number}") for number in range(3)]
    for number in range(extra_therapists):
        make_therapist(
            f"Fictional Specialist {number:02}",
            city=make_city(f"Sample City {number % 4}", "OR"),
            modalities=modalities[: number % 3 + 1],
        )
    # for each edition, English and Spanish: a count for each section (modalities, cities,
    # (city, modality) pairs, therapists) and the latest change of modalities and of
    # therapists
    with django_assert_num_queries(12):
        pages = sitemap_pages(client)
    sections = ["modalities", "cities", "city-modalities", "therapists"]
    assert [urlsplit(page).path for page in pages] == [
        *(f"/sitemap-{section}.xml" for section in sections),
        *(f"/sitemap-{section}-es.xml" for section in sections),
    ]
    for page in pages:
        # the paginator's count and the page's rows
        with django_assert_num_queries(2):
            assert client.get(urlsplit(page).path).status_code == 200
    # in each edition: 21 modalities, 10 cities, 10 pairs, 10 therapists seeded, 3 sample
    # modalities; then 4 cities with 3 modalities each, and the 12 therapists
    assert len(sitemap_entries(client)) == 2 * {0: 54, 12: 82}[extra_therapists]


def test_it_splits_the_sitemap_into_pages_of_at_most_the_limit_listing_every_therapist(
    client, seeded, monkeypatch, django_assert_num_queries
):
    # 50,000 URLs a page in production; 3 here, so 17 therapists need 6 pages.
    monkeypatch.setattr(Sitemap, "limit", 3)
    for number in range(7):
        make_therapist(f"Fictional Specialist {number:02}", city=make_city("Springfield", "IL"))
    pages = sitemap_pages(client)
    therapist_pages = [page for page in pages if "/sitemap-therapists.xml" in page]
    assert therapist_pages == [f"{BASE}/sitemap-therapists.xml"] + [
        f"{BASE}/sitemap-therapists.xml?p={number}" for number in range(2, 7)
    ]
    with django_assert_num_queries(2):
        assert client.get("/sitemap-therapists.xml?p=6").status_code == 200
    entries = sitemap_entries(client, limit=3)
    listed = Therapist.objects.listed()
    assert listed.count() == 17
    for therapist in listed:
        assert f"{BASE}/therapists/{therapist.slug}/" in entries
    assert client.get("/sitemap-therapists.xml?p=7").status_code == 404


def test_it_tells_robots_what_to_skip_and_where_the_sitemap_is(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ["/admin/", "/accounts/", "/profile/", "/match/", "/es/profile/", "/es/match/"]:
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_it_points_robots_to_the_sitemap_on_the_host_they_asked(client, db, settings):
    settings.ALLOWED_HOSTS = ["directory.example"]
    response = client.get("/robots.txt", secure=True, headers={"host": "directory.example"})
    assert "Sitemap: https://directory.example/sitemap.xml" in response.content.decode()


def test_it_describes_a_seeded_profile_as_a_person(client, seeded):
    data = structured_data(client.get("/therapists/steven-su/"))
    assert data == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Steven Su",
        "url": f"{BASE}/therapists/steven-su/",
        "jobTitle": "Licensed Clinical Social Worker",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Fullerton",
            "addressRegion": "CA",
            "addressCountry": "US",
        },
        "knowsAbout": ["Interpersonal Therapy"],
    }


def test_it_describes_the_primary_office_and_published_contact_details(client, db):
    published = make_modality("Sample Modality")
    draft = make_modality("Draft Modality", is_published=False)
    therapist = make_therapist(
        "Fictional Full Profile",
        city=make_city("Springfield", "IL"),
        credential=make_credential("Licensed Sample Counselor"),
        modalities=[published, draft],
        phone="555-0100",
        email="office@example.org",
    )
    Location.objects.filter(therapist=therapist).update(
        street_address="742 Evergreen Terrace", postal_code="62704"
    )
    Location.objects.create(
        therapist=therapist, city=make_city("Shelbyville", "IL"), postal_code="62565"
    )
    data = structured_data(client.get(therapist.get_absolute_url()))
    assert data["jobTitle"] == "Licensed Sample Counselor"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "742 Evergreen Terrace",
        "addressLocality": "Springfield",
        "addressRegion": "IL",
        "postalCode": "62704",
        "addressCountry": "US",
    }
    assert data["knowsAbout"] == ["Sample Modality"]
    assert data["telephone"] == "555-0100"
    assert data["email"] == "office@example.org"


def test_it_describes_a_profile_without_license_or_office_by_name_and_url(client, db):
    therapist = Therapist.objects.create(display_name="Fictional Newcomer", slug="newcomer")
    assert structured_data(client.get(therapist.get_absolute_url())) == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Fictional Newcomer",
        "url": f"{BASE}/therapists/newcomer/",
    }


def test_it_adds_no_query_to_the_profile_for_its_structured_data(
    client, db, django_assert_num_queries
):
    therapist = make_therapist(
        "Fictional Busy Therapist",
        modalities=[make_modality("Sample Modality"), make_modality("Other Modality")],
    )
    Location.objects.create(therapist=therapist, city=make_city("Shelbyville", "IL"))
    # the therapist; licenses with credentials; locations with cities; live quotes with
    # modalities; modalities, concerns, languages, formats, ages and insurance (one query)
    with django_assert_num_queries(5):
        response = client.get(therapist.get_absolute_url())
    assert structured_data(response)["knowsAbout"] == ["Other Modality", "Sample Modality"]


def test_it_describes_the_ipt_page_as_a_medical_web_page(client, seeded):
    overview, _ = seed_page()
    data = structured_data(client.get("/modalities/interpersonal-therapy/"))
    assert data == {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": "Interpersonal Therapy (IPT)",
        "inLanguage": "en",
        "url": f"{BASE}/modalities/interpersonal-therapy/",
        "description": as_shown(overview).split("\n\n")[0],
        "about": {
            "@type": "MedicalTherapy",
            "name": "Interpersonal Therapy",
            "alternateName": "IPT",
        },
        "lastReviewed": "2026-11-25",
    }
    assert data["description"].startswith("Interpersonal therapy, or IPT, is a short-term")


def test_it_describes_a_modality_page_by_its_first_paragraph(client, db):
    modality = make_modality(
        "Sample Modality", overview="First paragraph.\n\nSecond paragraph.", reviewed_on=None
    )
    data = structured_data(client.get(modality.get_absolute_url()))
    assert data["description"] == "First paragraph."
    assert data["about"] == {"@type": "MedicalTherapy", "name": "Sample Modality"}
    assert "lastReviewed" not in data


HOSTILE = "</script><script>alert(1)</script>"


def test_it_keeps_a_hostile_name_inside_the_json_ld_element(client, db):
    therapist = make_therapist(HOSTILE, phone="<!-- & -->")
    response = client.get(therapist.get_absolute_url())
    body = response.content.decode()
    assert "</script><script>" not in body
    assert "<script>" not in body
    assert "<!--" not in body
    data = structured_data(response)
    assert data["name"] == HOSTILE == therapist.display_name
    assert data["telephone"] == "<!-- & -->"


def test_it_keeps_a_hostile_overview_inside_the_json_ld_element(client, db):
    modality = make_modality("Sample Modality", overview=f"{HOSTILE} & more.")
    response = client.get(modality.get_absolute_url())
    body = response.content.decode()
    assert "</script><script>" not in body
    assert "<script>" not in body
    assert structured_data(response)["description"] == f"{HOSTILE} & more."

"""Anonymous pages come from the cache until anything they show changes."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from modalities.versioned_cache import content_version
from tests.conftest import admin_form_data, page_text
from tests.redis_server import fetch
from therapists.models import Quote, Therapist

IPT_PAGE = "/modalities/interpersonal-therapy/"
PASSWORD = "a-long-enough-fictional-passphrase"


@pytest.fixture
def cached(transactional_db, seeded, redis_cache):
    """The page cache on, in a real Redis every process would share; edits
    commit, as they do on the site, so they invalidate (on commit)."""


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("staff@example.org", "staff@example.org", PASSWORD)


def test_it_serves_a_second_anonymous_visit_without_touching_the_database(
    client, cached, django_assert_num_queries
):
    first = client.get(IPT_PAGE)
    with django_assert_num_queries(0):
        second = client.get(IPT_PAGE)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["X-Frame-Options"] == "DENY"
    assert second["X-Content-Type-Options"] == "nosniff"
    assert not second.cookies


def test_it_caches_each_address_separately(client, cached):
    client.get("/therapists/?state=CA")
    assert "6 therapists" in page_text(client.get("/therapists/?state=CA"))
    assert "10 therapists" in page_text(client.get("/therapists/"))


def test_it_shows_an_approved_quote_at_once(client, cached, staff):
    client.get(IPT_PAGE)
    quote = Quote.objects.get(therapist__slug="steven-su")
    quote.submit("Words approved a moment ago.")
    assert "Words approved a moment ago." not in page_text(client.get(IPT_PAGE))
    reviewer = Client()
    reviewer.force_login(staff)
    reviewer.post(
        reverse("admin:therapists_pendingquote_changelist"),
        # The queue page tells the action which draft the reviewer read.
        {
            "action": "approve",
            "_selected_action": [quote.pk],
            f"seen_draft_{quote.pk}": quote.draft_version,
        },
    )
    assert "Words approved a moment ago." in page_text(client.get(IPT_PAGE))


def test_it_shows_a_curators_edit_at_once(client, cached, staff):
    client.get(IPT_PAGE)
    curator = Client()
    curator.force_login(staff)
    page = curator.get(reverse("admin:modalities_modality_change", args=[1]))
    data = {**admin_form_data(page), "overview": "A curated overview, shown at once."}
    assert (
        curator.post(reverse("admin:modalities_modality_change", args=[1]), data).status_code == 302
    )
    assert "A curated overview, shown at once." in page_text(client.get(IPT_PAGE))


def test_it_shows_a_therapists_listing_change_at_once(client, cached):
    profile = "/therapists/steven-su/"
    client.get(profile)
    user = User.objects.create_user("steven@example.org", "steven@example.org", PASSWORD)
    Therapist.objects.filter(slug="steven-su").update(user=user)
    therapist_client = Client()
    therapist_client.force_login(user)
    therapist_client.post(
        "/profile/edit/",
        {"headline": "A new headline, shown at once.", "modalities": ["1"], "in_person": "on"},
    )
    assert "A new headline, shown at once." in page_text(client.get(profile))
    assert "A new headline, shown at once." in page_text(client.get("/therapists/?state=CA"))


def test_it_asks_the_database_for_signed_in_visitors_every_time(client, cached, staff):
    client.get(IPT_PAGE)  # in the cache for anonymous visitors now
    signed_in = Client()
    signed_in.force_login(staff)
    signed_in.get(IPT_PAGE)
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(IPT_PAGE)
    assert len(queries) > 0


def test_it_never_caches_private_pages_or_errors(client, cached):
    client.get("/accounts/login/")
    client.get("/therapists/nobody/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/therapists/nobody/").status_code == 404
    assert len(queries) > 0


def test_it_never_caches_a_match_result(client, cached):
    answers = {"state": "CA"}
    first = client.post("/match/", answers)
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        client.post("/match/", answers)
    assert len(queries) > 0


def test_it_never_caches_the_health_check(client, cached, redis_server):
    assert client.get("/healthz").status_code == 200
    assert redis_server.entries() == []


# Keys: validated, normalised parameters only -------------------------------------------


def test_it_stores_one_page_for_400_junk_query_strings(live_server, cached, redis_server):
    for n in range(400):
        assert fetch(live_server, f"/therapists/steven-su/?utm_source=x{n}")[0] == 200
    assert len(redis_server.entries()) == 1


def test_it_stores_a_listing_once_whatever_noise_or_order_its_address_carries(
    live_server, cached, settings, redis_server
):
    for n in range(20):
        assert fetch(live_server, f"/therapists/?state=CA&utm_source=x{n}")[0] == 200
    for address in ["?state=CA", "?state=CA&telehealth=on"]:
        assert fetch(live_server, "/therapists/" + address)[0] == 200
    # Empty fields: sent on to the address without them, never answered from its copy.
    status, _body, headers = fetch(live_server, "/therapists/?q=&state=CA&near=")
    assert (status, headers["Location"]) == (301, "/therapists/?state=CA")
    assert fetch(live_server, "/therapists/?telehealth=on&state=CA&utm_source=y")[0] == 200
    assert len(redis_server.entries()) == 2


def test_it_stores_no_page_for_junk_values_of_known_parameters(
    live_server, cached, settings, redis_server
):
    for n in range(5):
        fetch(live_server, f"/therapists/?telehealth=x{n}")
        fetch(live_server, f"/therapists/?page={'0' * (n + 1)}1")
        fetch(live_server, f"/therapists/?radius={'0' * (n + 1)}5")
        fetch(live_server, f"/therapists/?state=Z{n}")  # an error message on the page
        fetch(live_server, f"/therapists/?q=%20Su{'%20' * (n + 1)}")
        fetch(live_server, f"/therapists/?q=Su{n}")  # free text: a copy per search otherwise
        fetch(
            live_server,
            f"/therapists/?modality={'&modality='.join(['interpersonal-therapy'] * (n + 2))}",
        )
        fetch(live_server, f"/sitemap-therapists.xml?p=0{n}")
    assert redis_server.entries() == []


def test_it_serves_either_order_of_the_same_filters_from_one_copy(
    client, cached, django_assert_num_queries
):
    client.get("/therapists/", {"state": "CA", "modality": ["interpersonal-therapy"]})
    with django_assert_num_queries(0):
        again = client.get("/therapists/?modality=interpersonal-therapy&utm_medium=x&state=CA")
    assert "6 therapists" in page_text(again)


def test_it_caches_http_and_https_separately(client, cached):
    assert "Sitemap: http://testserver/" in client.get("/robots.txt").content.decode()
    assert "Sitemap: https://testserver/" in client.get("/robots.txt", secure=True).content.decode()
    client.get("/therapists/steven-su/")
    secure = client.get("/therapists/steven-su/", secure=True).content.decode()
    assert '"url": "https://testserver/therapists/steven-su/"' in secure


# Invalidation: after commit, and only for what the public sees --------------------------


def test_it_moves_the_content_version_only_when_the_edit_commits(cached):
    before = content_version()
    with transaction.atomic():
        Therapist.objects.get(slug="steven-su").save()
        assert content_version() == before
    assert content_version() != before


def test_it_never_stores_a_page_read_before_the_edit_committed(live_server, cached, redis_server):
    profile = "/therapists/steven-su/"
    with transaction.atomic():
        therapist = Therapist.objects.get(slug="steven-su")
        therapist.is_listed = False
        therapist.save()
        # Another connection still reads the committed row (on PostgreSQL) and may cache it.
        fetch(live_server, profile)
    assert fetch(live_server, profile)[0] == 404


def assert_pages_kept(client, change):
    client.get(IPT_PAGE)
    before = content_version()
    change()
    assert content_version() == before


def test_it_keeps_cached_pages_when_an_account_joins_a_group(client, cached, staff):
    group = Group.objects.create(name="Curators")
    assert_pages_kept(client, lambda: staff.groups.add(group))


def test_it_keeps_cached_pages_when_a_draft_is_submitted_withdrawn_or_sent_back(
    client, cached, staff
):
    quote = Quote.objects.get(therapist__slug="steven-su")
    assert_pages_kept(client, lambda: quote.submit("A draft no visitor sees."))
    assert_pages_kept(client, quote.withdraw)
    quote.submit("A draft staff send back.")
    assert_pages_kept(
        client,
        lambda: Quote.objects.filter(pk=quote.pk).send_back(
            staff, "Too long.", {quote.pk: quote.draft_version}
        ),
    )


def test_it_empties_the_cache_when_an_account_is_linked_to_a_listing(client, cached):
    # Its profile and card then offer the contact form instead of the claim (item 13).
    therapist = Therapist.objects.get(slug="steven-su")
    therapist.user = User.objects.create_user("su@example.org", "su@example.org", PASSWORD)
    client.get(IPT_PAGE)
    before = content_version()
    therapist.save(update_fields=["user", "updated_at"])
    assert content_version() != before


def test_it_empties_the_cache_when_a_listings_modalities_change(client, cached):
    therapist = Therapist.objects.get(slug="steven-su")
    client.get(IPT_PAGE)
    before = content_version()
    therapist.modalities.clear()
    assert content_version() != before


# Only a cache every process shares -----------------------------------------------------


@pytest.fixture
def memory_cache(settings, seeded):
    """Caching asked for, but in this process's memory only: what no REDIS_URL gives."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_it_caches_no_page_in_a_single_processes_memory(client, memory_cache):
    client.get(IPT_PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(IPT_PAGE).status_code == 200
    assert len(queries) > 0


def test_it_caches_in_memory_only_without_redis_url():
    """The settings without REDIS_URL: a memory cache, which the page cache then leaves alone."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    code = (
        "import django; django.setup();"
        "from django.core.cache import caches;"
        "from modalities.versioned_cache import shared_cache;"
        "print(type(caches['default']).__name__, shared_cache())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "directory.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split()[-2:] == ["LocMemCache", "None"]

"""Anonymous pages come from the cache until anything they show changes."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import admin_form_data, page_text
from therapists.models import Quote, Therapist

IPT_PAGE = "/modalities/interpersonal-therapy/"
PASSWORD = "a-long-enough-fictional-passphrase"


@pytest.fixture
def cached(settings, seeded):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


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


def test_it_reuses_facet_counts_until_the_content_changes(
    client, settings, seeded, django_assert_num_queries
):
    settings.COUNT_CACHE_SECONDS = 600
    cache.clear()
    client.get("/therapists/", {"state": "CA"})
    # the vocabulary, the page of therapists, their licenses and locations: no counting
    with django_assert_num_queries(4):
        response = client.get("/therapists/", {"state": "CA", "page": "1"})
    assert "6 therapists" in page_text(response)
    Therapist.objects.filter(slug="steven-su").update(is_listed=False)  # no signal: unseen
    Therapist.objects.get(slug="jenny-moon").save()  # a signal: every count is stale
    assert "5 therapists" in page_text(client.get("/therapists/", {"state": "CA"}))
    cache.clear()

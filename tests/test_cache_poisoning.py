"""A page the cache stores is the page its clean address shows: no request, however odd its
query, stores an error page, or a page of another search, under the clean address."""

import pytest

from tests.conftest import page_text
from tests.redis_server import fetch

HOME_SEARCH_UNTOUCHED = "/therapists/?modality=&near=&state="


@pytest.fixture
def cached(settings, redis_cache, seeded):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.mark.parametrize(
    "first, clean",
    [
        (HOME_SEARCH_UNTOUCHED, "/therapists/"),
        ("/therapists/?concern=", "/therapists/"),
        ("/therapists/?modality=no-such-kind", "/therapists/"),
        ("/therapists/ca/fullerton/?concern=", "/therapists/ca/fullerton/"),
        ("/therapists/ca/los-angeles/?age=&telehealth=", "/therapists/ca/los-angeles/"),
    ],
)
def test_it_never_serves_another_requests_page_from_the_clean_address(
    live_server, transactional_db, cached, first, clean
):
    fetch(live_server, first)
    for _ in range(3):
        status, body, _headers = fetch(live_server, clean)
        assert status == 200
        assert "could not be used" not in body
        assert "noindex" not in body
        assert "=&" not in body and "=&quot;" not in body


def test_it_treats_the_home_searchs_untouched_fields_as_no_filter(client, seeded):
    everyone = page_text(client.get("/therapists/"))
    untouched = client.get(HOME_SEARCH_UNTOUCHED, follow=True)

    # Sent on to the one address of this search (issue 12), which lists everyone.
    assert untouched.redirect_chain == [("/therapists/", 301)]
    assert untouched.status_code == 200
    assert "could not be used" not in page_text(untouched)
    assert "10 therapists" in everyone
    assert "10 therapists" in page_text(untouched)

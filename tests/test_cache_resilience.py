"""The cache only accelerates: with Redis gone or full the site answers, and writes land whole.

Real HTTP against pytest-django's live server, with a real Redis (tests/redis_server.py) or
a port where nothing listens.
"""

import re
import urllib.parse
from http.cookies import SimpleCookie

import pytest
from django.test import Client

from modalities.models import Concern, Modality
from modalities.versioned_cache import content_version
from tests.redis_server import RedisServer, fetch, use_cache
from therapists.models import Therapist

PUBLIC_PAGES = [
    "/",
    "/modalities/",
    "/modalities/interpersonal-therapy/",
    "/therapists/",
    "/therapists/?state=CA",
    "/therapists/ca/los-angeles/",
    "/therapists/steven-su/",
    "/robots.txt",
    "/sitemap.xml",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_serves_every_public_page_while_the_cache_is_down(live_server, seeded, dead_cache, path):
    assert fetch(live_server, path)[0] == 200
    assert fetch(live_server, path)[0] == 200


def test_it_answers_a_missing_page_with_404_while_the_cache_is_down(
    live_server, seeded, dead_cache
):
    assert fetch(live_server, "/therapists/nobody-by-that-name/")[0] == 404


def test_it_saves_a_profile_whole_while_the_cache_is_down(
    live_server, seeded, dead_cache, django_user_model
):
    user = django_user_model.objects.create_user("editor@example.org", "editor@example.org")
    Therapist.objects.filter(slug="steven-su").update(user=user)
    signed_in = Client()
    signed_in.force_login(user)
    cookies = {"sessionid": signed_in.cookies["sessionid"].value}
    status, form, headers = fetch(live_server, "/profile/edit/", cookies=cookies)
    assert status == 200
    cookies["csrftoken"] = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    modality = Modality.objects.get(slug="interpersonal-therapy")
    concern = Concern.objects.order_by("pk").first()
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "headline": "Saved while the cache was down.",
            "modalities": modality.pk,
            "concerns": concern.pk,
            "in_person": "on",
        }
    ).encode()

    status, _body, headers = fetch(live_server, "/profile/edit/", data=body, cookies=cookies)

    assert status == 302
    assert headers["Location"] == "/profile/"
    therapist = Therapist.objects.get(slug="steven-su")
    assert therapist.headline == "Saved while the cache was down."
    assert list(therapist.concerns.all()) == [concern]
    assert list(therapist.modalities.all()) == [modality]


# The task queue's line (issue 20, item 2): nothing waits in these tests.
NO_TASKS = "tasks: none waiting\n"


def test_it_names_the_cache_state_in_the_health_check(live_server, db, settings, redis_server):
    settings.PAGE_CACHE_SECONDS = 600
    use_cache(settings, redis_server.url)
    assert fetch(live_server, "/healthz")[:2] == (200, "ok\ndatabase: ok\ncache: ok\n" + NO_TASKS)

    use_cache(settings, RedisServer().url)  # a port where nothing listens
    unavailable = "ok\ndatabase: ok\ncache: unavailable\n" + NO_TASKS
    assert fetch(live_server, "/healthz")[:2] == (200, unavailable)

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert fetch(live_server, "/healthz")[:2] == (
        200,
        "ok\ndatabase: ok\ncache: off (not shared between processes)\n" + NO_TASKS,
    )


def test_it_serves_pages_and_records_edits_while_redis_is_full(
    live_server, seeded, redis_cache, redis_server
):
    """Redis at maxmemory with noeviction refuses every write; pages and edits must not care."""
    profile = "/therapists/steven-su/"
    assert fetch(live_server, profile)[0] == 200  # cached now
    assert redis_server.entries()
    version = content_version()
    server = redis_server.client()
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", "1")
    try:
        therapist = Therapist.objects.get(slug="steven-su")
        therapist.is_listed = False
        therapist.save()  # the version cannot be moved: Redis refuses the write
        assert fetch(live_server, "/therapists/?utm_source=full")[0] == 200
        assert fetch(live_server, profile)[0] == 404
    finally:
        server.config_set("maxmemory", "0")
    # Redis takes writes again: the edit it missed is recorded, so the old page is gone.
    assert fetch(live_server, profile)[0] == 404
    assert content_version() != version


def test_it_leaves_a_dead_cache_alone_for_a_while_after_it_failed(
    client, seeded, dead_cache, caplog
):
    """One refused connection, then the next requests go straight to the database."""
    for _ in range(3):
        assert client.get("/therapists/steven-su/").status_code == 200
    failures = [record for record in caplog.records if record.name == "directory.cache"]
    assert len(failures) == 1
    assert "Connection" in failures[0].getMessage()

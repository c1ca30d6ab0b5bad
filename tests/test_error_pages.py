"""The site's own error pages: 404 for a page that does not exist, 503 "try again shortly"
when the database does not answer, 500 otherwise, 400 and 403; each with the crisis line
and a way back, none needing the database, none setting a cookie or running a script.

tests/test_production_recipe.py shows the same with gunicorn and a database that is down;
here views that fail as a lost database connection fails show the pages in detail, and a
database that does not answer is a connection to an address where nothing listens.
"""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection, connections
from django.db.utils import InterfaceError
from django.http import Http404
from django.test import Client
from django.urls import path

from directory import urls as site_urls
from tests.conftest import page_links, page_text
from tests.test_security import assert_runs_under_the_policy, assert_security_headers


def connection_refused(request):
    raise OperationalError("connection to server at 127.0.0.1, port 1 failed: refused")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise ValueError("a bug, not an outage")


def forbidden(request):
    raise PermissionDenied("staff only")


# What an exception says is for the log: the page must not repeat it, markup or not.
SECRET_DETAIL = "<b>internal detail</b> of the lookup"


def missing(request):
    raise Http404(SECRET_DETAIL)


# The site's URLs and error handlers (Django's own if the site names none), plus views
# that fail.
handler400 = getattr(site_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(site_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(site_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(site_urls, "handler500", "django.views.defaults.server_error")
urlpatterns = [
    *site_urls.urlpatterns,
    path("fails/refused/", connection_refused),
    path("fails/closed/", connection_closed),
    path("fails/bug/", bug),
    path("fails/forbidden/", forbidden),
    path("fails/missing/", missing),
]
pytestmark = pytest.mark.urls(__name__)

CRISIS_LINE = (
    "In crisis? In the US, call or text 988 (Suicide & Crisis Lifeline). In an emergency, call 911"
)


@pytest.fixture
def visitor(client):
    """A client that gets the error page, as a browser would, instead of the exception."""
    client.raise_request_exception = False
    # A session cookie: the error page must not read the session (it needs the database).
    client.cookies["sessionid"] = "a-session-the-database-would-have-to-look-up"
    return client


@pytest.fixture
def database_down(django_db_blocker):
    """The default database at an address where nothing answers, as when its server is
    down: every query raises OperationalError. A new connection object, so the test
    database (in memory for SQLite) is left as it was."""
    down = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        down.update(HOST="127.0.0.1", PORT="1")  # refused at once: nothing listens on 1
    else:
        down["NAME"] = "/no-such-directory/for-the-database/db.sqlite3"
    original = connections["default"]
    connections["default"] = type(original)(down, alias="default")
    # pytest-django refuses any connection in a test without `db`: let this one be tried.
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            connections["default"].close()
            connections["default"] = original


def assert_site_page(response):
    body = response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith("<!doctype html>")
    assert '<html lang="en">' in body
    assert '<main id="main"' in body
    assert '<link rel="stylesheet" href="/static/css/site.css">' in body
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in body
    assert CRISIS_LINE in page_text(response)
    assert ("tel:988", "988") in page_links(response)
    assert ("tel:911", "911") in page_links(response)
    # A way back: the home page and the directory, from the page itself.
    assert ("/", "Go to the home page") in page_links(response)
    assert ("/therapists/", "Browse the directory of therapists") in page_links(response)
    # Nothing the policy would block, nothing remembered about the visitor.
    assert_security_headers(response)
    assert_runs_under_the_policy(body)
    assert "<script" not in body
    assert " style=" not in body
    # At most the session middleware's deletion of a session cookie it does not know.
    assert all(morsel.value == "" for morsel in response.cookies.values())


NOT_FOUND = "We could not find that page"


@pytest.mark.parametrize("url", ["/fails/refused/", "/fails/closed/"])
def test_it_answers_503_with_the_crisis_line_when_the_database_is_down(
    visitor, db, django_assert_num_queries, url
):
    with django_assert_num_queries(0):
        response = visitor.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert_site_page(response)
    text = page_text(response)
    assert "The directory is briefly unavailable" in text
    assert "Please try again in a few minutes." in text
    assert "Server Error (500)" not in text


def test_it_answers_its_own_500_page_for_any_other_error(visitor, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = visitor.get("/fails/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert_site_page(response)
    text = page_text(response)
    assert "Something went wrong" in text
    assert "Please try again shortly." in text


def test_it_runs_with_debug_off_as_production_does():
    # Django shows its own technical pages instead of these with DEBUG on.
    assert settings.DEBUG is False


def test_it_answers_its_own_404_for_an_unknown_address_without_the_database(
    visitor, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = visitor.get("/no-such-page/")
    assert response.status_code == 404
    assert_site_page(response)
    assert NOT_FOUND in page_text(response)
    assert "Not Found" not in page_text(response)  # Django's bare page


@pytest.mark.parametrize(
    "url",
    [
        "/therapists/nobody-by-that-name/",  # an unknown profile
        "/therapists/zz/nowhere/",  # no such state or city
        "/therapists/ca/nowhere/",  # a real state, no such city
        "/therapists/ca/los-angeles/no-such-kind-of-therapy/",
        "/therapists/CA/los-angeles/",  # a landing path not written as its own
        "/modalities/no-such-modality/",
        "/accounts/no-such-page/",
        "/static/no-such-file.css",
    ],
)
def test_it_answers_its_own_404_for_pages_that_do_not_exist(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 404
    assert_site_page(response)
    assert not response.cookies
    assert NOT_FOUND in page_text(response)


def test_it_never_repeats_what_a_404_says_for_the_log(visitor, db):
    response = visitor.get("/fails/missing/")
    assert response.status_code == 404
    assert_site_page(response)
    assert "internal detail" not in response.content.decode()


def test_it_answers_404_for_an_unknown_address_even_when_the_database_is_down(
    visitor, database_down
):
    response = visitor.get("/no-such-page/")
    assert response.status_code == 404
    assert_site_page(response)
    assert NOT_FOUND in page_text(response)


@pytest.mark.parametrize("url", ["/", "/therapists/steven-su/", "/therapists/nobody/"])
def test_it_answers_503_when_the_database_server_does_not_answer(visitor, database_down, url):
    response = visitor.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert_site_page(response)
    assert "The directory is briefly unavailable" in page_text(response)


def test_it_answers_its_own_403_page(visitor, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = visitor.get("/fails/forbidden/")
    assert response.status_code == 403
    assert_site_page(response)
    assert "You cannot see this page" in page_text(response)
    assert ("/accounts/login/", "Therapists: sign in") in page_links(response)


def test_it_answers_its_own_400_page_for_a_host_it_does_not_serve(
    visitor, db, django_assert_num_queries
):
    # Rendered without the request: drawing the page must not read the refused Host.
    with django_assert_num_queries(0):
        response = visitor.get("/", HTTP_HOST="elsewhere.example.com")
    assert response.status_code == 400
    assert_site_page(response)
    assert "We could not read that request" in page_text(response)
    assert "elsewhere.example.com" not in response.content.decode()


def test_it_sends_a_browser_asking_for_favicon_ico_to_the_svg_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    assert not response.cookies
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)


def test_it_answers_a_form_posted_without_its_csrf_token_with_its_own_page(db):
    # A stale page or blocked cookies: the person learns nothing was sent and what to do.
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert_site_page(response)
    assert "This form has expired" in page_text(response)
    assert "Nothing was sent" in page_text(response)

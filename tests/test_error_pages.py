"""The site's own error pages: 503 "try again shortly" when the database does not answer,
500 otherwise, both with the crisis line and neither needing the database.

tests/test_production_recipe.py shows the same with gunicorn and a database that is down;
here views that fail as a lost database connection fails show the pages in detail.
"""

import pytest
from django.db import OperationalError
from django.db.utils import InterfaceError
from django.urls import path

from directory import urls as site_urls
from tests.conftest import page_links, page_text


def connection_refused(request):
    raise OperationalError("connection to server at 127.0.0.1, port 1 failed: refused")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise ValueError("a bug, not an outage")


# The site's URLs and error handler (Django's own if the site names none), plus three views
# that fail.
handler500 = getattr(site_urls, "handler500", "django.views.defaults.server_error")
urlpatterns = [
    *site_urls.urlpatterns,
    path("fails/refused/", connection_refused),
    path("fails/closed/", connection_closed),
    path("fails/bug/", bug),
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


def assert_site_page(response):
    body = response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith("<!doctype html>")
    assert '<html lang="en-us">' in body
    assert '<main id="main"' in body
    assert '<link rel="stylesheet" href="/static/css/site.css">' in body
    assert CRISIS_LINE in page_text(response)
    assert ("tel:988", "988") in page_links(response)
    assert ("tel:911", "911") in page_links(response)


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

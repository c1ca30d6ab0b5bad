"""Every public page, opened in Chromium, is quiet: no error or warning in the console, no
request that fails, none to another host (tests/browser/test_privacy.py watches requests
the same way), and the icon a browser may ask for at /favicon.ico is there.
"""

from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import PUBLIC, SIGN_IN, PageType, watch

CONTACT = PageType("contact", "/therapists/steven-su/contact/")
NOT_FOUND = PageType("not-found", "/therapists/no-one-by-this-name/")
PAGES = [*PUBLIC, CONTACT, *SIGN_IN, NOT_FOUND]


def visit(page, page_type):
    response = page.goto(page_type.path)
    # The icon is fetched after the load event: leaving before it arrives would abort it
    # and read as a failed request.
    page.wait_for_load_state("networkidle")
    if page_type is NOT_FOUND:
        assert response.status == 404
    else:
        assert response.ok, (page_type.path, response.status)
        if page_type.then:
            page_type.then(page)
    return response


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_keeps_the_console_quiet_on_every_public_page(open_page, site, viewport):
    page = open_page(viewport)
    seen = watch(page)
    documents = {}  # a page's own address -> its status: a 404 page is meant to be one
    for page_type in PAGES:
        response = visit(page, page_type)
        documents[response.url] = response.status

    # Chromium logs a document answered with 404 as a failed load; that one is the point
    # of the page, any other is not.
    console = [
        (kind, text, url)
        for kind, text, url in seen["console"]
        if not (documents.get(url) == 404 and text.startswith("Failed to load resource"))
    ]
    assert not console, "\n".join(f"{kind}: {text} ({url})" for kind, text, url in console)
    assert not seen["failed"], "\n".join(seen["failed"])
    broken = [
        f"{response.status} {response.url}"
        for response in seen["responses"]
        if response.status >= 400 and documents.get(response.url) != response.status
    ]
    assert not broken, "\n".join(broken)
    host = urlsplit(site.url).netloc
    elsewhere = sorted({r.url for r in seen["responses"] if urlsplit(r.url).netloc != host})
    assert not elsewhere, "\n".join(elsewhere)
    # The pages loaded their stylesheet, so the watch saw more than the documents.
    assert any(urlsplit(r.url).path.endswith(".css") for r in seen["responses"])


def test_it_declares_the_svg_icon_and_answers_favicon_ico(open_page):
    page = open_page()
    page.goto("/")
    icon = page.locator('link[rel="icon"]')
    assert icon.get_attribute("type") == "image/svg+xml"
    declared = page.request.get(icon.get_attribute("href"))
    assert declared.status == 200
    assert declared.headers["content-type"] == "image/svg+xml"
    # What a browser (or a bookmark, a feed reader) asks for when it ignores the link.
    asked = page.request.get("/favicon.ico")
    assert asked.status == 200, asked.status
    assert asked.url.endswith("/static/img/favicon.svg")
    assert asked.headers["content-type"] == "image/svg+xml"


def test_it_serves_the_contact_page(open_page):
    page = open_page()
    response = page.goto(CONTACT.path)
    assert response.status == 200
    assert page.get_by_role("heading", level=1).is_visible()

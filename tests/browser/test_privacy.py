"""A person browsing therapists is not tracked: checked in a real browser, not in the HTML.

Every request a page makes goes to the site's own host, an anonymous visit sets no cookie,
and nothing in the repository names an analytics service.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.helpers import CONTACT, PUBLIC, ROOT, SIGN_IN

ANALYTICS = re.compile(
    r"google-analytics|googletagmanager|\bgtag\b|plausible|matomo|piwik"
    r"|segment\.(?:com|io)|@segment/|mixpanel|hotjar",
    re.IGNORECASE,
)
NOT_OURS = {".venv", "node_modules", ".git", "artifacts", "staticfiles", "build", "__pycache__"}


def record(page):
    """Every request and response of the page from now on."""
    requests, responses = [], []
    page.on("request", lambda request: requests.append(request))
    page.on("response", lambda response: responses.append(response))
    return requests, responses


def test_it_asks_only_its_own_host_for_anything_on_every_public_page(open_page, site):
    page = open_page("phone")
    requests, _ = record(page)
    # The browser reports what the Content-Security-Policy refuses as a console error.
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    for page_type in PUBLIC + SIGN_IN + CONTACT:
        page_type.visit(page)
    assert any(urlsplit(request.url).path.endswith(".css") for request in requests)
    host = urlsplit(site.url).netloc
    elsewhere = sorted({r.url for r in requests if urlsplit(r.url).netloc != host})
    assert not elsewhere, f"requests to other hosts than {host}:\n" + "\n".join(elsewhere)
    assert not errors, "\n".join(errors)


def test_it_sets_no_cookie_while_a_visitor_browses(open_page):
    page = open_page()
    _, responses = record(page)
    for page_type in PUBLIC:
        page_type.visit(page)
    assert len(responses) > len(PUBLIC)
    # header_value reads the raw headers, Set-Cookie included (Response.headers hides it).
    setting = [(r.url, r.header_value("set-cookie")) for r in responses]
    setting = [(url, cookie) for url, cookie in setting if cookie]
    assert not setting, "\n".join(f"{url}: {cookie}" for url, cookie in setting)
    assert page.evaluate("document.cookie") == ""
    assert page.context.cookies() == []


def test_it_sets_only_the_csrf_cookie_on_the_sign_in_pages(open_page):
    page = open_page()
    for page_type in SIGN_IN:
        page_type.visit(page)
    assert {cookie["name"] for cookie in page.context.cookies()} == {"csrftoken"}


def test_it_sets_only_the_csrf_cookie_on_the_contact_form_and_none_after_it(open_page, site):
    form, sent = open_page(), open_page()
    form.goto("/therapists/steven-su/contact/")
    _, responses = record(sent)
    sent.goto("/therapists/steven-su/contact/sent/")
    sent.goto("/therapists/steven-su/")
    assert {cookie["name"] for cookie in form.context.cookies()} == {"csrftoken"}
    assert not [r.url for r in responses if r.header_value("set-cookie")]
    assert sent.context.cookies() == []


def our_files():
    """Templates, static files, Python modules and dependency lists: what could add a tracker."""
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [s for s in subfolders if s not in NOT_OURS and not s.endswith(".egg-info")]
        relative = Path(folder).relative_to(ROOT)
        for name in files:
            path = relative / name
            if (
                path.parts[0] in ("templates", "static")
                or path.suffix == ".py"
                or str(path) in ("package.json", "pyproject.toml")
            ):
                yield path


def test_it_names_no_analytics_service_anywhere_in_the_repository():
    this_file = Path(__file__).relative_to(ROOT)
    files = [path for path in our_files() if path != this_file]
    assert Path("templates/base.html") in files
    assert Path("static/css/site.css") in files
    found = [
        f"{path}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(
            (ROOT / path).read_text(encoding="utf-8", errors="replace").splitlines(), 1
        )
        if ANALYTICS.search(line)
    ]
    assert not found, "\n".join(found)

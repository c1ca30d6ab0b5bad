"""Security headers on every page, the admin working under the Content-Security-Policy,
and production settings that `check --deploy` has nothing to say about."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from therapists.models import Quote

ROOT = Path(__file__).resolve().parent.parent
CSP_DIRECTIVES = [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
PERMISSIONS_POLICY = "interest-cohort=(), geolocation=(), camera=(), microphone=()"
# One address of each kind of public page, and the pages around signing in.
PUBLIC_PAGES = [
    "/",
    "/modalities/",
    "/modalities/interpersonal-therapy/",
    "/therapists/",
    "/therapists/?modality=interpersonal-therapy&city=los-angeles-ca",
    "/therapists/ca/los-angeles/",
    "/therapists/ca/los-angeles/interpersonal-therapy/",
    "/therapists/steven-su/",
    "/match/",
    "/healthz",
    "/robots.txt",
    "/sitemap.xml",
    "/accounts/login/",
    "/accounts/password_reset/",
]
PASSWORD = "a-long-enough-fictional-passphrase"


def csp_directives(response):
    return [directive.strip() for directive in response["Content-Security-Policy"].split(";")]


def assert_security_headers(response):
    assert csp_directives(response) == CSP_DIRECTIVES
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def assert_runs_under_the_policy(body):
    """Nothing on the page needs 'unsafe-inline' or another host: every script is a file
    of the site or a data block, and no element carries an event handler or a <style>."""
    for tag in re.findall(r"<script\b[^>]*>", body, flags=re.IGNORECASE):
        src = re.search(r'\ssrc="([^"]+)"', tag)
        if src:
            assert src[1].startswith("/") and not src[1].startswith("//"), tag
        else:
            assert re.search(r'type="application/(ld\+)?json"', tag), tag
    assert "<style" not in body
    assert not re.search(r"<[^>]+\son[a-z]+=", body)
    assert "javascript:" not in body
    # A canonical or alternate (hreflang) link names an address; it loads nothing.
    loaded = re.findall(
        r'<(?:link(?! rel="(?:canonical|alternate)")|img|iframe|source)\b'
        r'[^>]*(?:href|src)="([^"]+)"',
        body,
    )
    assert all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("staff@example.org", "staff@example.org", PASSWORD)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_sends_the_security_headers_on_every_public_page(client, seeded, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_security_headers(response)


def test_it_sends_them_on_a_page_not_found(client, seeded):
    response = client.get("/therapists/nobody/")

    assert response.status_code == 404
    assert_security_headers(response)


def test_it_sends_the_policy_with_static_files(client, db):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert csp_directives(response) == CSP_DIRECTIVES
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_sends_them_on_a_page_served_from_the_cache(
    client, seeded, redis_cache, django_assert_num_queries
):
    client.get("/modalities/interpersonal-therapy/")
    # served from the cache (a real Redis, tests/redis_server.py): no query at all
    with django_assert_num_queries(0):
        cached = client.get("/modalities/interpersonal-therapy/")

    assert cached.status_code == 200
    assert_security_headers(cached)
    assert not cached.cookies


@pytest.mark.parametrize("url", PUBLIC_PAGES[:9])
def test_it_serves_public_pages_that_need_nothing_the_policy_forbids(client, seeded, url):
    assert_runs_under_the_policy(client.get(url).content.decode())


# The contact form and the page after it: the one public form, with its own exception.
CONTACT_PAGES = ["/therapists/steven-su/contact/", "/therapists/steven-su/contact/sent/"]


@pytest.mark.parametrize("url", CONTACT_PAGES)
def test_it_sends_the_headers_on_the_contact_pages_and_needs_nothing_the_policy_forbids(
    client, steven_with_account, url
):
    response = client.get(url)

    assert response.status_code == 200
    assert_security_headers(response)
    assert_runs_under_the_policy(response.content.decode())


def test_it_sets_the_csrf_cookie_on_the_contact_form_only(client, steven_with_account):
    """Its form needs one; the page it leads to and the profile before it set none."""
    form, sent = (client.get(url) for url in CONTACT_PAGES)

    assert set(form.cookies) == {"csrftoken"}
    assert not sent.cookies
    assert not client.get("/therapists/steven-su/").cookies


def test_it_sets_no_cookie_on_the_contact_page_of_a_listing_without_an_account(client, seeded):
    """No form there (item 13), so no CSRF cookie either."""
    assert not client.get(CONTACT_PAGES[0]).cookies


def test_it_needs_nothing_the_policy_forbids_on_the_admin_login_page(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert_security_headers(response)
    assert_runs_under_the_policy(response.content.decode())


def test_it_lets_curators_use_the_admin_under_the_same_policy(client, seeded, staff):
    quote = Quote.objects.get(therapist__slug="steven-su")
    quote.submit("A draft waiting for review.")
    client.force_login(staff)
    pages = [
        reverse("admin:index"),
        reverse("admin:therapists_therapist_changelist"),
        reverse("admin:therapists_therapist_change", args=[1]),
        reverse("admin:therapists_therapist_add"),
        reverse("admin:modalities_modality_change", args=[1]),
        reverse("admin:modalities_modality_history", args=[1]),
        reverse("admin:therapists_pendingquote_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:auth_user_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        body = response.content.decode()
        # The admin's behaviour comes from its own script files, loaded from this site.
        assert re.search(r'<script src="/static/admin/js/[^"]+\.js"', body), url
        assert_runs_under_the_policy(body)


def test_it_sends_hsts_with_subdomains_and_preload_over_https(client, db):
    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def production_env(**env):
    """The environment of a production server: no DEBUG, a long random key, and nothing
    this test run has set (pytest-django's live server sets DJANGO_ALLOW_ASYNC_UNSAFE)."""
    kept = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL"}
    clean = {key: value for key, value in os.environ.items() if key in kept}
    secret_key = secrets.token_urlsafe(45)
    assert len(secret_key) == 60
    clean.update(
        DJANGO_SETTINGS_MODULE="directory.settings",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="example.org",
        # Required with DEBUG off, as in README's production settings.
        EMAIL_HOST="smtp.example.org",
        SITE_URL="https://example.org",
        **env,
    )
    return clean


def test_it_passes_the_deployment_checklist_without_a_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


def test_it_lets_a_deployment_switch_hsts_subdomains_and_preload_off():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_it_lets_a_deployment_write_emails_to_a_folder(tmp_path):
    code = (
        "import django; django.setup(); from django.core.mail import send_mail; "
        "send_mail('A fictional subject', 'A fictional body', None, ['ada@example.org'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    [written] = tmp_path.iterdir()
    assert "A fictional body" in written.read_text()

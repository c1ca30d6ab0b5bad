"""Emails carry sign-in links: they go to a real mail server, and lead to SITE_URL only."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_accounts import invite_from_admin, make_account
from therapists.models import Therapist

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://directory.example.org"
FOREIGN_HOST = "127.0.0.1:6666"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL
    # 127.0.0.1 is allowed already; the port is what the header tries to slip in.
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def test_it_builds_the_reset_link_from_site_url_whatever_host_the_request_names(
    client, db, mailoutbox
):
    make_account()

    response = client.post(
        "/accounts/password_reset/", {"email": "robin.sample@example.org"}, HTTP_HOST=FOREIGN_HOST
    )

    assert response.status_code == 302
    [message] = mailoutbox
    [link] = links_in(message)
    assert link.startswith(f"{SITE_URL}/accounts/reset/")


def test_it_builds_the_admin_invitation_link_from_site_url_not_the_request(
    admin_client, seeded, mailoutbox
):
    admin_client.defaults["HTTP_HOST"] = FOREIGN_HOST

    invite_from_admin(admin_client, Therapist.objects.get(pk=1), "steven.su@example.org")

    [message] = mailoutbox
    [link] = links_in(message)
    assert link.startswith(f"{SITE_URL}/accounts/reset/")


def production(**env):
    """A production server's environment: no DEBUG, a long key, only what is given."""
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "directory.example.org",
        **env,
    }


def run(*command, **env):
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=production(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**env):
    return run(
        "-c",
        "import directory.settings as s; print(s.EMAIL_BACKEND, s.SITE_URL)",
        **env,
    )


def test_it_refuses_to_start_in_production_without_an_email_server():
    result = load_settings(SITE_URL=SITE_URL)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_HOST" in result.stderr


def test_it_refuses_to_start_in_production_without_site_url():
    result = load_settings(EMAIL_HOST="smtp.example.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SITE_URL is not set" in result.stderr


@pytest.mark.parametrize(
    "value",
    ["directory.example.org", "ftp://directory.example.org", "https://", "https://x.org/a?b"],
)
def test_it_refuses_a_site_url_that_is_not_an_absolute_http_address(value):
    result = load_settings(EMAIL_HOST="smtp.example.org", SITE_URL=value)

    assert result.returncode != 0
    assert f"SITE_URL={value!r}" in result.stderr


def test_it_sends_email_through_smtp_when_an_email_server_is_set():
    result = load_settings(EMAIL_HOST="smtp.example.org", SITE_URL=f"{SITE_URL}/")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", SITE_URL]


def test_it_prints_emails_only_when_told_to_and_then_says_so_in_the_deploy_check():
    loaded = load_settings(EMAIL_BACKEND="console", SITE_URL=SITE_URL)
    checked = run("manage.py", "check", "--deploy", EMAIL_BACKEND="console", SITE_URL=SITE_URL)

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"
    assert "directory.W001" in checked.stderr
    assert "sign-in links" in checked.stderr


def test_it_says_nothing_about_email_in_the_deploy_check_with_an_email_server():
    checked = run(
        "manage.py", "check", "--deploy", EMAIL_HOST="smtp.example.org", SITE_URL=SITE_URL
    )

    assert checked.returncode == 0, checked.stderr
    assert "directory.W001" not in checked.stdout + checked.stderr


def test_it_prints_emails_to_the_console_with_debug_on():
    result = load_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.console.EmailBackend",
        "http://127.0.0.1:8000",
    ]

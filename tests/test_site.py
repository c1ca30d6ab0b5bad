"""Site-wide promises: the home page, health check, privacy, and production settings."""

import gzip
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import page_links, page_text

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_PAGES = [
    "/",
    "/modalities/",
    "/modalities/interpersonal-therapy/",
    "/therapists/",
    "/therapists/?modality=interpersonal-therapy&city=los-angeles-ca",
    "/therapists/?city=nowhere",
    "/therapists/steven-su/",
]


def test_it_offers_search_by_modality_and_city_on_the_home_page(
    client, seeded, django_assert_num_queries
):
    # modalities for the list, then the modality options of the search form
    with django_assert_num_queries(2):
        response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<form[^>]*method="get"[^>]*action="/therapists/"', body)
    assert '<select name="modality"' in body
    assert '<input type="text" name="near"' in body
    assert '<option value="CA">California</option>' in body
    assert ("/modalities/interpersonal-therapy/", "Interpersonal Therapy (IPT)") in page_links(
        response
    )


def test_it_reports_health_while_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    # Without REDIS_URL (as in tests) there is no shared cache, and the body says so.
    assert response.content == (
        b"ok\ndatabase: ok\ncache: off (not shared between processes)\ntasks: none waiting\n"
    )
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_sets_no_cookie_for_an_anonymous_visitor(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_loads_nothing_from_other_hosts_and_runs_no_inline_script(client, seeded, url):
    body = client.get(url).content.decode()
    # JSON-LD data blocks for search engines are the only script elements: browsers never run them
    scripts = re.findall(r"<script[^>]*>", body, flags=re.IGNORECASE)
    assert set(scripts) <= {'<script type="application/ld+json">'}
    # Everything a browser fetches by itself; a canonical link names an address, loads nothing.
    loaded = re.findall(
        r'<(?:link(?! rel="(?:canonical|alternate)")|img|iframe|source|video|audio)\b'
        r'[^>]*(?:href|src)="([^"]+)"',
        body,
    )
    assert loaded
    assert all(src.startswith("/") and not src.startswith("//") for src in loaded)
    assert " style=" not in body
    assert not re.search(r"<[^>]+\son[a-z]+=", body)  # no inline event handlers


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_it_gives_every_page_a_language_skip_link_and_main_landmark(client, seeded, url):
    response = client.get(url)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert '<a class="skip-link" href="#main">' in body
    assert body.count('<main id="main"') == 1
    assert body.count("<h1") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])", body)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert '<meta name="viewport"' in body
    assert "In the US, call or text 988" in page_text(response)


def test_it_serves_the_one_small_stylesheet(client, db):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content)
    assert len(css) < 14_000  # tests/test_page_weight.py: under 4 KB as sent
    assert b"prefers-color-scheme: dark" in css
    assert b"@import" not in css and b"url(" not in css


def test_it_collects_hashed_compressed_static_files_for_production(tmp_path):
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    hashed = [p for p in (tmp_path / "css").glob("site.*.css") if p.suffixes[-1] == ".css"]
    assert len(hashed) == 1
    compressed = hashed[0].with_name(hashed[0].name + ".gz")
    assert gzip.decompress(compressed.read_bytes()) == hashed[0].read_bytes()


def run_django(code, **env):
    """Runs code in a fresh Python with the real settings module and the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(DJANGO_SETTINGS_MODULE="directory.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = run_django("pass")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_runs_locally_with_debug_and_no_secret_key():
    result = run_django("from django.conf import settings; print(settings.DEBUG)", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_it_turns_on_production_safeguards_when_debug_is_off():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS)"
    )
    result = run_django(code, SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "31536000"]


def test_it_rejects_a_yes_no_setting_it_cannot_read():
    result = run_django("pass", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr


def test_it_uses_the_database_that_database_url_names(db):
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected

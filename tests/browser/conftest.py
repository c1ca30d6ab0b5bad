"""Real-browser fixtures: Chromium, driven by Playwright, against the live server.

One browser for the session; each test gets fresh contexts (no shared cookies or cache)
with a desktop or a phone viewport, and a database seeded as `make run` seeds it.
"""

import shutil

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from therapists.models import Therapist

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
PASSWORD = "a-long-enough-fictional-passphrase"
STEVEN_PHONE = "714-555-0134"
STEVEN_EMAIL = "steven.su@example.org"


@pytest.fixture(scope="session")
def browser():
    # Debian's chromium on PATH, else (None) Playwright's own build; `make test` sets up one
    # of them first (scripts/ensure_browser.sh).
    executable = shutil.which("chromium")
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop. The tests' ORM calls are plain blocking
    # code between browser steps, so the check would only get in the way here.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            # Never a skip: the browser tests are part of the suite.
            reason = error.message.strip().splitlines()[0]
            pytest.fail(
                f"No Chromium to run ({reason}); run: bash scripts/ensure_browser.sh",
                pytrace=False,
            )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db, seeded):
    """The seeded site served for real; Steven Su publishes a phone number and an email.

    Each seeded listing is linked to an account of its own, as once its therapist has
    joined: journeys write to whoever comes first, and only a listing someone reads takes
    messages. A journey that claims a listing unlinks it first (unclaim())."""
    Therapist.objects.filter(slug="steven-su").update(phone=STEVEN_PHONE, email=STEVEN_EMAIL)
    for therapist in Therapist.objects.filter(user=None):
        address = f"{therapist.slug}@example.org"
        Therapist.objects.filter(pk=therapist.pk).update(
            user=User.objects.create_user(address, address)
        )
    return live_server


@pytest.fixture
def open_page(browser, site):
    """open_page("phone", color_scheme="dark") -> a page in a new context of its own."""
    contexts = []

    def open_page(viewport="desktop", **options):
        context = browser.new_context(base_url=site.url, **VIEWPORTS[viewport], **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def unclaim(slug):
    """The seeded listing as the seed has it, with no account: a claim's starting point."""
    Therapist.objects.filter(slug=slug).update(user=None)


@pytest.fixture
def steven(site):
    """Steven Su of the seed, with an account."""
    user = User.objects.create_user("steven@example.org", "steven@example.org", PASSWORD)
    Therapist.objects.filter(slug="steven-su").update(user=user)
    return user

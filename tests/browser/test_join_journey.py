"""Joining in a real browser: from the sign-in page to /join/, the link read from the
email, a password chosen, and the profile form of a listing still private; axe-core on
the join, confirmation and claim pages, on a desktop and on a phone.

The live server runs in this process, so the email is read from Django's locmem outbox.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, unclaim
from tests.browser.helpers import (
    assert_no_axe_violations,
    emailed_path,
    fill_the_join_form,
    screenshot,
)
from therapists.models import Application, License, Therapist

NAME = "Noa Fictional"
ADDRESS = "noa.fictional@example.org"


@pytest.fixture(autouse=True)
def quick_form(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 1


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_joins_confirms_the_address_and_opens_the_profile_form(open_page, viewport):
    page = open_page(viewport, bypass_csp=True)  # bypass_csp: axe is an injected script
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Join the directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the directory")
    assert_no_axe_violations(page)

    fill_the_join_form(page, NAME, ADDRESS, number="LMFT 55501")
    screenshot(page, f"join-{viewport}")
    with page.expect_navigation():
        page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    [message] = mail.outbox
    page.goto(emailed_path(message, r"/join/confirm/\S+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your listing")
    expect(page.get_by_text("Los Angeles, CA")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, f"join-confirm-{viewport}")

    page.get_by_label(re.compile(r"^New password:?$")).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()

    assert page.url.endswith("/profile/edit/")
    expect(page.get_by_role("status")).to_contain_text("Your account is created")
    therapist = Therapist.objects.get(user__username=ADDRESS)
    assert not therapist.is_listed
    assert Application.objects.get(therapist=therapist).status == "pending"
    page.goto("/profile/")
    expect(page.get_by_text("Your listing is private until staff")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_claim_page_passes_axe_and_its_errors_link_to_their_fields(open_page, viewport):
    # The seed holds no license numbers: without one the claim has no form (nothing to check).
    License.objects.filter(therapist__slug="steven-su").update(number="LCSW 10101")
    unclaim("steven-su")
    page = open_page(viewport, bypass_csp=True)
    page.goto("/therapists/steven-su/")
    with page.expect_navigation():
        page.get_by_role("link", name="Is this you? Claim this listing").click()
    assert_no_axe_violations(page)

    page.wait_for_timeout(1100)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my claim").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Your claim is not sent yet")
    assert_no_axe_violations(page)
    screenshot(page, f"claim-errors-{viewport}")
    summary.get_by_role("link", name="Your email address").click()
    expect(page.get_by_label("Your email address")).to_be_focused()

"""Find Your Match in a real browser: Back from a profile opened from the matches shows the
matches again, never Chromium's "Confirm Form Resubmission", and so does the profile's own
"Back to your matches"."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS
from tests.browser.helpers import answer_match_questions, screenshot


def open_first_match(page):
    card = page.locator("ol.matches .card").first
    name = card.get_by_role("heading").inner_text()
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile("^View profile")).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    return name


def assert_matches_shown(page, results_url):
    assert page.url == results_url
    expect(page.get_by_role("heading", name="Your matches")).to_be_visible()
    expect(page.locator("ol.matches .card").first).to_be_visible()
    # Chromium's page for a form it would have to send again.
    assert "ERR_CACHE_MISS" not in page.content()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_item_14_back_from_a_profile_returns_to_the_matches(open_page, viewport):
    page = open_page(viewport)
    page.goto("/match/")
    answer_match_questions(page)
    results_url = page.url
    assert re.search(r"/match/results/[\w-]+/$", results_url), results_url

    open_first_match(page)
    page.go_back()
    assert_matches_shown(page, results_url)

    open_first_match(page)
    screenshot(page, f"match-profile-{viewport}")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to your matches").click()
    assert_matches_shown(page, results_url)
    # Back twice more: the profile, then the results page again, still without a resend.
    page.go_back()
    page.go_back()
    assert_matches_shown(page, results_url)
    assert page.context.cookies() == []

"""Issue 12's journeys in a real browser: from the front door to a message the therapist
holds. Each starts at `/`, on a desktop and on a phone; the third is keyboard only.

The first result's top edge is measured on every listing the journeys reach: above
800 px on a 1280 x 800 screen, above 1,266 px (one and a half screens) on a 390 x 844 phone.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS
from tests.browser.helpers import (
    assert_message_held_for,
    assert_results_first,
    press_and_follow,
    profile_slug,
    screenshot,
    tab_to,
    type_the_message,
    write_the_message,
)

SENDER = {
    "name": "Fictional Client",
    "email": "fictional.client@example.org",
    "text": "I would like to talk about a change at work. Are you free on weekday evenings?",
}


@pytest.fixture(autouse=True)
def quick_form(settings):
    # The live server runs in this process: a second is enough to pass the "too fast" check
    # without making each journey wait the production three.
    settings.CONTACT_FORM_MIN_SECONDS = 1


def from_card_to_message(page, card, viewport, journey):
    """View profile -> the profile's Contact -> the form, sent; returns the listing's slug."""
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile("^View profile")).click()
    slug = profile_slug(page)
    expect(page.get_by_role("link", name="Back to results")).to_be_visible()
    screenshot(page, f"client-{journey}-{viewport}-2-profile")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Contact")).first.click()
    assert page.url.endswith(f"/therapists/{slug}/contact/")
    write_the_message(page, SENDER)
    screenshot(page, f"client-{journey}-{viewport}-3-sent")
    assert_message_held_for(page, slug, SENDER)
    return slug


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_finds_anyone_near_a_zip_code_and_sends_them_a_message(open_page, viewport):
    page = open_page(viewport)
    page.goto("/")
    search = page.get_by_role("search", name="Find a therapist")
    # "Any kind of therapy" stays as it is.
    search.get_by_label("ZIP code").fill("90012")
    with page.expect_navigation():
        search.get_by_role("button", name="Search").click()
    assert "modality=" not in page.url and "near=90012" in page.url
    card = assert_results_first(page, viewport)
    expect(card).to_contain_text("miles away")
    screenshot(page, f"client-zip-{viewport}-1-results")
    from_card_to_message(page, card, viewport, "zip")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_finds_therapists_in_a_state_and_sends_one_a_message(open_page, viewport):
    page = open_page(viewport)
    page.goto("/")
    search = page.get_by_role("search", name="Find a therapist")
    search.get_by_label("or state").select_option(label="California")
    with page.expect_navigation():
        search.get_by_role("button", name="Search").click()
    assert page.url.endswith("/therapists/?state=CA")
    expect(page.get_by_role("heading", level=1)).to_have_text("Therapists in California")
    card = assert_results_first(page, viewport)
    screenshot(page, f"client-state-{viewport}-1-results")
    from_card_to_message(page, card, viewport, "state")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_takes_a_keyboard_user_from_a_kind_of_therapy_and_a_city_to_a_message_sent(
    open_page, viewport
):
    page = open_page(viewport)
    page.goto("/")
    kind = page.get_by_label("Kind of therapy")
    tab_to(page, kind)
    # A closed select takes typed letters as a choice, as people pick from a long list.
    page.keyboard.type("Interpersonal")
    assert kind.input_value() == "interpersonal-therapy"
    tab_to(page, page.get_by_role("button", name="Search"))
    press_and_follow(page)
    assert "modality=interpersonal-therapy" in page.url
    assert_results_first(page, viewport)

    # On a phone the filters fold behind "Filters"; a wide screen shows them as a sidebar.
    filters = page.locator("details.filters-panel")
    summary = page.locator("details.filters-panel > summary")
    if summary.is_visible() and not filters.evaluate("panel => panel.open"):
        tab_to(page, summary)
        page.keyboard.press("Enter")
    city_group = page.get_by_role("group", name="City")
    if not city_group.is_visible():
        tab_to(page, page.locator("details.facet-group > summary", has_text="City"))
        page.keyboard.press("Enter")
    los_angeles = city_group.get_by_role("checkbox", name=re.compile(r"^Los Angeles, CA"))
    tab_to(page, los_angeles)
    page.keyboard.press("Space")
    assert los_angeles.is_checked()
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    press_and_follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Interpersonal Therapy therapists in Los Angeles, CA"
    )
    card = assert_results_first(page, viewport)
    screenshot(page, f"client-keyboard-{viewport}-1-results")

    # The skip link takes the keyboard to the results.
    page.keyboard.press("Control+Home")
    page.evaluate("document.activeElement.blur()")
    tab_to(page, page.get_by_role("link", name="Skip to results"), limit=5)
    page.keyboard.press("Enter")
    tab_to(page, card.get_by_role("link", name=re.compile("^View profile")), limit=10)
    press_and_follow(page)
    slug = profile_slug(page)
    contact = page.get_by_role("link", name=re.compile("^Contact")).first
    tab_to(page, contact)
    press_and_follow(page)

    type_the_message(page, SENDER)
    screenshot(page, f"client-keyboard-{viewport}-2-sent")
    assert_message_held_for(page, slug, SENDER)

"""The three journeys of DESIGN.md in a real browser, at desktop and phone sizes.

A visitor and a therapist use only the keyboard (Tab, Shift+Tab, Enter, Space and typing);
the curator works in Django's admin with the mouse.
"""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, STEVEN_EMAIL, STEVEN_PHONE, VIEWPORTS
from tests.browser.helpers import (
    focused,
    has_focus,
    press_and_follow,
    screenshot,
    squash,
    tab_to,
)
from tests.conftest import seed_page
from therapists.models import Quote

IPT_PAGE = "/modalities/interpersonal-therapy/"
SIGNATURE = "— Steven Su, Licensed Clinical Social Worker in Fullerton, CA"
NEW_QUOTE = (
    "I use IPT to help people notice how their relationships and their mood shape each other."
)


def main_text(page):
    return squash(page.locator("main").inner_text())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_takes_a_visitor_from_home_to_a_specialists_contact_details_by_keyboard(
    open_page, viewport
):
    page = open_page(viewport)
    page.goto("/")

    # The skip link is the first tab stop, shows itself when focused, and moves focus to main.
    skip = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    assert has_focus(skip), focused(page)
    assert skip.bounding_box()["y"] >= 0, "the focused skip link stays off screen"
    page.keyboard.press("Tab")
    assert not has_focus(skip)
    page.keyboard.press("Shift+Tab")
    assert has_focus(skip), focused(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    screenshot(page, f"journey-visitor-{viewport}-1-home")

    tab_to(page, page.get_by_role("link", name="Interpersonal Therapy (IPT)"))
    press_and_follow(page)
    assert page.url.endswith(IPT_PAGE)
    specialists = page.get_by_role("region", name="Meet the specialists")
    assert SIGNATURE in squash(specialists.inner_text())
    screenshot(page, f"journey-visitor-{viewport}-2-modality")

    tab_to(page, specialists.get_by_role("link", name=re.compile(r"^See all \d+ Interpersonal")))
    press_and_follow(page)
    assert "modality=interpersonal-therapy" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Interpersonal Therapy therapists"

    fullerton = (
        page.get_by_role("search", name="Filter therapists")
        .get_by_role("group", name="City")
        .get_by_role("checkbox", name=re.compile(r"^Fullerton, CA"))
    )
    # Results first (issue 12): a phone folds the filters behind one control, and the
    # city list is folded on every screen; Enter opens each, as it does any <details>.
    if viewport == "phone":
        tab_to(page, page.locator("summary", has_text="Filters"))
        page.keyboard.press("Enter")
    tab_to(page, page.locator("summary", has_text="City"))
    page.keyboard.press("Enter")
    tab_to(page, fullerton)
    page.keyboard.press("Space")
    assert fullerton.is_checked()
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    press_and_follow(page)
    assert "city=fullerton-ca" in page.url
    assert "modality=interpersonal-therapy" in page.url
    results = page.get_by_role("region", name="1 therapist")
    screenshot(page, f"journey-visitor-{viewport}-3-directory-filtered")

    tab_to(page, results.get_by_role("link", name="Steven Su", exact=True))
    press_and_follow(page)
    # The name leads to the profile carrying the search, for its "Back to results".
    assert "/therapists/steven-su/?back=" in page.url
    assert page.get_by_role("link", name="Back to results").is_visible()

    # The published details are among the practice details (the header's button writes).
    contact = page.get_by_role("region", name="Practice")
    phone = contact.get_by_role("link", name=STEVEN_PHONE)
    tab_to(page, phone)
    assert phone.get_attribute("href") == f"tel:{STEVEN_PHONE}"
    page.keyboard.press("Tab")
    email = contact.get_by_role("link", name=STEVEN_EMAIL)
    assert has_focus(email), focused(page)
    assert email.get_attribute("href") == f"mailto:{STEVEN_EMAIL}"
    screenshot(page, f"journey-visitor-{viewport}-4-profile")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_lets_a_therapist_send_a_new_quote_for_review_by_keyboard(open_page, steven, viewport):
    page = open_page(viewport)
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Therapists: sign in"))
    press_and_follow(page)

    email = page.get_by_label("Email address")
    assert has_focus(email), f"the email field has autofocus, but {focused(page)} has the focus"
    page.keyboard.type("steven@example.org")
    page.keyboard.press("Tab")
    assert has_focus(page.get_by_label("Password")), focused(page)
    page.keyboard.type(PASSWORD)
    press_and_follow(page, "Enter")
    assert page.url.endswith("/profile/")

    tab_to(page, page.get_by_role("link", name="Change your quote for Interpersonal Therapy"))
    press_and_follow(page)
    tab_to(page, page.get_by_label("Your quote"))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(NEW_QUOTE)
    tab_to(page, page.get_by_role("button", name="Preview"))
    press_and_follow(page)

    preview = squash(page.get_by_role("region", name="Preview, as it will appear").inner_text())
    assert f"{NEW_QUOTE} {SIGNATURE}" in preview
    screenshot(page, f"journey-therapist-{viewport}-1-preview")

    tab_to(page, page.get_by_role("button", name="Submit for review"))
    press_and_follow(page)
    assert page.url.endswith("/profile/")
    assert f"Pending review Your draft: {NEW_QUOTE}" in main_text(page)
    screenshot(page, f"journey-therapist-{viewport}-2-pending")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_lets_a_curator_edit_the_ipt_overview_and_approve_a_quote(open_page, site, viewport):
    User.objects.create_superuser("curator@example.org", "curator@example.org", PASSWORD)
    seeded_overview, _ = seed_page()
    Quote.objects.get(therapist__slug="steven-su", modality__slug="interpersonal-therapy").submit(
        NEW_QUOTE
    )
    admin = open_page(viewport)
    visitor = open_page(viewport)

    admin.goto("/admin/")
    admin.get_by_label("Username").fill("curator@example.org")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.locator("#content-main").get_by_role("link", name="Modalities", exact=True).click()
    admin.locator("#result_list").get_by_role("link", name=re.compile("Interpersonal")).click()
    overview = "Interpersonal therapy (IPT) looks at how relationships and mood shape each other."
    admin.get_by_label("Overview:", exact=True).fill(overview)  # not "Overview in Spanish"
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshot(admin, f"journey-curator-{viewport}-1-saved")

    visitor.goto(IPT_PAGE)
    assert overview in main_text(visitor)
    assert seeded_overview not in main_text(visitor)
    assert NEW_QUOTE not in main_text(visitor)

    admin.goto("/admin/")
    admin.locator("#content-main").get_by_role("link", name="Quotes waiting for review").click()
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(NEW_QUOTE[:40])
    rows.locator("input[name=_selected_action]").check()
    admin.locator("select[name=action]").select_option(label="Approve: make the drafts live")
    screenshot(admin, f"journey-curator-{viewport}-2-queue")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 quote is live.")
    expect(rows).to_have_count(0)

    visitor.goto(IPT_PAGE)
    assert f"{NEW_QUOTE} {SIGNATURE}" in main_text(visitor)
    screenshot(visitor, f"journey-curator-{viewport}-3-public")

"""Issue 13's journeys across the therapist's side and the staff's, in a real browser:

1. a therapist joins, confirms the address, completes the private listing; a reviewer
   signs in to the admin, finds the join by its count and approves it by keyboard, giving
   the state board's lookup page and how they reached the licensee; the listing is then
   found from the home page's search, its license shown verified;
2. someone claims a seeded listing without an account (by a license number staff check
   with the board, as seeded; or, once a curator has entered them, by its license number
   or the link sent to its private address), staff approve the claim, and the claimant chooses a
   password from the emailed link, signs in and edits the listing.

The live server runs in this process, so the emails are read from Django's locmem outbox.
"""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.conftest import PASSWORD, unclaim
from tests.browser.helpers import (
    assert_no_axe_violations,
    emailed_path,
    fill_the_join_form,
    press_and_follow,
    screenshot,
    tab_to,
)
from therapists.models import Application, License, Therapist

REVIEWER = "reviewer@example.org"
# Each its own words: the profile must show what this journey wrote, not the seed's.
HEADLINE = "Interpersonal therapy for people going through a change in their lives"
BIO = (
    "I work with adults facing grief, a move or a new role at work, looking at how the "
    "people around them and their mood shape each other."
)


@pytest.fixture(autouse=True)
def quick_form(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 1  # the join and claim forms' wait, as in the others


@pytest.fixture
def reviewer(site):
    """A staff member with only what the review queue's joins and claims need (README)."""
    user = User.objects.create_user(REVIEWER, REVIEWER, PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_application", "change_license"])
    )
    return user


def staff_signs_in(page):
    helpers.staff_signs_in(page, REVIEWER, PASSWORD)


def choose_a_password(page):
    page.get_by_label(re.compile(r"^New password:?$")).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


# 1. Join -----------------------------------------------------------------------------

NAME = "Rowan Fictional"
ADDRESS = "rowan.fictional@example.org"
SLUG = "rowan-fictional"
CITY = "Providence, RI"
ZIP_IN_CITY = "02903"
LOOKUP = "https://elicense.ri.gov/Lookup/LicenseLookup.aspx?number=MHC01234"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_join_is_confirmed_completed_approved_by_staff_and_then_found(
    open_page, reviewer, viewport
):
    therapist = open_page(viewport, bypass_csp=True)  # bypass_csp: axe is an injected script
    therapist.goto("/join/")
    fill_the_join_form(therapist, NAME, ADDRESS, number="MHC 01234", state="RI", city=CITY)
    with therapist.expect_navigation():
        therapist.get_by_role("button", name="Send me the link").click()
    expect(therapist.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_no_axe_violations(therapist)

    [confirm] = emails_to(ADDRESS)
    therapist.goto(emailed_path(confirm, r"/join/confirm/\S+/"))
    choose_a_password(therapist)
    with therapist.expect_navigation():
        therapist.get_by_role("button", name="Create my account").click()
    assert therapist.url.endswith("/profile/edit/")
    therapist.get_by_label("Headline:", exact=True).fill(HEADLINE)
    therapist.get_by_label("About:", exact=True).fill(BIO)
    with therapist.expect_navigation():
        therapist.get_by_role("button", name="Save your listing").click()
    expect(therapist.get_by_role("status")).to_contain_text("Your listing is saved.")
    screenshot(therapist, f"journey-join-{viewport}-1-completed")

    visitor = open_page(viewport)
    assert visitor.goto(f"/therapists/{SLUG}/").status == 404
    visitor.goto("/therapists/?state=RI&modality=interpersonal-therapy")
    # The seed's one listing in Rhode Island, and not this one.
    expect(visitor.get_by_role("region", name="1 therapist")).to_be_visible()
    expect(visitor.locator("main")).not_to_contain_text(NAME)

    # The reviewer, on a desktop, with the keyboard only once signed in.
    staff = open_page("desktop", bypass_csp=True)
    staff_signs_in(staff)
    count = staff.locator(".review-waiting").get_by_role("link")
    expect(count).to_have_text("Review queue: 1 join, 0 claims waiting")
    assert_no_axe_violations(staff)
    screenshot(staff, f"journey-join-{viewport}-2-admin-index")
    tab_to(staff, count)
    press_and_follow(staff)
    tab_to(staff, staff.locator("table.review-list").get_by_role("link", name=NAME))
    press_and_follow(staff)
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Join request of {NAME}")
    tab_to(staff, staff.get_by_label("State board lookup page that shows the license"))
    staff.keyboard.type(LOOKUP)
    # A name and a number are public: staff note how they reached the licensee too.
    tab_to(staff, staff.get_by_label("How you confirmed the applicant holds this license"))
    staff.keyboard.type("Phoned the number on the Rhode Island board's record; they confirmed.")
    tab_to(staff, staff.get_by_role("button", name="Approve"))
    screenshot(staff, f"journey-join-{viewport}-3-approving")
    press_and_follow(staff)
    expect(staff.locator(".messagelist")).to_contain_text(
        f"Join request of {NAME} approved: the listing is public"
    )
    screenshot(staff, f"journey-join-{viewport}-4-approved")

    approved = emails_to(ADDRESS)[-1]
    assert approved.subject == "Your listing on the Therapist Directory is public"
    assert emailed_path(approved, f"/therapists/{SLUG}/")

    # Found as a client finds it: the home page's search, its other fields untouched.
    visitor.goto("/")
    search = visitor.get_by_role("search", name="Find a therapist")
    search.get_by_label("Kind of therapy").select_option(label="Interpersonal Therapy (IPT)")
    search.get_by_label("ZIP code").fill(ZIP_IN_CITY)
    with visitor.expect_navigation():
        search.get_by_role("button", name="Search").click()
    assert "near=02903" in visitor.url and "modality=interpersonal-therapy" in visitor.url
    with visitor.expect_navigation():
        visitor.locator("main").get_by_role("link", name=NAME, exact=True).click()
    assert f"/therapists/{SLUG}/" in visitor.url
    main = visitor.locator("main")
    expect(main).to_contain_text(HEADLINE)
    expect(main).to_contain_text(BIO)
    expect(main).to_contain_text("License verified")
    screenshot(visitor, f"journey-join-{viewport}-5-public")
    license = License.objects.get(therapist__slug=SLUG)
    assert (license.verified_by, license.verification_source) == (reviewer, LOOKUP)


# 2. Claim ----------------------------------------------------------------------------

CLAIMED = "jenny-moon"
CLAIMANT = "jenny.moon@example.org"
NUMBER = "LMFT 40404"
PRIVATE_ADDRESS = "office@jennymoon.example.org"
NEW_HEADLINE = "Interpersonal therapy in Torrance, in person and by video"


@pytest.mark.parametrize("proof", ["check", "number", "link"])
def test_a_claim_is_approved_by_staff_and_the_claimant_edits_the_listing(
    open_page, reviewer, proof
):
    unclaim(CLAIMED)
    claimant = open_page("desktop", bypass_csp=True)
    # As seeded, the listing has no license number nor private address: the number the
    # claimant gives is for staff to check. For the other ways, a curator first enters the
    # number (and for the link, the private address).
    if proof != "check":
        License.objects.filter(therapist__slug=CLAIMED).update(number=NUMBER)
    if proof == "link":
        Therapist.objects.filter(slug=CLAIMED).update(contact_email=PRIVATE_ADDRESS)
    claimant.goto(f"/therapists/{CLAIMED}/")
    with claimant.expect_navigation():
        claimant.get_by_role("link", name="Is this you? Claim this listing").click()
    claimant.get_by_label("Your email address").fill(CLAIMANT)
    if proof == "check":
        # The one way offered is chosen already, and the state is the listing's.
        expect(
            claimant.get_by_label(
                "Give your license number: staff check it with your state board before "
                "linking the listing"
            )
        ).to_be_checked()
        expect(claimant.get_by_label("State of your license")).to_have_value("CA")
        assert_no_axe_violations(claimant)
        claimant.get_by_role("textbox", name="Your license number").fill(NUMBER)
    elif proof == "number":
        # The one way offered is chosen already.
        expect(claimant.get_by_label("I give a license number of this listing")).to_be_checked()
        claimant.get_by_role("textbox", name="A license number of this listing").fill("lmft-40404")
    else:
        claimant.get_by_label("Send a link to the listing's private email address").check()
    claimant.wait_for_timeout(1100)
    with claimant.expect_navigation():
        claimant.get_by_role("button", name="Send my claim").click()

    if proof == "link":
        expect(claimant.get_by_role("heading", level=1)).to_have_text("Check the listing's email")
        assert_no_axe_violations(claimant)
        [link] = emails_to(PRIVATE_ADDRESS)
        claimant.goto(emailed_path(link, rf"/therapists/{CLAIMED}/claim/\S+/"))
        expect(claimant.get_by_role("heading", level=1)).to_have_text("Confirm your claim")
        expect(claimant.locator("main")).to_contain_text(CLAIMANT)
        assert_no_axe_violations(claimant)
        with claimant.expect_navigation():
            claimant.get_by_role("button", name="Confirm my claim").click()
    expect(claimant.get_by_role("heading", level=1)).to_have_text("Your claim waits for staff")
    assert_no_axe_violations(claimant)
    screenshot(claimant, f"journey-claim-{proof}-1-waits")
    assert Therapist.objects.get(slug=CLAIMED).user is None

    staff = open_page("desktop", bypass_csp=True)
    staff_signs_in(staff)
    staff.locator(".review-waiting").get_by_role("link", name="0 joins, 1 claim waiting").click()
    staff.locator("table.review-list").get_by_role("link", name="Jenny Moon").click()
    expect(staff.locator("#content")).to_contain_text(CLAIMANT)
    if proof == "check":
        expect(staff.locator("#content")).to_contain_text(f"{NUMBER}, California")
        lookup = staff.get_by_role("link", name="Find the California board's license lookup")
        expect(lookup.first).to_be_visible()
    assert_no_axe_violations(staff)
    screenshot(staff, f"journey-claim-{proof}-2-item")
    if proof != "link":
        # A license number is public: staff note how they reached the licensee.
        staff.get_by_label("How you confirmed the claimant holds this license").fill(
            "Phoned the practice number on the California board's record."
        )
    with staff.expect_navigation():
        staff.get_by_role("button", name="Approve").click()
    expect(staff.locator(".messagelist")).to_contain_text(
        f"Claim of Jenny Moon's listing by {CLAIMANT} approved"
    )
    assert Application.objects.get(email=CLAIMANT).status == "approved"
    # Checked by staff, the number is the listing's now (not marked verified).
    assert License.objects.filter(therapist__slug=CLAIMED, number=NUMBER).exists()

    # One email tells the claimant the claim was approved and holds the set-password link.
    [approved] = emails_to(CLAIMANT)
    assert approved.subject == "Your claim of a listing was approved"
    claimant.goto(emailed_path(approved, r"/accounts/reset/\S+/\S+/"))
    expect(claimant.get_by_role("heading", level=1)).to_have_text("Choose a password")
    assert_no_axe_violations(claimant)
    choose_a_password(claimant)
    with claimant.expect_navigation():
        claimant.get_by_role("button", name="Save the password").click()
    expect(claimant.get_by_role("heading", level=1)).to_have_text("Password saved")
    with claimant.expect_navigation():
        claimant.get_by_role("link", name="Sign in with your new password").click()
    claimant.get_by_label("Email address").fill(CLAIMANT)
    claimant.get_by_label("Password").fill(PASSWORD)
    with claimant.expect_navigation():
        claimant.get_by_role("button", name="Sign in").click()
    assert claimant.url.endswith("/profile/"), claimant.url

    with claimant.expect_navigation():
        claimant.get_by_role("link", name="Edit your listing").click()
    claimant.get_by_label("Headline:", exact=True).fill(NEW_HEADLINE)
    with claimant.expect_navigation():
        claimant.get_by_role("button", name="Save your listing").click()
    screenshot(claimant, f"journey-claim-{proof}-3-edited")

    visitor = open_page("desktop")
    visitor.goto(f"/therapists/{CLAIMED}/")
    expect(visitor.locator("main")).to_contain_text(NEW_HEADLINE)
    expect(visitor.get_by_role("link", name="Is this you? Claim this listing")).to_have_count(0)

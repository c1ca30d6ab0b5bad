"""Issue 13's message journey in a real browser: a client's message reaches the
therapist's inbox, is marked replied, and with enough replies the profile says how soon the
therapist usually replies. Then axe-core on the pages this adds, as a person sees them."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import describe, run_axe, screenshot, sign_in, write_the_message
from tests.browser.test_client_journeys import SENDER
from tests.test_messages_inbox import message_to
from therapists.models import ContactMessage, Therapist


@pytest.fixture(autouse=True)
def quick_form(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 1  # as the client journeys: the live server is ours


def test_a_message_is_read_marked_replied_and_the_reply_time_shows(open_page, site, steven):
    listing = Therapist.objects.get(user=steven)
    for days in (3, 2):
        message_to(
            listing, ago=datetime.timedelta(days=days), replied_after=datetime.timedelta(hours=5)
        )
    client = open_page("phone")
    client.goto(f"/therapists/{listing.slug}/")
    expect(client.get_by_text("Usually replies within")).to_have_count(0)
    with client.expect_navigation():
        client.get_by_role("link", name=re.compile("^Contact")).first.click()
    write_the_message(client, SENDER)
    assert "/profile/messages/" in mail.outbox[-1].body

    therapist = open_page("desktop")
    sign_in(therapist, steven, site.url)
    therapist.goto("/profile/messages/")
    newest = therapist.locator(".inbox > li").first
    expect(newest.get_by_role("heading", level=2)).to_have_text(f"Unread: {SENDER['name']}")
    expect(newest.get_by_role("link", name=SENDER["email"])).to_have_attribute(
        "href", f"mailto:{SENDER['email']}"
    )
    screenshot(therapist, "messages-inbox-desktop")
    with therapist.expect_navigation():
        newest.get_by_role("button", name=re.compile("^Mark replied")).click()
    expect(therapist.get_by_role("status")).to_contain_text("The message is marked replied.")
    assert ContactMessage.objects.get(email=SENDER["email"]).replied_at is not None

    client.goto(f"/therapists/{listing.slug}/")
    expect(client.get_by_text("Usually replies within 1 day")).to_be_visible()

    with therapist.expect_navigation():
        therapist.locator(".inbox > li").first.get_by_role(
            "button", name=re.compile("^Delete")
        ).click()
    expect(therapist.get_by_role("status")).to_contain_text("is deleted; it cannot be restored.")
    assert not ContactMessage.objects.filter(email=SENDER["email"]).exists()


def test_the_inbox_and_the_accepting_pages_pass_axe_in_light_and_dark(open_page, site, steven):
    from therapists.accepting import accepting_token

    listing = Therapist.objects.get(user=steven)
    message_to(listing, ago=datetime.timedelta(days=2), replied_after=datetime.timedelta(hours=2))
    message_to(listing)  # unread
    confirm = f"/profile/accepting/{accepting_token(listing, timezone.localdate())}/"
    pages = {"messages-with-two": ("/profile/messages/", True), "accepting": (confirm, False)}
    pages["accepting-expired"] = ("/profile/accepting/junk/", False)
    report = []
    for name, (path, signed_in) in pages.items():
        for scheme in ("light", "dark"):
            page = open_page("desktop", color_scheme=scheme, bypass_csp=True)
            if signed_in:
                sign_in(page, steven, site.url)
            page.goto(path)
            screenshot(page, f"{name}-{scheme}")
            violations = run_axe(page)
            if violations:
                report.append(f"axe on {name} ({scheme}):\n{describe(violations)}")
    assert not report, "\n".join(report)

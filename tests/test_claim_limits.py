"""The claim form's limits (item 9): every answer it gives counts against them, "a claim
from this address is already waiting" included, so no one may ask without end whether an
address has a claim waiting; and what strangers ask for never blocks the owner's way in,
a link to the listing's private address. Every name and address here is fictional."""

import ipaddress
import re

import pytest
from django.core import mail

from tests.conftest import make_therapist
from tests.live_http import Browser
from therapists.models import Application, License

OWNER = "ada.owner@example.org"
STRANGER = "mallory@example.net"
NUMBER = "CA-LMFT 0042"
WAITING = "already waiting for staff"


@pytest.fixture(autouse=True)
def behind_a_proxy(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 0  # the guard has its own tests
    # The live server is reached through a proxy on 127.0.0.1 that names each client.
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]


@pytest.fixture
def listing(live_server, transactional_db):
    """Unclaimed, with a private address and a license number."""
    therapist = make_therapist("Ada Fictional", contact_email="ada.office@example.org")
    License.objects.filter(therapist=therapist).update(number=NUMBER)
    return therapist


def visitor(live_server, address):
    browser = Browser(live_server.url)
    browser.opener.addheaders.append(("X-Forwarded-For", address))
    return browser


def claim(browser, listing, **chosen):
    """Sends the claim form, read from its page: (status, page)."""
    url = f"/therapists/{listing.slug}/claim/"
    status, _location, html = browser.submit(url, browser.get(url), having="email", **chosen)
    if status == 302:
        html = browser.get(_location)
    return status, html


def test_item_9_every_answer_counts_the_claim_already_waiting_included(
    live_server, listing, settings
):
    settings.CLAIM_NUMBER_TRIES_PER_ADDRESS = 3
    asker = visitor(live_server, "203.0.113.9")

    answers = [
        claim(asker, listing, email=OWNER, proof="number", license_number=NUMBER) for _ in range(4)
    ]

    assert [status for status, _html in answers] == [302, 200, 200, 429]
    assert [WAITING in html for _status, html in answers] == [False, True, True, False]
    assert "as many license numbers have been tried today" in answers[3][1]
    assert Application.objects.count() == 1


def test_item_9_a_strangers_tries_never_block_the_owners_link(live_server, listing):
    # The stranger asks for links and tries numbers, from two addresses of one /64,
    # until every answer is a refusal.
    for address in ("2001:db8:66:1::7", "2001:db8:66:1::8"):
        stranger = visitor(live_server, address)
        links = [claim(stranger, listing, email=STRANGER, proof="link")[0] for _ in range(4)]
        numbers = [
            claim(stranger, listing, email=STRANGER, proof="number", license_number=f"X{n}")[0]
            for n in range(6)
        ]
    assert links[-1] == numbers[-1] == 429
    strangers_links = len(mail.outbox)

    owner = visitor(live_server, "198.51.100.20")
    status, html = claim(owner, listing, email=OWNER, proof="link")

    assert status == 302 and "Check the listing's email" in html
    assert len(mail.outbox) == strangers_links + 1
    message = mail.outbox[-1]
    assert message.to == ["ada.office@example.org"] and OWNER in message.body
    link = re.search(r"https://directory\.example\.org(/\S+/claim/confirm/\S+/)", message.body)[1]
    confirm = owner.get(link)
    status, location, _html = owner.submit(link, confirm, having="csrfmiddlewaretoken")
    assert (status, location) == (302, f"/therapists/{listing.slug}/claim/sent/")
    assert Application.objects.get().email == OWNER


def test_links_to_one_listing_are_limited_for_each_network(live_server, listing, settings):
    settings.CLAIM_LINKS_PER_LISTING = 2
    here = visitor(live_server, "203.0.113.9")

    statuses = [claim(here, listing, email=STRANGER, proof="link")[0] for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_item_9_strangers_numbers_to_check_never_block_the_owners_claim(live_server, db):
    # A seeded listing: no private address, no number on record, so its only way in is a
    # number for staff to check with the state board; strangers' requests from five
    # networks leave the owner's own request open.
    listing = make_therapist("Bo Fictional")
    for n in range(5):
        stranger = visitor(live_server, f"203.0.113.{n + 1}")
        assert claim(stranger, listing, email=f"s{n}@example.net", license_number=f"X{n}")[0] == 302
    owner = visitor(live_server, "198.51.100.20")

    status, _html = claim(owner, listing, email=OWNER, license_number=NUMBER)

    assert status == 302
    assert Application.objects.filter(therapist=listing, email=OWNER).exists()

"""The site's one rate limiter (kit.limits): every form's limits are counts in one table,
taken atomically, counting a client by its network (kit.clients: an IPv6 client by its
/64) and an email address by its canonical mailbox. The concurrency tests send real
requests at once, from threads, to a live server. Every name and address is fictional."""

import datetime
import ipaddress
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from kit.clients import client_network
from kit.limits import (
    DAY,
    authorize,
    authorize_photo_upload,
    canonical_email,
    delete_expired,
    limit_key,
)
from kit.models import RateLimit
from tests.conftest import make_city, make_credential, make_modality, make_therapist
from tests.live_http import Browser
from therapists.models import ContactMessage, License

MESSAGE = "Fictional test message: I would like to talk about sleeping badly since spring."


@pytest.fixture(autouse=True)
def quick_forms(settings):
    # The forms read from their pages carry the moment they were shown: no test waits the
    # production three seconds (the guard has its own tests).
    settings.CONTACT_FORM_MIN_SECONDS = 0


@pytest.fixture
def therapist(live_server, transactional_db):
    """A listed therapist with an account (someone reads their messages) and a private
    address, unclaimed listings aside."""
    user = User.objects.create_user("ada.account@example.org", "ada.account@example.org")
    return make_therapist("Ada Fictional", user=user)


@pytest.fixture
def requests_at_once(monkeypatch):
    """Requests to the live server run at the same time, each on its own connection to
    PostgreSQL. The in-memory SQLite test database is one connection that the live server's
    threads share, which must never run two transactions at once: there, as writes to a
    SQLite file serialize, the requests do (the limits are the same code on both)."""
    if connection.vendor != "sqlite":
        return
    one_at_a_time = threading.Lock()
    handle = WSGIHandler.__call__

    def serialized(self, environ, start_response):
        with one_at_a_time:
            return handle(self, environ, start_response)

    monkeypatch.setattr(WSGIHandler, "__call__", serialized)


def at_once(count, send):
    """Calls send(n) for n in range(count) from `count` threads released together."""
    start = threading.Barrier(count)

    def released(number):
        start.wait(timeout=30)
        return send(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def contact_form(live_server, therapist):
    """A browser with the contact page open: (browser, page)."""
    browser = Browser(live_server.url)
    return browser, browser.get(therapist.get_contact_url())


def write(browser, page, therapist, email="robin@example.org", text=MESSAGE):
    status, _location, _html = browser.submit(
        therapist.get_contact_url(),
        page,
        having="text",
        name="Robin Example",
        email=email,
        for_whom="myself",
        text=text,
        consent="on",
    )
    return status


# Who the client is ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("", ""),
    ],
)
def test_it_names_a_client_by_its_ipv4_address_or_its_ipv6_64(address, network):
    assert client_network(RequestFactory().get("/", REMOTE_ADDR=address)) == network


def test_it_reads_the_client_behind_a_trusted_proxy_only(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.2")]
    behind = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8::9")
    direct = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="2001:db8::9"
    )

    assert (client_network(behind), client_network(direct)) == ("2001:db8::", "198.51.100.1")


@pytest.mark.parametrize(
    "spelling",
    [
        "victim@gmail.com",
        "Victim@Gmail.com",
        "victim+1@gmail.com",
        "victim+2@gmail.com",
        "v.i.c.t.i.m@gmail.com",
        "v.i.c.t.i.m+x@googlemail.com",
        " VICTIM@GMAIL.COM ",
    ],
)
def test_it_counts_every_spelling_of_one_mailbox_as_that_mailbox(spelling):
    assert canonical_email(spelling) == "victim@gmail.com"


def test_it_keeps_the_dots_where_the_provider_reads_them():
    assert canonical_email("Ada.Lee+work@Example.org") == "ada.lee@example.org"
    assert canonical_email("ada.lee@example.org") != canonical_email("adalee@example.org")


# The limiter ------------------------------------------------------------------------------


def test_it_allows_the_limit_in_a_window_and_not_one_more(db):
    key = limit_key("test", "one subject")

    allowed = [authorize(key, 3, DAY) for _ in range(5)]

    assert allowed == [True, True, True, False, False]
    assert RateLimit.objects.get().hits == 3
    assert authorize(limit_key("test", "another subject"), 3, DAY)


def test_it_counts_each_window_apart_and_deletes_the_windows_past(db):
    key = limit_key("test", "one subject")
    yesterday = timezone.now() - DAY
    assert [authorize(key, 1, DAY, at=yesterday) for _ in range(2)] == [True, False]

    assert authorize(key, 1, DAY)  # today's window is a new one
    RateLimit.objects.create(key=key, window_start=timezone.now() - datetime.timedelta(days=3))

    assert delete_expired() == 1
    assert RateLimit.objects.count() == 2


def test_it_stores_keyed_hashes_only(db):
    authorize(limit_key("contact.email", "robin@example.org"), 5, DAY)

    [row] = RateLimit.objects.values()
    assert "robin" not in str(row) and len(row["key"]) == 64


# Item 8: limits hold under concurrency and count a canonical address -------------------


def test_item_8_the_same_message_sent_from_six_pages_at_once_is_stored_once(
    live_server, therapist, requests_at_once
):
    pages = [contact_form(live_server, therapist) for _ in range(6)]

    statuses = at_once(6, lambda n: write(*pages[n], therapist))

    assert sorted(statuses) == [200] * 5 + [302]
    assert ContactMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_item_8_twelve_messages_at_once_when_eighteen_of_twenty_are_used_let_two_through(
    live_server, therapist, settings, requests_at_once
):
    assert settings.CONTACT_MESSAGES_PER_ADDRESS == 20
    # Eighteen sent earlier today from this network (the live server's client, 127.0.0.1).
    for number in range(18):
        browser, page = contact_form(live_server, therapist)
        assert write(browser, page, therapist, f"earlier{number}@example.org", f"Earlier {number}.")
        assert ContactMessage.objects.count() == number + 1
    pages = [contact_form(live_server, therapist) for _ in range(12)]

    statuses = at_once(
        12, lambda n: write(*pages[n], therapist, f"now{n}@example.org", f"Now, {n}.")
    )

    assert sorted(statuses) == [302] * 2 + [429] * 10
    assert ContactMessage.objects.count() == 20


def test_item_8_spellings_of_one_mailbox_share_one_allowance_to_write(
    live_server, therapist, settings
):
    settings.CONTACT_MESSAGES_PER_EMAIL = 2

    statuses = [
        write(*contact_form(live_server, therapist), therapist, email, f"Message {number}.")
        for number, email in enumerate(
            ["victim+1@gmail.com", "victim+2@gmail.com", "v.i.c.t.i.m@gmail.com"]
        )
    ]

    assert statuses == [302, 302, 429]
    assert ContactMessage.objects.count() == 2


@pytest.fixture
def join_choices(transactional_db):
    """What a joiner chooses on /join/, as the form sends it."""
    city, modality = make_city("Springfield", "IL"), make_modality("Interpersonal Therapy")
    return {
        "display_name": "Noa Fictional",
        "credential": str(make_credential().pk),
        "license_state": "IL",
        "license_number": "IL-0001",
        "city": str(city.pk),
        "modalities": [str(modality.pk)],
    }


def ask_to_join(live_server, email, choices):
    browser = Browser(live_server.url)
    page = browser.get("/join/")
    return browser.submit("/join/", page, having="display_name", email=email, **choices)[0]


def test_item_8_spellings_of_one_mailbox_share_one_allowance_to_join(
    live_server, join_choices, settings
):
    settings.JOIN_LINKS_PER_EMAIL = 2

    statuses = [
        ask_to_join(live_server, email, join_choices)
        for email in ["victim+1@gmail.com", "victim+2@gmail.com", "v.i.c.t.i.m@gmail.com"]
    ]

    assert statuses == [302, 302, 429]
    assert [message.to for message in mail.outbox] == [
        ["victim+1@gmail.com"],
        ["victim+2@gmail.com"],
    ]


# Item 10: one mechanism for every form ---------------------------------------------------


def test_item_10_every_form_stops_at_its_limit_counted_in_the_one_table(
    live_server, therapist, join_choices, settings
):
    settings.CONTACT_MESSAGES_PER_ADDRESS = 1
    settings.JOIN_LINKS_PER_ADDRESS = 1
    settings.CLAIM_NUMBER_TRIES_PER_ADDRESS = 1
    settings.PASSWORD_RESETS_PER_ADDRESS = 1
    listing = make_therapist("Bo Fictional", city=make_city("Springfield", "IL"))
    License.objects.filter(therapist=listing).update(number="IL-0042")
    User.objects.create_user("robin@example.org", "robin@example.org")

    def claim(email):
        browser = Browser(live_server.url)
        url = f"/therapists/{listing.slug}/claim/"
        page = browser.get(url)
        return browser.submit(
            url, page, having="proof", email=email, proof="number", license_number="IL-0042"
        )[0]

    def reset(email):
        browser = Browser(live_server.url)
        page = browser.get("/accounts/password_reset/")
        return browser.submit("/accounts/password_reset/", page, having="email", email=email)[0]

    forms = {
        "contact": lambda n: write(
            *contact_form(live_server, therapist), therapist, f"s{n}@example.org", f"Text {n}."
        ),
        "join": lambda n: ask_to_join(live_server, f"joiner{n}@example.org", join_choices),
        "claim": lambda n: claim(f"claimant{n}@example.org"),
        "reset": lambda n: reset("robin@example.org" if n == 0 else f"r{n}@example.org"),
    }

    first = {name: send(0) for name, send in forms.items()}
    second = {name: send(1) for name, send in forms.items()}
    counts = RateLimit.objects.count()
    RateLimit.objects.all().delete()  # the day's counts gone: each form takes one again
    after = {name: send(2) for name, send in forms.items()}

    assert first == {"contact": 302, "join": 302, "claim": 302, "reset": 302}
    assert second == {"contact": 429, "join": 429, "claim": 429, "reset": 429}
    assert after == first
    assert counts >= len(forms) * 2


def test_it_allows_an_account_its_photo_uploads_of_the_day_and_no_more(db, settings):
    settings.PHOTO_UPLOADS_PER_DAY = 2
    ada = User.objects.create_user("ada.account@example.org")
    bo = User.objects.create_user("bo.account@example.org")

    assert [authorize_photo_upload(ada) for _ in range(3)] == [True, True, False]
    assert authorize_photo_upload(bo.pk)

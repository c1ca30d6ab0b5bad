"""Asking for a password reset link: limited per address (staff addresses too) and per
network, through the site's one limiter; the answer does the same work whether or not an
account has the address, because the request only queues the email (the worker looks up
the accounts and sends Django's reset email). Every name and address is fictional."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from tests.conftest import page_text
from tests.live_http import Browser

THERAPIST = "robin.sample@example.org"
STAFF = "sam.staff@example.org"
RESET = "/accounts/password_reset/"


@pytest.fixture
def accounts(transactional_db):
    User.objects.create_user(THERAPIST, THERAPIST, "a-fictional-passphrase")
    User.objects.create_superuser(STAFF, STAFF, "another-fictional-passphrase")


def ask(browser, email):
    page = browser.get(RESET)
    return browser.submit(RESET, page, having="email", email=email)[0]


def test_item_7_twenty_requests_at_once_send_at_most_the_limit_to_staff_and_therapists(
    live_server, accounts, settings
):
    assert settings.PASSWORD_RESETS_PER_EMAIL == 3
    browser = Browser(live_server.url)

    for address in (STAFF, THERAPIST):
        statuses = [ask(browser, address) for _ in range(20)]

        assert statuses == [302] * 3 + [429] * 17
    assert [message.to for message in mail.outbox] == [[STAFF]] * 3 + [[THERAPIST]] * 3


def test_item_7_requests_from_one_network_are_limited_whatever_the_addresses(
    live_server, accounts, settings
):
    settings.PASSWORD_RESETS_PER_ADDRESS = 2
    browser = Browser(live_server.url)

    statuses = [ask(browser, f"nobody{number}@example.org") for number in range(3)]
    refused = browser.submit(RESET, browser.get(RESET), having="email", email=THERAPIST)

    assert statuses == [302, 302, 429]
    assert refused[0] == 429
    assert "many requests have come from your network" in refused[2]
    assert not mail.outbox


def queries_to_ask(email):
    """The SQL of the request's queries."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(RESET, {"email": email})
    assert response.status_code == 302
    return [query["sql"] for query in queries]


def work(queries):
    """The queries with their values and savepoint names blanked."""
    return [re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+(\.\d+)?\b", "?", sql) for sql in queries]


def test_item_7_a_known_and_an_unknown_address_cost_the_request_the_same_work(
    transactional_db, settings
):
    User.objects.create_user(THERAPIST, THERAPIST, "a-fictional-passphrase")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    # Each asked for the first time, from a network that asked before, for a third address.
    queries_to_ask("someone.else@example.org")
    known, unknown = queries_to_ask(THERAPIST), queries_to_ask("nobody.here@example.org")

    assert work(known) == work(unknown)
    assert not any("auth_user" in sql for sql in known + unknown)  # no account looked up
    assert not mail.outbox and DBTaskResult.objects.count() == 3
    call_command("db_worker", batch=True, startup_delay=False, stdout=StringIO())
    [message] = mail.outbox
    assert message.to == [THERAPIST]
    assert re.search(r"https://directory\.example\.org/accounts/reset/\S+/\S+/", message.body)


def test_the_worker_writes_the_email_in_the_edition_it_was_asked_on(client, db):
    User.objects.create_user(THERAPIST, THERAPIST, "a-fictional-passphrase")

    response = client.post(f"/es{RESET}", {"email": THERAPIST}, follow=True)

    assert response.redirect_chain == [(f"/es{RESET}done/", 302)]
    [message] = mail.outbox
    assert "https://directory.example.org/es/accounts/reset/" in message.body


def test_it_keeps_the_address_typed_when_the_limit_is_reached(client, db, settings):
    settings.PASSWORD_RESETS_PER_EMAIL = 0

    response = client.post(RESET, {"email": THERAPIST})

    assert response.status_code == 429
    assert "as many links to this address today" in page_text(response)
    assert f'value="{THERAPIST}"' in response.content.decode()


def test_asking_for_a_reset_link_costs_the_same_queries_for_any_address(
    client, db, django_assert_num_queries
):
    User.objects.create_user("known@example.org", "known@example.org", "a-password-1234")
    for address in ("known@example.org", "unknown@example.org"):
        # The two limits (address, network), one statement each, in a savepoint (SAVEPOINT,
        # RELEASE); the tests' immediate task backend then runs the worker's task at once:
        # the accounts with that address.
        with django_assert_num_queries(5):
            answer = client.post("/accounts/password_reset/", {"email": address})
        assert answer.status_code == 302

"""A client's message is read by the therapist it was sent to and nobody else: not another
therapist by any id, not staff in the admin, not whoever reads the logs, an email or a
cookie. Every name and address here is fictional."""

import datetime
import logging
import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_therapist
from tests.test_contact import send
from tests.test_messages_inbox import message_to
from therapists.models import ContactMessage

INBOX = "/profile/messages/"
SENDER = {"name": "Robin Private", "email": "robin.private@example.org", "phone": "555-010-0177"}
TEXT = "Fictional: I have had panic attacks at work since the spring."
# What must never leave the therapist's own page.
PRIVATE = [*SENDER.values(), "panic attacks", "since the spring"]
ACTIONS = ["replied", "delete"]


@pytest.fixture
def ada(db):
    user = User.objects.create_user("ada.account@example.org", "ada.account@example.org")
    return make_therapist("Ada Fictional", user=user)


@pytest.fixture
def bo(db):
    user = User.objects.create_user("bo.account@example.org", "bo.account@example.org")
    return make_therapist("Bo Fictional", user=user)


@pytest.fixture
def adas_message(ada):
    return message_to(ada, text=TEXT, **SENDER)


def unchanged(message):
    """The message as stored, to compare after an attempt on it."""
    stored = ContactMessage.objects.filter(pk=message.pk).values().first()
    assert stored is not None
    return stored


# Another therapist -----------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_another_therapist_reaches_no_message_of_ada_by_its_id(client, bo, adas_message, action):
    before = unchanged(adas_message)
    message_to(bo)  # Bo's own, so Bo's inbox is not empty
    client.force_login(bo.user)

    response = client.post(f"{INBOX}{adas_message.pk}/{action}/")

    assert response.status_code == 404
    assert unchanged(adas_message) == before
    for private in PRIVATE:
        assert private not in response.content.decode()


def test_another_therapist_finds_none_of_adas_messages_on_any_page_of_their_inbox(
    client, bo, adas_message
):
    client.force_login(bo.user)

    for page in ("", "?page=2", f"?page={adas_message.pk}", "?page=last"):
        body = client.get(INBOX + page).content.decode()
        for private in PRIVATE:
            assert private not in body
    assert unchanged(adas_message)["read_at"] is None


@pytest.mark.parametrize("action", ACTIONS)
def test_an_id_that_is_not_one_of_the_therapists_kept_messages_answers_404(client, ada, action):
    deleted = message_to(ada)
    deleted_pk = deleted.pk
    deleted.delete()
    past_retention = message_to(ada, ago=datetime.timedelta(days=91), replied_after=None)
    client.force_login(ada.user)

    for message_id in (deleted_pk, past_retention.pk, 0, 2**63, 10**30):
        response = client.post(f"{INBOX}{message_id}/{action}/")
        assert response.status_code == 404, message_id
    for junk in ("abc", "-1", "1.5", "%00"):
        assert client.post(f"{INBOX}{junk}/{action}/").status_code == 404
    assert unchanged(past_retention)["replied_at"] is None


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_is_never_taken_by_a_get(client, ada, adas_message, action):
    before = unchanged(adas_message)
    client.force_login(ada.user)

    assert client.get(f"{INBOX}{adas_message.pk}/{action}/").status_code == 405
    assert unchanged(adas_message) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_form_sent_without_its_csrf_token_is_refused(ada, adas_message, action):
    before = unchanged(adas_message)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada.user)

    assert browser.post(f"{INBOX}{adas_message.pk}/{action}/").status_code == 403
    assert unchanged(adas_message) == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["", "{pk}/replied/", "{pk}/delete/"])
def test_every_messages_address_asks_a_visitor_to_sign_in(client, adas_message, method, path):
    before = unchanged(adas_message)
    url = INBOX + path.format(pk=adas_message.pk)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert unchanged(adas_message) == before


@pytest.mark.parametrize("path", ["", "{pk}/replied/", "{pk}/delete/"])
def test_staff_without_a_listing_get_404_for_every_messages_address(client, adas_message, path):
    """404: staff have no inbox of their own, and no way into anyone else's."""
    before = unchanged(adas_message)
    staff = User.objects.create_superuser("curator@example.org", "curator@example.org", "pw")
    client.force_login(staff)
    url = INBOX + path.format(pk=adas_message.pk)

    response = client.post(url) if path else client.get(url)

    assert response.status_code == 404
    assert unchanged(adas_message) == before


# Staff in the admin ----------------------------------------------------------------------


def admin_links(body):
    links = {unescape(href) for href in re.findall(r'href="(/admin/[^"#]*)"', body)}
    return {link for link in links if "logout" not in link}


def test_a_superuser_finds_no_messages_text_anywhere_in_the_admin(client, ada, adas_message):
    ContactMessage.objects.filter(pk=adas_message.pk).mark_replied()
    staff = User.objects.create_superuser("curator@example.org", "curator@example.org", "pw")
    client.force_login(staff)
    listing = f"/admin/therapists/therapist/{ada.pk}/"

    # Every page the index links, and every page those link, plus the listing's own.
    seen, pages = set(), {"/admin/", f"{listing}change/", f"{listing}delete/"}
    for _depth in range(2):
        found = set()
        for page in sorted(pages - seen):
            seen.add(page)
            response = client.get(page)
            assert response.status_code in (200, 302, 404), page
            body = response.content.decode()
            for private in PRIVATE:
                assert private not in unescape(body), page
            assert "contactmessage" not in body.lower(), page
            found |= admin_links(body)
        pages = found
    assert len(seen) > 20  # the crawl did reach the admin's pages
    assert client.get("/admin/therapists/contactmessage/").status_code == 404
    assert (
        client.get(f"/admin/therapists/contactmessage/{adas_message.pk}/change/").status_code == 404
    )


# Logs, emails, cookies -------------------------------------------------------------------


def test_no_message_text_reaches_the_log_on_its_whole_way(client, ada, caplog, settings):
    """Sent, notified, read, marked replied, deleted, and its reply time counted, with every
    logger at DEBUG and Django's SQL log on (it writes each query's values)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    for ago in (3, 2):
        message_to(ada, ago=datetime.timedelta(days=ago), replied_after=datetime.timedelta(hours=1))
    message_to(ada, ago=datetime.timedelta(days=95), replied_after=datetime.timedelta(hours=5))
    with CaptureQueriesContext(connection):  # the SQL log on, as with DEBUG
        assert (
            send(
                client, ada, {**SENDER, "text": TEXT, "for_whom": "myself", "consent": "on"}
            ).status_code
            == 302
        )
        message = ContactMessage.objects.get(email=SENDER["email"])
        client.force_login(ada.user)
        assert SENDER["email"] in client.get(INBOX).content.decode()
        client.post(f"{INBOX}{message.pk}/replied/")
        call_command("delete_old_messages", verbosity=0)
        client.post(f"{INBOX}{message.pk}/delete/")

    assert not ContactMessage.objects.filter(pk=message.pk).exists()
    assert "therapists_therapist" in caplog.text  # the SQL log was on
    for private in PRIVATE:
        assert private not in caplog.text
    assert len(mail.outbox) == 1  # the notice of the message
    for notice in mail.outbox:
        for private in PRIVATE:
            assert private not in notice.subject + notice.body + str(notice.message())


def test_the_notices_after_the_actions_name_no_sender(client, ada, adas_message):
    client.force_login(ada.user)
    shown = []
    for action in ACTIONS:
        client.post(f"{INBOX}{adas_message.pk}/{action}/")
        # The notices travel in a cookie until shown: what they say is what it holds.
        shown += [str(notice) for notice in client.get(INBOX).context["messages"]]

    assert len(shown) == 2
    assert shown[0] == "The message is marked replied."
    assert shown[1].startswith("The message sent ")
    assert str(timezone.localtime(adas_message.created_at).year) in shown[1]
    for private in PRIVATE:
        assert all(private not in notice for notice in shown)

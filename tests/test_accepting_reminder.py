"""Every 60 days a listing that says it accepts new clients is asked "Are you still?" by an
email whose signed link confirms it in one click, signed in or not. Every name and address
here is fictional."""

import datetime
import re
import smtplib
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests import task_queue
from tests.conftest import make_concern, make_therapist, page_text
from tests.forms import form_on
from tests.task_queue import run_worker, waiting
from tests.test_messages_inbox import message_to
from therapists.accepting import accepting_token, send_reminders
from therapists.models import Therapist

# Tasks wait in the database for a worker, as in production (issue 20, item 2).
database_queue = task_queue.database_queue

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


class RefusingBackend(EmailBackend):
    """The test outbox, with a mail server that refuses addresses at refused.example."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.endswith("@refused.example") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


def with_account(name, email=None, **fields):
    email = email or f"{name.split()[0].lower()}@example.org"
    return make_therapist(name, user=User.objects.create_user(email, email), **fields)


def link_in(notice):
    [link] = re.findall(r"https?://\S+/profile/accepting/\S+/", notice.body)
    return link


def reminded():
    return sorted(address for notice in mail.outbox for address in notice.to)


@pytest.fixture
def ada(db):
    """Accepting new clients, last confirmed 61 days ago, never reminded."""
    return with_account(
        "Ada Fictional", accepting_new_clients=True, accepting_confirmed_on=TODAY() - 61 * DAY
    )


# Who is reminded -------------------------------------------------------------------------


def test_it_reminds_each_accepting_listing_unconfirmed_and_unreminded_for_sixty_days(db):
    with_account("Ada Fictional", accepting_confirmed_on=None)
    with_account("Bo Fictional", accepting_confirmed_on=TODAY() - 60 * DAY)
    with_account("Cy Fictional", accepting_confirmed_on=TODAY() - 90 * DAY)
    with_account(
        "Di Fictional",
        accepting_confirmed_on=TODAY() - 100 * DAY,
        accepting_reminded_on=TODAY() - 60 * DAY,
    )
    make_therapist("Ed Fictional", contact_email="ed.private@example.org")  # no account
    # Not reminded: confirmed or reminded lately, not accepting, unlisted, no address.
    with_account("Fay Fictional", accepting_confirmed_on=TODAY() - 59 * DAY)
    with_account("Gus Fictional", accepting_reminded_on=TODAY() - 59 * DAY)
    with_account("Hal Fictional", accepting_new_clients=False)
    with_account("Ivy Fictional", is_listed=False)
    make_therapist("Jo Fictional")

    call_command("send_accepting_reminders", verbosity=0)

    assert reminded() == [
        "ada@example.org",
        "bo@example.org",
        "cy@example.org",
        "di@example.org",
        "ed.private@example.org",
    ]
    assert set(
        Therapist.objects.filter(accepting_reminded_on=TODAY()).values_list(
            "display_name", flat=True
        )
    ) == {"Ada Fictional", "Bo Fictional", "Cy Fictional", "Di Fictional", "Ed Fictional"}


def test_it_sends_to_the_private_address_for_messages_when_given(db):
    with_account("Ada Fictional", contact_email="ada.private@example.org")

    call_command("send_accepting_reminders", verbosity=0)

    assert reminded() == ["ada.private@example.org"]


def test_running_it_again_the_same_day_sends_nothing_twice(ada):
    call_command("send_accepting_reminders", verbosity=0)
    call_command("send_accepting_reminders", verbosity=0)

    assert reminded() == ["ada@example.org"]
    ada.refresh_from_db()
    assert ada.accepting_reminded_on == TODAY()


def test_it_sends_in_batches_and_one_refused_address_stops_none_of_the_rest(
    db, settings, caplog, database_queue
):
    settings.EMAIL_BACKEND = "tests.test_accepting_reminder.RefusingBackend"
    names = ["Ada Fictional", "Bo Fictional", "Cy Fictional", "Di Fictional", "Ed Fictional"]
    listings = [
        with_account(name, email="bo@refused.example" if name.startswith("Bo") else None)
        for name in names
    ]

    # Queued, each batch with its listings' dates: no run waits on the mail server.
    assert send_reminders(batch_size=2) == 5
    assert Therapist.objects.filter(accepting_reminded_on=TODAY()).count() == 5
    run_worker()

    assert reminded() == ["ada@example.org", "cy@example.org", "di@example.org", "ed@example.org"]
    refused = listings[1]
    # Refused for good (550): given up at once, logged by listing, never by address.
    assert f"the accepting_reminder notice to listing {refused.pk}" in caplog.text
    assert "refused.example" not in caplog.text
    assert not waiting().exists()


def test_the_reminder_holds_a_signed_link_from_site_url_and_nothing_of_health(ada, settings):
    ada.concerns.add(make_concern("Fictional sleeplessness"))
    message_to(ada, text="Fictional message about my panic at night.", name="Robin Example")

    call_command("send_accepting_reminders", verbosity=0)

    [notice] = mail.outbox
    assert notice.subject == "Are you still accepting new clients?"
    assert "says you are accepting new clients" in notice.body
    assert link_in(notice).startswith(settings.SITE_URL + "/profile/accepting/")
    assert settings.SITE_URL + "/profile/edit/" in notice.body
    assert "30 days" in notice.body
    everything = notice.subject + notice.body
    for private in ("sleeplessness", "panic", "Robin Example", "robin@example.org"):
        assert private not in everything


def test_a_listing_without_an_account_is_pointed_to_its_claim_not_to_a_sign_in(db, settings):
    # Walked as a newcomer: the reminder to a listing's private address, and the page its
    # link opens, said "sign in" to someone with no account to sign in with.
    ed = make_therapist(
        "Ed Fictional", contact_email="ed.private@example.org", accepting_new_clients=True
    )

    call_command("send_accepting_reminders", verbosity=0)

    [notice] = mail.outbox
    assert "sign in:" not in notice.body and "/profile/edit/" not in notice.body
    assert "To edit it yourself, claim it" in notice.body
    claim_url = f"/therapists/{ed.slug}/claim/"
    assert settings.SITE_URL + claim_url in notice.body
    page = Client().get(urlsplit(link_in(notice)).path)
    assert "sign in and" not in page_text(page)
    assert f'<a href="{claim_url}">claim it</a>' in page.content.decode()


def test_right_after_saying_not_accepting_the_page_does_not_say_nothing_changed(ada):
    link = reminder_link(ada)
    visitor = Client()

    response = form_on(visitor.get(link), method="post").submit(visitor, link)

    text = page_text(response)
    assert "Saved: your listing now says you are not accepting new clients." in text
    assert "changed nothing" not in text
    assert "sign in and edit it" in text  # Ada has an account


# The link --------------------------------------------------------------------------------


def reminder_link(therapist):
    call_command("send_accepting_reminders", verbosity=0)
    [notice] = [notice for notice in mail.outbox if notice.to == [therapist.user.email]]
    return urlsplit(link_in(notice)).path


def test_one_click_confirms_without_signing_in(ada, django_assert_num_queries):
    link = reminder_link(ada)
    visitor = Client()

    # the listing; the confirmation saved (the update, the search index's change log: the
    # counter and the entry)
    with django_assert_num_queries(4):
        response = visitor.get(link)

    assert response.status_code == 200
    assert (
        "Thank you: your listing, Ada Fictional, says you accept new clients, confirmed today."
        in page_text(response)
    )
    ada.refresh_from_db()
    assert (ada.accepting_new_clients, ada.accepting_confirmed_on) == (True, TODAY())
    assert "no-store" in response["Cache-Control"]
    today = TODAY()
    profile = page_text(Client().get(ada.get_absolute_url()))
    assert f"Accepting new clients · confirmed {today.day} {today:%b %Y}" in profile


def test_the_page_lets_the_therapist_say_they_are_not_accepting_now(ada):
    link = reminder_link(ada)
    visitor = Client()
    page = visitor.get(link)

    response = form_on(page, method="post").submit(visitor, link)

    assert response.status_code == 200
    assert "Saved: your listing now says you are not accepting new clients." in page_text(response)
    ada.refresh_from_db()
    assert (ada.accepting_new_clients, ada.accepting_confirmed_on) == (False, TODAY())
    assert "is not accepting new clients" in page_text(Client().get(ada.get_contact_url()))


def test_a_link_for_a_listing_no_longer_accepting_says_so_and_changes_nothing(ada):
    link = reminder_link(ada)
    Therapist.objects.filter(pk=ada.pk).update(
        accepting_new_clients=False, accepting_confirmed_on=TODAY() - 10 * DAY
    )

    response = Client().get(link)

    assert response.status_code == 200
    assert "says you are not accepting new clients. This link changed nothing." in page_text(
        response
    )
    ada.refresh_from_db()
    assert (ada.accepting_new_clients, ada.accepting_confirmed_on) == (False, TODAY() - 10 * DAY)
    # Sent without the page's form (no CSRF token): refused, and still nothing changed.
    assert Client(enforce_csrf_checks=True).post(link).status_code == 403
    assert Client().post(link).status_code == 200
    ada.refresh_from_db()
    assert ada.accepting_confirmed_on == TODAY() - 10 * DAY


def test_a_look_at_the_link_without_reading_it_confirms_nothing(ada):
    link = reminder_link(ada)

    assert Client().head(link).status_code == 200

    ada.refresh_from_db()
    assert ada.accepting_confirmed_on == TODAY() - 61 * DAY


def expired_token(therapist, monkeypatch):
    signed_at = time.time() - 31 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: signed_at)
        return accepting_token(therapist, TODAY() - 31 * DAY)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token, therapist, monkeypatch: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        lambda token, therapist, monkeypatch: token.split(":")[0],
        lambda token, therapist, monkeypatch: "junk",
        lambda token, therapist, monkeypatch: "a:b:c",
        lambda token, therapist, monkeypatch: "x" * 5000,
        lambda token, therapist, monkeypatch: expired_token(therapist, monkeypatch),
    ],
    ids=["tampered", "unsigned", "junk", "separators", "huge", "expired"],
)
def test_a_spoilt_or_expired_link_answers_400_and_changes_nothing(ada, spoil, monkeypatch):
    token = spoil(accepting_token(ada, TODAY()), ada, monkeypatch)

    url = f"/profile/accepting/{token}/"

    for response in (Client().get(url), Client().post(url)):
        assert response.status_code == 400
        assert "This link no longer works" in page_text(response)
        assert "it works for 30 days after the reminder" in page_text(response)
    ada.refresh_from_db()
    assert ada.accepting_confirmed_on == TODAY() - 61 * DAY


def test_a_link_for_a_deleted_listing_answers_400(ada):
    token = accepting_token(ada, TODAY())
    ada.delete()

    assert Client().get(f"/profile/accepting/{token}/").status_code == 400


def test_its_pages_hold_no_inline_script_or_style_and_one_heading(ada):
    link = reminder_link(ada)
    for body in (
        Client().get(link).content.decode(),
        Client().get("/profile/accepting/junk/").content.decode(),
    ):
        assert "<script>" not in body
        assert "style=" not in body
        assert body.count("<h1") == 1

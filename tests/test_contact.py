"""Writing to a therapist through the site: the form as a person fills it in, the spam
guards, the notice to the therapist, and the message kept out of logs, error reports, the
admin and every email. Every name and address here is fictional."""

import datetime
import logging
import re
import sys
import time
from html import unescape
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django.views.debug import ExceptionReporter

from kit.models import RateLimit
from tests.conftest import make_therapist, page_text
from tests.forms import form_on
from therapists.forms import SHOWN_AT_MAX_AGE, ContactForm, shown_at_token
from therapists.models import ContactMessage, Therapist

MESSAGE = "Fictional test message: I have felt low since the winter and would like to talk."
FILLED = {
    "name": "Robin Example",
    "email": "robin@example.org",
    "phone": "555-010-0199",
    "for_whom": "myself",
    "text": MESSAGE,
    "consent": "on",
}
# What a message holds that must never leave the therapist's page.
PRIVATE = ["Robin Example", "robin@example.org", "555-010-0199", "felt low since the winter"]
# A sign-in's fields, kept here (not among the lines an error report quotes of a test).
SIGN_IN = {"username": "ada.account@example.org", "password": "a-fictional-passphrase"}


@pytest.fixture
def therapist(db):
    """A listed therapist, accepting new clients as of today, with an account."""
    user = User.objects.create_user("ada.account@example.org", "ada.account@example.org")
    return make_therapist(
        "Ada Fictional",
        user=user,
        accepting_new_clients=True,
        accepting_confirmed_on=timezone.localdate(),
    )


@pytest.fixture
def other(db):
    user = User.objects.create_user("bo.account@example.org", "bo.account@example.org")
    return make_therapist("Bo Fictional", user=user)


def shown_at(response):
    return re.search(r'name="shown_at" value="([^"]+)"', response.content.decode())[1]


def written(therapist, seconds=10):
    """The shown_at of a form shown `seconds` ago: the time a person takes to write."""
    return shown_at_token(therapist, now=time.time() - seconds)


def send_untouched(client, therapist):
    """The contact form sent as it came, read from its page as a browser reads it: empty
    fields, no radio, no checkbox, the page's own hidden fields."""
    url = therapist.get_contact_url()
    form = form_on(client.get(url), method="post")
    return client.post(
        url, urlencode(form.data()), content_type="application/x-www-form-urlencoded"
    )


def send(client, therapist, data, seconds=10, **extra):
    """Opens the contact page, then sends `data` as the browser would after `seconds`."""
    page = client.get(therapist.get_contact_url())
    assert page.status_code == 200
    fields = {"shown_at": written(therapist, seconds), "website": "", **data}
    return client.post(therapist.get_contact_url(), fields, **extra)


def error_summary(response):
    body = response.content.decode()
    summary = re.search(
        r'<div class="notice notice-error" id="error-summary">(.*?)</div>', body, re.S
    )
    return squash_html(summary[1]).replace(" :", ":") if summary else ""


def squash_html(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# The form --------------------------------------------------------------------------------


def test_it_shows_the_form_with_the_crisis_line_and_a_hidden_honeypot(
    client, therapist, django_assert_num_queries
):
    # the listing with its account (for where the notice goes), in one query
    with django_assert_num_queries(1):
        response = client.get(therapist.get_contact_url())

    assert response.status_code == 200
    text = page_text(response)
    assert "Write to Ada Fictional" in text
    for label in [
        "Your name",
        "Your email address",
        "Your phone number (optional)",
        "The help is for",
        "Myself",
        "Someone else (a child, partner or relative)",
        "Your message",
        "I agree that the directory passes my message and contact details to Ada Fictional",
    ]:
        assert label in text
    assert "call or text 988" in text
    assert "we delete it after 90 days" in text
    assert "accepting new clients" not in text
    body = response.content.decode()
    honeypot = re.search(r'<div class="visually-hidden">(.*?)</div>', body, re.S)[1]
    assert "Leave this field empty" in honeypot
    assert re.search(
        r'<input type="text" name="website" id="id_website" tabindex="-1" '
        r'autocomplete="off">',
        honeypot,
    )
    assert 'type="radio" name="for_whom"' in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"accepting_new_clients": False}, "Ada Fictional is not accepting new clients"),
        (
            {"accepting_confirmed_on": datetime.date(2020, 1, 1)},
            "Ada Fictional has not confirmed lately that they are accepting new clients.",
        ),
        ({"accepting_confirmed_on": None}, "has not confirmed lately"),
    ],
)
def test_it_notes_above_the_form_when_the_therapist_may_not_take_new_clients(
    client, therapist, fields, note
):
    Therapist.objects.filter(pk=therapist.pk).update(**fields)

    text = page_text(client.get(therapist.get_contact_url()))

    assert note in text
    assert "You can still write" in text
    assert text.index(note) < text.index("Your name")


def test_it_explains_each_missing_field_of_an_untouched_form_and_stores_nothing(client, therapist):
    response = send_untouched(client, therapist)

    assert response.status_code == 200
    summary = error_summary(response)
    assert summary.startswith("Your message is not sent yet")
    for error in [
        "Your name: Give your name, so the therapist knows who wrote.",
        "Your email address: Give your email address: the therapist replies to it.",
        "The help is for: Say whether the help is for you or for someone else.",
        "Your message: Write your message.",
        "Tick the box to agree that we pass your message on",
    ]:
        assert error in summary
    body = response.content.decode()
    assert 'aria-describedby="id_name_error"' in body
    assert 'aria-invalid="true"' in body
    assert 'href="#id_name"' in body
    assert not ContactMessage.objects.exists()
    assert not mail.outbox


def test_it_keeps_what_a_half_filled_form_holds_and_asks_for_the_rest(client, therapist):
    half = {"name": "Robin Example", "text": MESSAGE}

    response = send(client, therapist, half)

    assert response.status_code == 200
    summary = error_summary(response)
    assert "Your email address:" in summary
    assert "Your name:" not in summary
    assert "Your message:" not in summary
    body = response.content.decode()
    assert 'value="Robin Example"' in body
    assert MESSAGE in body
    assert not ContactMessage.objects.exists()


def test_it_stores_a_filled_message_for_the_therapist_and_sends_a_notice_without_it(
    client, therapist, other, django_assert_num_queries, caplog
):
    caplog.set_level(logging.DEBUG)
    # Django's SQL log on, as someone debugging might turn it on: it writes each query's values.
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    client.get(therapist.get_contact_url())
    data = {**FILLED, "shown_at": written(therapist), "website": ""}
    # the listing; the limits in one savepoint (SAVEPOINT, RELEASE) around, for each of
    # the page, the same text, the email address and the network, one statement that
    # makes or counts its row; the insert in a
    # savepoint (SAVEPOINT, INSERT, RELEASE: a refused duplicate token leaves the request's
    # transaction usable)
    with django_assert_num_queries(1 + 2 + 4 + 3):
        response = client.post(therapist.get_contact_url(), data)

    assert response.status_code == 302
    assert response["Location"] == f"/therapists/{therapist.slug}/contact/sent/"
    message = ContactMessage.objects.get()
    assert message.therapist == therapist
    assert (message.name, message.email, message.phone) == (
        "Robin Example",
        "robin@example.org",
        "555-010-0199",
    )
    assert (message.for_whom, message.text, message.read_at) == ("myself", MESSAGE, None)
    assert message.consented_at is not None
    assert not other.messages.exists()

    [notice] = mail.outbox
    assert notice.to == ["ada.account@example.org"]
    assert "https://directory.example.org/profile/messages/" in notice.body
    everything = notice.subject + notice.body + str(notice.message())
    for private in PRIVATE:
        assert private not in everything
        assert private not in caplog.text
    assert "winter" not in caplog.text
    assert "therapists_therapist" in caplog.text  # the SQL log was on


def test_it_tells_the_client_what_happens_next(client, therapist, django_assert_num_queries):
    response = send(client, therapist, FILLED)
    # the listing with its account (whether a notice went out)
    with django_assert_num_queries(1):
        sent = client.get(response["Location"])

    assert sent.status_code == 200
    text = page_text(sent)
    assert "Your message is sent" in text
    assert "We have told Ada Fictional by email that you wrote." in text
    assert "replies to the email address you gave" in text
    assert "We keep your message for 90 days, then delete it." in text
    assert "call or text 988" in text
    assert not sent.cookies


def test_it_sends_the_notice_to_the_private_address_for_messages_when_given(client, therapist):
    Therapist.objects.filter(pk=therapist.pk).update(contact_email="ada.private@example.org")

    send(client, therapist, FILLED)

    assert [notice.to for notice in mail.outbox] == [["ada.private@example.org"]]


def test_it_stores_the_message_without_a_notice_when_the_therapist_has_no_address(client, db):
    # An account without an email address (one made by staff, say): no one to notify.
    silent = make_therapist("Cy Fictional", user=User.objects.create_user("cy.account"))

    response = send(client, silent, FILLED)

    assert response.status_code == 302
    assert ContactMessage.objects.get().therapist == silent
    assert not mail.outbox
    text = page_text(client.get(response["Location"]))
    assert "Cy Fictional reads your message the next time they sign in" in text


def test_it_keeps_the_message_when_the_mail_server_fails(client, therapist, settings, caplog):
    # A port where nothing listens: the SMTP connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False

    response = send(client, therapist, FILLED)

    assert response.status_code == 302
    assert ContactMessage.objects.filter(therapist=therapist).count() == 1
    # The notice is queued (issue 20, item 2); the worker logs its failure by listing.
    assert f"the message_waiting notice to listing {therapist.pk}" in caplog.text
    for private in PRIVATE:
        assert private not in caplog.text


# Spam ------------------------------------------------------------------------------------


def test_it_refuses_a_form_whose_honeypot_is_filled(client, therapist):
    response = send(client, therapist, {**FILLED, "website": "https://spam.example"})

    assert response.status_code == 200
    assert "the field marked “leave empty” had something in it" in error_summary(response)
    assert not ContactMessage.objects.exists()
    assert not mail.outbox


def test_it_refuses_a_form_sent_too_soon_and_takes_it_once_the_person_has_taken_time(
    client, therapist, settings
):
    page = client.get(therapist.get_contact_url())
    data = {**FILLED, "website": "", "shown_at": shown_at(page)}

    too_soon = client.post(therapist.get_contact_url(), data)

    assert too_soon.status_code == 200
    assert "came back within seconds of being shown" in error_summary(too_soon)
    assert not ContactMessage.objects.exists()
    assert MESSAGE in too_soon.content.decode()
    # Sent again from the page that said so, after the seconds a person takes (really waited).
    time.sleep(settings.CONTACT_FORM_MIN_SECONDS)
    again = client.post(therapist.get_contact_url(), {**data, "shown_at": shown_at(too_soon)})
    assert again.status_code == 302
    assert ContactMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("forge", "error"),
    [
        (lambda therapist, other: "", "the form came back changed"),
        (lambda therapist, other: "not-a-signed-value", "the form came back changed"),
        (
            lambda therapist, other: written(therapist)[:-3] + "abc",
            "the form came back changed",
        ),
        # A form shown for another listing.
        (lambda therapist, other: written(other), "the form came back changed"),
        (
            lambda therapist, other: written(therapist, seconds=SHOWN_AT_MAX_AGE + 60),
            "this form was opened more than a day ago",
        ),
    ],
)
def test_it_refuses_a_missing_forged_or_stale_moment_shown(client, therapist, other, forge, error):
    response = send(client, therapist, {**FILLED, "shown_at": forge(therapist, other)})

    assert response.status_code == 200
    assert error in error_summary(response)
    assert not ContactMessage.objects.exists()
    assert MESSAGE in response.content.decode()


def make_messages(therapist, count, *, ago=datetime.timedelta(hours=1), **fields):
    for _ in range(count):
        ContactMessage.objects.create(
            therapist=therapist,
            name="Earlier Sender",
            email=fields.get("email", "earlier@example.org"),
            text="Fictional earlier message.",
            for_whom="myself",
            consented_at=timezone.now(),
            created_at=timezone.now() - ago,
            form_token=fields.get("form_token", ""),
        )


def test_it_refuses_a_sixth_message_in_a_day_from_one_email_address(client, therapist, other):
    for number in range(4):
        earlier = {**FILLED, "text": f"An earlier word, {number}."}
        assert send(client, other, earlier).status_code == 302
    assert send(client, therapist, {**FILLED, "text": "An earlier word."}).status_code == 302

    refused = send(client, therapist, {**FILLED, "email": "Robin@Example.org"})

    assert refused.status_code == 429
    assert "5 messages have been sent from this email address in the last day" in error_summary(
        refused
    )
    assert MESSAGE in refused.content.decode()
    assert 'value="Robin@Example.org"' in refused.content.decode()
    assert ContactMessage.objects.filter(therapist=therapist).count() == 1
    assert len(mail.outbox) == 5


def test_it_refuses_a_twenty_first_message_in_a_day_from_one_network_address(client, therapist):
    for number in range(20):
        sent = send(
            client,
            therapist,
            {**FILLED, "email": f"sender{number}@example.org"},
            REMOTE_ADDR="203.0.113.7",
        )
        assert sent.status_code == 302

    refused = send(
        client, therapist, {**FILLED, "email": "new@example.org"}, REMOTE_ADDR="203.0.113.7"
    )
    elsewhere = send(
        client, therapist, {**FILLED, "email": "new@example.org"}, REMOTE_ADDR="198.51.100.4"
    )

    assert refused.status_code == 429
    assert "many messages have been sent from your network" in error_summary(refused)
    assert elsewhere.status_code == 302
    assert ContactMessage.objects.count() == 21
    # The address itself is kept nowhere: the counts hold keyed hashes.
    assert "203.0.113" not in str(list(RateLimit.objects.values()))


def test_it_counts_the_address_a_trusted_proxy_saw_as_sign_in_throttling_does(
    client, therapist, settings
):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.1/32")]
    settings.CONTACT_MESSAGES_PER_ADDRESS = 1
    behind_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = send(client, therapist, FILLED, HTTP_X_FORWARDED_FOR="203.0.113.7", **behind_proxy)
    other_client = send(
        client,
        therapist,
        {**FILLED, "email": "another@example.org"},
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        **behind_proxy,
    )
    same_client = send(
        client,
        therapist,
        {**FILLED, "email": "third@example.org"},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **behind_proxy,
    )

    assert (first.status_code, other_client.status_code, same_client.status_code) == (
        302,
        302,
        429,
    )


def test_it_takes_messages_while_the_cache_is_down(client, therapist, dead_cache):
    assert client.get(therapist.get_contact_url()).status_code == 200

    response = send(client, therapist, FILLED)

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert ContactMessage.objects.count() == 1


def test_it_counts_an_ipv6_sender_by_their_64_network_and_an_ipv4_sender_by_address(
    client, therapist, settings
):
    settings.CONTACT_MESSAGES_PER_ADDRESS = 2
    emails = (f"sender{number}@example.org" for number in range(100))

    def status_from(address):
        data = {**FILLED, "email": next(emails)}
        return send(client, therapist, data, REMOTE_ADDR=address).status_code

    assert status_from("2001:db8:1:2::1") == 302
    assert status_from("2001:db8:1:2:ffff::9") == 302
    assert status_from("2001:db8:1:2:abcd::1") == 429  # the same /64
    assert status_from("2001:db8:1:3::1") == 302  # the next /64: someone else
    assert status_from("192.0.2.1") == 302
    assert status_from("::ffff:192.0.2.1") == 302  # that IPv4 client through an IPv6 socket
    assert status_from("192.0.2.2") == 302  # an IPv4 neighbour is someone else
    assert status_from("192.0.2.1") == 429


ALREADY_SENT = (
    "This message was already sent: you need not send it again. To write something else, "
    "open the contact page again."
)


def test_it_refuses_a_second_send_of_one_form_and_keeps_what_was_typed(client, therapist, settings):
    token = written(therapist)
    url = therapist.get_contact_url()
    first = client.post(url, {**FILLED, "website": "", "shown_at": token})
    again = client.post(
        url, {**FILLED, "text": "A second message.", "website": "", "shown_at": token}
    )

    assert first.status_code == 302
    assert again.status_code == 200
    assert ALREADY_SENT in error_summary(again)
    assert "A second message." in again.content.decode()
    assert ContactMessage.objects.count() == 1
    # The page it comes back on is shown anew, with a form of its own that can be sent.
    settings.CONTACT_FORM_MIN_SECONDS = 0
    fresh = shown_at(again)
    assert fresh != token
    other = {**FILLED, "text": "Something else.", "website": "", "shown_at": fresh}
    assert client.post(url, other).status_code == 302
    assert ContactMessage.objects.count() == 2


def test_it_refuses_the_same_message_sent_again_from_a_page_fetched_anew(
    client, therapist, settings
):
    # Back after sending fetches the form again (no-store), with a new token, and the
    # browser fills in what was typed: Send again must not deliver it twice.
    url = therapist.get_contact_url()
    first = client.post(url, {**FILLED, "website": "", "shown_at": written(therapist)})
    again = client.post(url, {**FILLED, "website": "", "shown_at": written(therapist)})

    assert first.status_code == 302
    assert again.status_code == 200
    assert ALREADY_SENT in error_summary(again)
    assert ContactMessage.objects.count() == 1


def test_of_two_sends_of_one_form_at_once_one_is_stored_and_the_other_told_why(therapist):
    data = {**FILLED, "website": "", "shown_at": written(therapist)}
    first = ContactForm(data, therapist=therapist, network="192.0.2.1")
    second = ContactForm(data, therapist=therapist, network="192.0.2.1")
    # The page's one send is taken as the form is checked: the second check is refused.
    assert first.is_valid()
    assert not second.is_valid()

    assert first.save() is not None
    assert second.errors[NON_FIELD_ERRORS] == [ALREADY_SENT]
    assert ContactMessage.objects.count() == 1


def test_of_two_sends_of_one_form_checked_at_once_the_token_constraint_stores_one(therapist):
    data = {**FILLED, "website": "", "shown_at": written(therapist)}
    first = ContactForm(data, therapist=therapist, network="192.0.2.1")
    second = ContactForm(data, therapist=therapist, network="192.0.2.2")
    assert first.is_valid()
    RateLimit.objects.all().delete()  # as if the limits' counts had been lost meanwhile
    assert second.is_valid()

    assert first.save() is not None
    assert second.save() is None
    assert second.errors[NON_FIELD_ERRORS] == [ALREADY_SENT]
    assert ContactMessage.objects.count() == 1


def test_the_database_stores_one_message_per_form_token(therapist):
    make_messages(therapist, 1, form_token="a" * 64)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_messages(therapist, 1, form_token="a" * 64)

    make_messages(therapist, 2)  # messages sent otherwise have none, and may be many
    assert ContactMessage.objects.count() == 3


# Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path"),
    ["/therapists/nobody-by-that-name/contact/", "/therapists/nobody-by-that-name/contact/sent/"],
)
def test_it_answers_404_for_an_unknown_listing(client, db, path):
    assert client.get(path).status_code == 404
    assert client.post(path, FILLED).status_code in (404, 405)


def test_it_answers_404_for_an_unlisted_therapist(client, therapist):
    Therapist.objects.filter(pk=therapist.pk).update(is_listed=False)

    assert client.get(therapist.get_contact_url()).status_code == 404
    assert send_without_page(client, therapist).status_code == 404
    assert client.get(f"/therapists/{therapist.slug}/contact/sent/").status_code == 404
    assert not ContactMessage.objects.exists()


def send_without_page(client, therapist):
    data = {**FILLED, "shown_at": written(therapist), "website": ""}
    return client.post(therapist.get_contact_url(), data)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"text": "x" * 5001}, "Keep your message to 5000 characters; it has 5001."),
        ({"name": "Robin\x00Example"}, "Null characters are not allowed."),
        ({"text": "Fine\x00text"}, "Null characters are not allowed."),
        ({"email": "not an address"}, "Enter an email address like name@example.org."),
        ({"phone": "call me maybe"}, "Enter a phone number with digits"),
        ({"for_whom": "the-neighbours-cat"}, "Select a valid choice."),
        ({"for_whom": "x" * 1000}, "Ensure this value has at most 100 characters"),
        ({"name": "R" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_it_explains_junk_input_and_stores_nothing(client, therapist, changes, error):
    response = send(client, therapist, {**FILLED, **changes})

    assert response.status_code == 200
    assert error in error_summary(response)
    assert not ContactMessage.objects.exists()
    body = response.content.decode()
    for value in changes.values():
        if len(value) > 200:
            assert value not in body  # a value past its bound is never shown back


def test_it_shows_html_in_a_message_as_text_on_the_form_and_to_the_therapist(client, therapist):
    attack = "<script>alert(1)</script><b>Robin</b>"
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Robin&lt;/b&gt;"
    data = {**FILLED, "name": attack, "text": attack}

    refused = send(client, therapist, {**data, "consent": ""})
    sent = send(client, therapist, data)
    client.force_login(therapist.user)
    inbox = client.get("/profile/messages/")

    assert sent.status_code == 302
    for response in (refused, inbox):
        body = response.content.decode()
        assert attack not in body
        assert escaped in body


# Kept private ----------------------------------------------------------------------------


def test_it_hides_every_field_from_the_error_report_of_a_failed_send(client, therapist, settings):
    # A task queue that cannot be loaded fails the request after the message is stored
    # (the email itself is sent by a worker, outside any request).
    settings.TASKS = {"default": {"BACKEND": "tests.no_such_module.TaskBackend"}}
    client.raise_request_exception = False

    response = send(client, therapist, FILLED)

    assert response.status_code == 500
    reporter = ExceptionReporter(response.wsgi_request, *response.exc_info)
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert "no_such_module" in report  # the report is of this failure
        for private in PRIVATE:
            assert private not in report
            assert unescape(private) not in unescape(report)


@pytest.mark.parametrize("debug", [False, True])
def test_no_error_report_shows_a_posted_value_whatever_the_form(rf, settings, debug):
    """Not only the contact form's: a sign-in's password, or a profile edit, neither."""
    settings.DEBUG = debug
    request = rf.post("/accounts/login/", SIGN_IN)
    try:
        posted = request.POST  # as a frame's variable too
        raise RuntimeError(f"failed with {len(posted)} fields")
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())

    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert "failed with 2 fields" in report
        assert "password" in report  # the names stay, for whoever debugs
        for value in SIGN_IN.values():
            assert value not in unescape(report)


def test_it_keeps_messages_out_of_the_admin(client, therapist):
    make_messages(therapist, 1)
    staff = User.objects.create_superuser("curator@example.org", "curator@example.org", "pw")
    client.force_login(staff)

    assert not admin.site.is_registered(ContactMessage)
    for model_admin in admin.site._registry.values():
        assert all(inline.model is not ContactMessage for inline in model_admin.inlines)
    assert client.get("/admin/therapists/contactmessage/").status_code == 404
    index = client.get("/admin/").content.decode()
    assert "contactmessage" not in index.lower()
    assert "ontact message" not in index
    for page in (
        f"/admin/therapists/therapist/{therapist.pk}/change/",
        f"/admin/therapists/therapist/{therapist.pk}/delete/",
    ):
        response = client.get(page)
        assert response.status_code == 200
        assert "Fictional earlier message." not in response.content.decode()
        assert "earlier@example.org" not in response.content.decode()


# The therapist's messages -----------------------------------------------------------------


def test_it_shows_a_therapist_their_own_messages_newest_first_and_marks_them_read(
    client, therapist, other, django_assert_num_queries
):
    make_messages(therapist, 1, ago=datetime.timedelta(days=2), email="older@example.org")
    make_messages(therapist, 1, ago=datetime.timedelta(hours=1), email="newer@example.org")
    make_messages(other, 1, email="for-bo@example.org")
    client.force_login(therapist.user)

    # the session, the user, the listing, the count of its messages (for the pages), the
    # page of them, marking the unread ones read
    with django_assert_num_queries(6):
        first = client.get("/profile/messages/")

    body = first.content.decode()
    assert body.index("newer@example.org") < body.index("older@example.org")
    assert body.count("Unread:</span>") == 2
    assert "for-bo@example.org" not in body
    assert "no-store" in first["Cache-Control"]
    assert not therapist.messages.filter(read_at__isnull=True).exists()
    assert other.messages.get().read_at is None
    again = client.get("/profile/messages/").content.decode()
    assert "Unread:</span>" not in again
    assert "newer@example.org" in again


def test_it_shows_another_therapist_none_of_them(client, therapist, other):
    make_messages(therapist, 1, email="for-ada@example.org")
    client.force_login(other.user)

    response = client.get("/profile/messages/")

    assert response.status_code == 200
    assert "for-ada@example.org" not in response.content.decode()
    assert "No messages yet." in page_text(response)
    assert therapist.messages.get().read_at is None


def test_it_asks_for_sign_in_before_showing_messages(client, therapist):
    response = client.get("/profile/messages/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_links_the_messages_from_the_dashboard(client, therapist):
    client.force_login(therapist.user)

    assert 'href="/profile/messages/"' in client.get("/profile/").content.decode()


def test_it_lets_a_therapist_give_a_private_address_for_notices(client, therapist):
    client.force_login(therapist.user)
    form = client.get("/profile/edit/")
    assert "Private email for message notices" in page_text(form)
    assert "Private: never shown on the site." in page_text(form)
    data = {
        "contact_email": "ada.private@example.org",
        "in_person": "on",
        "accepting_new_clients": "on",
    }

    assert client.post("/profile/edit/", data).status_code == 302

    therapist.refresh_from_db()
    assert therapist.contact_email == "ada.private@example.org"
    assert (
        "ada.private@example.org" not in Client().get(therapist.get_absolute_url()).content.decode()
    )


# Retention -------------------------------------------------------------------------------


def test_it_deletes_exactly_the_messages_older_than_ninety_days(therapist, other, monkeypatch):
    # The command's clock held still, so "exactly 90 days" is exact.
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    for days in (89, 91):
        make_messages(therapist, 1, ago=datetime.timedelta(days=days), email=f"d{days}@example.org")
    # At the cutoff itself, and one second inside and outside it.
    cutoff = datetime.timedelta(days=90)
    make_messages(therapist, 1, ago=cutoff, email="at@example.org")
    make_messages(other, 1, ago=cutoff - datetime.timedelta(seconds=1), email="in@example.org")
    make_messages(other, 1, ago=cutoff + datetime.timedelta(seconds=1), email="out@example.org")

    out = StringIO()
    call_command("delete_old_messages", stdout=out)

    kept = set(ContactMessage.objects.values_list("email", flat=True))
    assert kept == {"d89@example.org", "at@example.org", "in@example.org"}
    assert out.getvalue().splitlines()[0] == "Deleted 2 contact messages older than 90 days."


def test_it_never_shows_a_therapist_a_message_past_retention_before_it_is_deleted(
    client, therapist
):
    make_messages(therapist, 1, ago=datetime.timedelta(days=90, minutes=-1), email="in@example.org")
    make_messages(therapist, 1, ago=datetime.timedelta(days=90, minutes=1), email="out@example.org")
    client.force_login(therapist.user)

    body = client.get("/profile/messages/").content.decode()

    assert "in@example.org" in body
    assert "out@example.org" not in body
    assert ContactMessage.objects.count() == 2  # delete_old_messages has not run yet
    # One rule: each message is either kept or due for deletion.
    assert [m.email for m in ContactMessage.objects.kept()] == ["in@example.org"]
    assert [m.email for m in ContactMessage.objects.due_for_deletion()] == ["out@example.org"]


# Cookies and caches ----------------------------------------------------------------------


def test_it_sets_only_the_csrf_cookie_on_the_form_and_none_on_the_pages_around_it(
    client, therapist
):
    profile = Client().get(therapist.get_absolute_url())
    form = Client().get(therapist.get_contact_url())
    sent = Client().get(f"/therapists/{therapist.slug}/contact/sent/")

    assert not profile.cookies
    assert set(form.cookies) == {"csrftoken"}
    assert not sent.cookies


def test_it_never_serves_the_form_from_the_page_cache_nor_stores_it(
    client, therapist, redis_cache, redis_server
):
    first = client.get(therapist.get_contact_url())
    second = client.get(therapist.get_contact_url())

    assert not [key for key in redis_server.entries() if b"contact" in key]
    assert not redis_server.entries()
    assert shown_at(first) != shown_at(second)
    # The cache does hold a page that asks for it, so the check above can fail.
    client.get("/modalities/")
    assert redis_server.entries()


# Demo listings ---------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    return make_therapist(
        "Marlowe Hazeldale (demo)",
        is_demo=True,
        accepting_new_clients=True,
        accepting_confirmed_on=timezone.localdate(),
    )


def test_it_tells_the_visitor_of_a_demo_listing_that_no_one_reads_the_message(client, demo):
    text = page_text(client.get(demo.get_contact_url()))

    assert "Marlowe Hazeldale (demo) is a fictional demo listing" in text
    assert "no one will read what you send" in text
    assert "We pass your message to" not in text
    assert text.index("fictional demo listing") < text.index("Your name")

    response = send(client, demo, FILLED)

    assert response.status_code == 302
    assert ContactMessage.objects.filter(therapist=demo).count() == 1  # the form works
    sent = page_text(client.get(response["Location"]))
    assert "Your message is sent" in sent
    assert "a fictional demo listing" in sent
    assert "no one will read your message or reply to it" in sent
    for claim in ("replies to the email", "reads your message", "We have told"):
        assert claim not in sent


def test_a_real_listing_has_no_demo_notice(client, therapist):
    response = send(client, therapist, FILLED)

    assert "demo" not in page_text(client.get(therapist.get_contact_url()))
    assert "demo" not in page_text(client.get(response["Location"]))


def test_each_error_of_the_summary_links_to_its_field_and_reads_plainly(client, demo):
    response = send_untouched(client, demo)

    summary = error_summary(response)
    assert ".:" not in summary
    assert "to Marlowe Hazeldale (demo): Tick the box" in summary
    body = response.content.decode()
    items = re.search(r'id="error-summary">.*?<ul>(.*?)</ul>', body, re.S)[1]
    targets = re.findall(r'<li><a href="#([^"]+)">', items)
    assert targets == ["id_name", "id_email", "id_for_whom_0", "id_text", "id_consent"]
    assert items.count("<li>") == len(targets)
    for target in targets:
        assert f'id="{target}"' in body

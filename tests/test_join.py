"""A therapist joins from /join/: the form as read from its page, the emailed link, the
confirmation that creates the account and a private listing, and what the public never
learns (whether an address has an account) nor sees (the listing, before staff approve it).
Every name and address here is fictional."""

import datetime
import io
import re
import time

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kit.models import RateLimit
from tests.conftest import make_city, make_credential, make_modality, make_therapist, page_text
from tests.forms import form_on
from tests.test_security import assert_runs_under_the_policy, assert_security_headers
from therapists.forms import shown_at_token
from therapists.models import Application, License, Location, Therapist

PASSWORD = "a-long-enough-fictional-passphrase"
ADDRESS = "new.therapist@example.org"


@pytest.fixture(autouse=True)
def quick_form(settings):
    # The form read from its page carries the moment it was shown: no test waits the
    # production three seconds; the "too fast" guard has its own test.
    settings.CONTACT_FORM_MIN_SECONDS = 0


@pytest.fixture
def vocabulary(db):
    cities = [make_city("Springfield", "IL"), make_city("Los Angeles", "CA")]
    modality = make_modality("Interpersonal Therapy", "IPT")
    make_modality("Unpublished Therapy", is_published=False)
    return {"cities": cities, "credential": make_credential(), "modality": modality}


def filled(vocabulary, **changes):
    return {
        "display_name": "Noa Fictional",
        "email": ADDRESS,
        "credential": str(vocabulary["credential"].pk),
        "license_state": "CA",
        "license_number": "LMFT 12345",
        "city": str(vocabulary["cities"][1].pk),
        "modalities": [str(vocabulary["modality"].pk)],
        **changes,
    }


def send(client, data=None):
    """The form from /join/, sent as a browser sends it, fields in `data` set by a person."""
    page = client.get("/join/")
    assert page.status_code == 200
    form = form_on(page, method="post")
    return form.submit(client, "/join/", **(data or {})), form


def link_in(message):
    return re.search(r"https://directory\.example\.org(/join/confirm/[^/\s]+/)", message.body)[1]


def confirm(client, link, password=PASSWORD):
    page = client.get(link)
    assert page.status_code == 200
    return form_on(page, method="post").submit(
        client, link, new_password1=password, new_password2=password
    )


def joined(client, vocabulary, **changes):
    response, _form = send(client, filled(vocabulary, **changes))
    assert response.status_code == 200
    return link_in(mail.outbox[-1])


# The form -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/therapists/", "/modalities/"])
def test_a_therapist_finds_the_way_to_join_from_every_public_page(client, vocabulary, path):
    # Walked as a newcomer: /join/ was reachable only through "Therapists: sign in".
    html = client.get(path).content.decode()
    assert 'Are you a therapist? <a href="/join/">List your practice</a>' in html


def test_it_shows_the_form_with_published_kinds_of_therapy_and_cities_by_state(
    client, vocabulary, django_assert_num_queries
):
    # the credentials, the cities, the published modalities
    with django_assert_num_queries(3):
        response = client.get("/join/")

    assert response.status_code == 200
    text = page_text(response)
    for label in [
        "Your name, as clients will see it",
        "Your email address",
        "Your credential",
        "State of your license",
        "License number",
        "City where you practise",
        "Kinds of therapy you practise",
        "Interpersonal Therapy",
    ]:
        assert label in text
    assert "Unpublished Therapy" not in text
    html = response.content.decode()
    assert '<optgroup label="California">' in html
    assert 'name="website"' in html and 'name="shown_at"' in html


def test_it_sets_only_the_csrf_cookie_the_form_needs(client, vocabulary):
    assert set(client.get("/join/").cookies) == {"csrftoken"}
    response, _form = send(client, filled(vocabulary))
    assert not response.cookies  # the "check your email" page


@pytest.mark.parametrize("path", ["/join/", "/join/sent/"])
def test_the_join_pages_send_the_security_headers_and_need_nothing_the_policy_forbids(
    client, vocabulary, path
):
    response = client.get(path)

    assert response.status_code == 200
    assert_security_headers(response)
    assert_runs_under_the_policy(response.content.decode())


def test_it_sends_back_an_untouched_form_with_every_field_to_give(client, vocabulary):
    response, _form = send(client)

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/join/"
    text = page_text(response)
    assert "Your request is not sent yet" in text
    for error in [
        "Give the name your listing will show.",
        "Give your email address",
        "Choose the credential your license is for.",
        "Choose the state that issued your license.",
        "Give your license number",
        "Choose the city where you practise.",
        "Tick at least one kind of therapy you practise.",
    ]:
        assert error in text
    assert not mail.outbox
    assert not RateLimit.objects.exists()


def test_it_keeps_what_a_half_filled_form_holds(client, vocabulary):
    response, _form = send(client, {"display_name": "Noa <Fictional>", "email": ADDRESS})

    html = response.content.decode()
    assert 'value="Noa &lt;Fictional&gt;"' in html
    assert f'value="{ADDRESS}"' in html
    assert "Choose the credential your license is for." in page_text(response)
    assert "Give the name your listing will show." not in page_text(response)
    assert not mail.outbox


def test_it_refuses_an_address_that_is_not_one(client, vocabulary):
    response, _form = send(client, filled(vocabulary, email="a@example.org,b@example.org"))

    assert "Enter" in page_text(response) and "email address" in page_text(response)
    assert not mail.outbox


def test_a_filled_form_emails_a_link_and_stores_nothing_but_its_count(client, vocabulary):
    users, listings = User.objects.count(), Therapist.objects.count()

    response, _form = send(client, filled(vocabulary, email="New.Therapist@Example.ORG"))

    assert response.redirect_chain == [("/join/sent/", 302)]
    assert "Check your email" in page_text(response)
    assert (User.objects.count(), Therapist.objects.count()) == (users, listings)
    assert not Application.objects.exists()
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert "Confirm your address" in message.subject
    assert "Hello Noa Fictional" in message.body
    assert link_in(message)
    # counted once each: the page sent, links to the address, requests from the network
    assert list(RateLimit.objects.values_list("hits", flat=True)) == [1, 1, 1]


# The guards -----------------------------------------------------------------------------


def test_it_refuses_a_filled_honeypot_a_changed_token_and_a_form_sent_too_fast(
    client, vocabulary, settings
):
    response, _form = send(client, filled(vocabulary, website="spam.example"))
    assert "“leave empty” had something in it" in page_text(response)

    # a token made for another form (a claim's) does not pass for this one
    tampered = {**filled(vocabulary), "website": "", "shown_at": shown_at_token(["claim", 1])}
    response = client.post("/join/", tampered)
    assert "the form came back changed" in page_text(response)

    settings.CONTACT_FORM_MIN_SECONDS = 3
    response, _form = send(client, filled(vocabulary))
    assert "within seconds of being shown" in page_text(response)
    assert not mail.outbox


def test_one_page_shown_sends_one_link(client, vocabulary):
    page = client.get("/join/")
    form = form_on(page, method="post")
    form.submit(client, "/join/", **filled(vocabulary))
    again = form.submit(client, "/join/", **filled(vocabulary))

    assert "This form was sent already" in page_text(again)
    assert len(mail.outbox) == 1


def test_it_limits_the_links_sent_to_one_address_in_a_day(client, vocabulary, settings):
    settings.JOIN_LINKS_PER_EMAIL = 2
    for _ in range(2):
        send(client, filled(vocabulary))

    response, _form = send(client, filled(vocabulary, email=ADDRESS.upper()))

    assert response.status_code == 429
    assert "as many links to this address today" in page_text(response)
    assert 'value="Noa Fictional"' in response.content.decode()  # the form kept
    assert len(mail.outbox) == 2


def test_it_limits_the_requests_from_one_network_in_a_day(client, vocabulary, settings):
    settings.JOIN_LINKS_PER_ADDRESS = 2
    here, there = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.4")
    for number in range(2):
        send(here, filled(vocabulary, email=f"n{number}@example.org"))

    over, _form = send(here, filled(vocabulary, email="n9@example.org"))
    elsewhere, _form = send(there, filled(vocabulary, email="n9@example.org"))

    assert over.status_code == 429
    assert "many requests have come from your network" in page_text(over)
    assert elsewhere.status_code == 200
    assert len(mail.outbox) == 3


def test_the_counts_keep_no_address_and_are_deleted_after_two_days(vocabulary):
    send(Client(REMOTE_ADDR="203.0.113.7"), filled(vocabulary))
    old = RateLimit.objects.create(
        key="x" * 64, window_start=timezone.now() - datetime.timedelta(days=3), hits=1
    )
    stored = list(RateLimit.objects.exclude(pk=old.pk).values())
    assert ADDRESS not in str(stored) and "203.0.113.7" not in str(stored)

    out = io.StringIO()
    call_command("delete_old_messages", stdout=out)

    assert list(RateLimit.objects.values()) == stored
    assert "Deleted 1 rate limit counts older than two days." in out.getvalue()


# An address that has an account -----------------------------------------------------------


@pytest.mark.parametrize("staff", [False, True], ids=["therapist", "staff"])
def test_an_address_with_an_account_gets_the_same_page_and_a_sign_in_email(
    client, vocabulary, staff
):
    response, _form = send(client, filled(vocabulary, email="someone.new@example.org"))
    new_address_page = page_text(response)
    user = User.objects.create_user(ADDRESS, ADDRESS, PASSWORD, is_staff=staff)
    before = User.objects.values().get(pk=user.pk)
    accounts = User.objects.count()

    response, _form = send(client, filled(vocabulary, email=ADDRESS.upper()))

    assert page_text(response) == new_address_page
    message = mail.outbox[-1]
    assert message.to == [ADDRESS]
    assert "already have an account" in message.subject
    assert "https://directory.example.org/accounts/login/" in message.body
    assert "https://directory.example.org/accounts/password_reset/" in message.body
    assert "/join/confirm/" not in message.body
    assert User.objects.count() == accounts
    assert User.objects.values().get(pk=user.pk) == before
    assert not Therapist.objects.filter(user=user).exists()


# The link -------------------------------------------------------------------------------


def test_the_link_shows_what_will_be_created_and_a_get_creates_nothing(
    client, vocabulary, django_assert_num_queries
):
    link = joined(client, vocabulary)
    users = User.objects.count()

    # the credential, the city, the modalities, whether an account has the address
    with django_assert_num_queries(4):
        response = client.get(link)

    assert response.status_code == 200
    text = page_text(response)
    assert "Confirm your listing" in text
    for shown in [ADDRESS, "Noa Fictional", "CA #LMFT 12345", "Los Angeles, CA"]:
        assert shown in text
    assert "Interpersonal Therapy" in text
    assert User.objects.count() == users
    assert not Therapist.objects.filter(display_name="Noa Fictional").exists()


def test_confirming_creates_the_account_and_a_private_listing_waiting_for_staff(client, vocabulary):
    link = joined(client, vocabulary)

    response = confirm(client, link)

    assert response.redirect_chain == [("/profile/edit/", 302)]
    assert "Your account is created. Complete your listing here" in page_text(response)
    user = User.objects.get(username=ADDRESS)
    assert user.email == ADDRESS and user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser
    therapist = Therapist.objects.get(user=user)
    assert (therapist.display_name, therapist.slug, therapist.is_listed) == (
        "Noa Fictional",
        "noa-fictional",
        False,
    )
    license = License.objects.get(therapist=therapist)
    assert (license.state, license.number, license.is_primary) == ("CA", "LMFT 12345", True)
    assert license.verified_at is None and license.credential == vocabulary["credential"]
    location = Location.objects.get(therapist=therapist)
    assert location.city == vocabulary["cities"][1] and location.is_primary
    assert list(therapist.modalities.all()) == [vocabulary["modality"]]
    application = Application.objects.get()
    assert (application.kind, application.evidence, application.status) == (
        "join",
        "address",
        "pending",
    )
    assert (application.email, application.user, application.therapist) == (
        ADDRESS,
        user,
        therapist,
    )
    # signed in: the profile form is theirs
    assert "Noa Fictional" in page_text(client.get("/profile/"))


def test_it_refuses_a_weak_password_and_creates_nothing(client, vocabulary):
    link = joined(client, vocabulary)

    response = confirm(client, link, password="123")

    assert response.status_code == 200
    assert "Your account is not created yet" in page_text(response)
    assert not User.objects.filter(username=ADDRESS).exists()


def test_a_link_confirmed_twice_says_so_and_creates_one_account(client, vocabulary):
    link = joined(client, vocabulary)
    page = client.get(link)
    confirm(client, link)
    client.logout()

    again = client.get(link)
    late = form_on(page, method="post").submit(
        client, link, new_password1=PASSWORD, new_password2=PASSWORD
    )

    for response in (again, late):
        assert response.status_code == 200
        assert "Already confirmed" in page_text(response)
        assert "Sign in" in page_text(response)
    assert User.objects.filter(username=ADDRESS).count() == 1
    assert Therapist.objects.filter(display_name="Noa Fictional").count() == 1


def test_a_link_after_the_address_got_an_account_otherwise_creates_nothing(client, vocabulary):
    link = joined(client, vocabulary)
    staff = User.objects.create_user(ADDRESS, ADDRESS, PASSWORD, is_staff=True)

    response = client.get(link)

    assert "Already confirmed" in page_text(response)
    assert not Therapist.objects.filter(user=staff).exists()


def test_an_expired_or_altered_link_is_refused_clearly(client, vocabulary, monkeypatch):
    link = joined(client, vocabulary)
    token = link.split("/")[-2]
    later = time.time() + 3 * 24 * 60 * 60 + 60
    cut = link[:-6] + "/"

    altered = client.get(
        link.replace(token, token[:-3] + ("aaa" if token[-3:] != "aaa" else "bbb"))
    )
    monkeypatch.setattr(signing.time, "time", lambda: later)
    expired = client.get(link)
    posted = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    monkeypatch.undo()

    for response in (altered, expired, client.get(cut), posted):
        assert response.status_code == 400
        assert "This link does not work" in page_text(response)
    assert not User.objects.filter(username=ADDRESS).exists()


def test_a_name_already_listed_gets_a_numbered_slug(client, vocabulary):
    make_therapist("Noa Fictional")

    confirm(client, joined(client, vocabulary))

    assert Therapist.objects.get(user__username=ADDRESS).slug == "noa-fictional-2"


# Private until approved ---------------------------------------------------------------------


def test_the_listing_stays_off_every_public_page_until_approved(client, vocabulary):
    make_therapist("Listed Fictional", city=vocabulary["cities"][1])
    confirm(client, joined(client, vocabulary))
    client.logout()
    therapist = Therapist.objects.get(display_name="Noa Fictional")

    assert client.get(therapist.get_absolute_url()).status_code == 404
    assert client.get(therapist.get_contact_url()).status_code == 404
    for url in ["/therapists/", "/therapists/?q=Noa", "/therapists/ca/los-angeles/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "Noa Fictional" not in page_text(response)
    assert "Listed Fictional" in page_text(client.get("/therapists/"))


def test_the_dashboard_says_the_listing_waits_and_shows_a_reason_sent_back(client, vocabulary):
    confirm(client, joined(client, vocabulary))

    assert "Your listing is private until staff have verified your license and approved it" in (
        page_text(client.get("/profile/"))
    )
    Application.objects.update(status="sent_back", review_reason="Add your <b>board</b> number.")
    response = client.get("/profile/")
    assert "Reason from staff: Add your <b>board</b> number." in page_text(response)
    assert "&lt;b&gt;board" in response.content.decode()


def without_random_tokens(html):
    return re.sub(r'<input type="hidden" name="(csrfmiddlewaretoken|shown_at)"[^>]*>', "", html)


@pytest.mark.parametrize(
    "field, value",
    [
        ("credential", "99999999999999999999999"),
        ("credential", "no-such-credential"),
        ("city", "99999999999999999999999"),
        ("modalities", "99999999999999999999999"),
        ("license_state", "ZQ"),
        ("license_number", "9" * 41),
        ("display_name", "N" * 201),
    ],
)
def test_a_value_no_person_could_send_is_refused_with_the_form(client, vocabulary, field, value):
    page = client.get("/join/")
    data = dict(form_on(page, method="post").data(**filled(vocabulary)))
    data["modalities"] = filled(vocabulary)["modalities"]

    response = client.post("/join/", {**data, field: value})

    assert response.status_code == 200
    assert "Your request is not sent yet" in page_text(response)
    # Not repeated anywhere on the page but in the random tokens (CSRF, shown_at), where a
    # short value such as "ZQ" can turn up by chance.
    assert value not in without_random_tokens(response.content.decode())
    assert not mail.outbox

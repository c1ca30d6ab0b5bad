"""Attacks on issue 13's joins, claims, review queue, photos, reminders and inbox: each test
asserts the safe behaviour, so a hole once found stays closed. Every name and address here
is fictional."""

import datetime
import logging
import re
import smtplib

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing
from django.core.files.storage import FileSystemStorage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client, TestCase
from PIL import Image

from kit.models import RateLimit
from tests import task_queue, test_join
from tests.conftest import make_therapist, page_text
from tests.forms import form_on
from tests.redis_server import fetch
from tests.task_queue import make_retries_due, run_worker
from tests.test_join import PASSWORD, confirm, filled, joined, link_in
from tests.test_join import send as send_join
from tests.test_photos import camera_jpeg, upload
from tests.test_review_queue import (
    IDENTITY_CHECKED,
    JOIN_CHECKED,
    decide,
    item_url,
    open_item,
    pending_claim,
    pending_join,
    pending_photo,
    pending_quote,
    staff,
)
from therapists import joining, photos, review
from therapists.accepting import accepting_token, send_reminders
from therapists.joining import JoinRequest
from therapists.models import Application, License, Photo, Quote, Therapist

# Tasks wait in the database for a worker, as in production (issue 20, item 2).
database_queue = task_queue.database_queue

STAFF_ADDRESS = "sam.staff@example.org"
# Addresses a person would read as the staff member's: Unicode that folds to it.
STAFF_LOOKALIKES = [
    "Sam.Staff@Example.org",
    "\u017fam.staff@example.org",  # LATIN SMALL LETTER LONG S
    "sam.staff@\uff45xample.org",  # FULLWIDTH LATIN SMALL LETTER E
]


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server nothing can reach."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


MAIL_DOWN = [
    f"{__name__}.FailingEmailBackend",
    f"{__name__}.RefusingEmailBackend",
]


class FailingStorage(FileSystemStorage):
    """A disk (or bucket) that takes no file."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device")

    def delete(self, name):
        raise OSError(5, "Input/output error")


# The cities, credential and kinds of therapy a join chooses from.
vocabulary = test_join.vocabulary


@pytest.fixture(autouse=True)
def quick_form(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 0


@pytest.fixture
def media(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff_member(db):
    return User.objects.create_user(STAFF_ADDRESS, STAFF_ADDRESS, PASSWORD, is_staff=True)


@pytest.fixture
def reviewer(db):
    return staff("reviewer", "review_quote", "change_photo", "change_application", "change_license")


def claim_by_number(client, therapist, email, number="FX-2001"):
    url = f"/therapists/{therapist.slug}/claim/"
    page = client.get(url)
    return form_on(page, method="post").submit(
        client, url, email=email, proof="number", license_number=number
    )


def unclaimed():
    therapist = make_therapist("Fictional Unclaimed", contact_email="office@example.org")
    License.objects.filter(therapist=therapist).update(number="FX-2001")
    return therapist


# Account takeover: joins ------------------------------------------------------------------


@pytest.mark.parametrize("address", STAFF_LOOKALIKES)
def test_a_join_with_a_staff_address_in_any_spelling_sends_no_link_and_makes_no_account(
    client, vocabulary, staff_member, address
):
    response, _form = send_join(client, filled(vocabulary, email=address))

    assert response.request["PATH_INFO"] == "/join/sent/"
    # The one email goes to the staff member's own address, saying they have an account.
    assert [message.to for message in mail.outbox] == [[STAFF_ADDRESS]]
    assert "/join/confirm/" not in mail.outbox[0].body
    assert User.objects.count() == 1


@pytest.mark.parametrize("address", STAFF_LOOKALIKES)
def test_a_forged_join_link_for_a_staff_lookalike_never_makes_or_signs_in_an_account(
    client, vocabulary, staff_member, address
):
    # A link signed before the address folded as it does now, or by a bug elsewhere.
    token = JoinRequest(
        "Fictional Mallory",
        address,
        vocabulary["credential"],
        "CA",
        "FX-1",
        vocabulary["cities"][0],
        [vocabulary["modality"]],
    ).token()
    link = f"/join/confirm/{token}/"

    page = client.get(link)
    posted = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    for response in (page, posted):
        assert response.status_code in (200, 400)
        assert "_auth_user_id" not in client.session
    assert User.objects.count() == 1
    staff_member.refresh_from_db()
    assert (staff_member.username, staff_member.is_staff) == (STAFF_ADDRESS, True)
    assert not Therapist.objects.exists()


def test_a_join_link_for_an_address_that_since_got_an_account_signs_in_no_one(client, vocabulary):
    link = joined(client, vocabulary)
    owner = User.objects.create_user("new.therapist@example.org", "new.therapist@example.org")

    page = client.get(link)
    posted = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert (page.status_code, posted.status_code) == (200, 200)
    assert "new_password1" not in posted.content.decode()
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]


def test_a_join_link_confirmed_twice_makes_one_account(client, vocabulary):
    link = joined(client, vocabulary)
    first = confirm(client, link)
    assert first.request["PATH_INFO"] == "/profile/edit/"
    again = Client().post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert again.status_code == 200
    assert User.objects.count() == Therapist.objects.count() == 1


def test_two_joins_with_one_name_confirmed_at_once_both_get_a_listing(
    client, vocabulary, monkeypatch
):
    first = joined(client, vocabulary, email="noa.one@example.org")
    second = joined(Client(), vocabulary, email="noa.two@example.org")
    confirm(client, first)
    # The second confirmation picks its slug before the first commits: the race, replayed.
    taken = Therapist.objects.get().slug
    monkeypatch.setattr(joining, "free_slug", _once_then(lambda name: taken, joining.free_slug))

    response = confirm(Client(), second)

    assert response.request["PATH_INFO"] == "/profile/edit/"
    assert sorted(Therapist.objects.values_list("slug", flat=True)) == [taken, f"{taken}-2"]


def _once_then(first, then):
    calls = []

    def pick(name):
        calls.append(name)
        return first(name) if len(calls) == 1 else then(name)

    return pick


# Account takeover: claims -----------------------------------------------------------------


@pytest.mark.parametrize("address", STAFF_LOOKALIKES)
def test_a_claim_with_a_staff_address_in_any_spelling_is_refused_at_approval(
    client, reviewer, staff_member, address
):
    listing = unclaimed()
    sent = claim_by_number(Client(), listing, address)
    assert sent.request["PATH_INFO"].endswith("/claim/sent/")
    application = Application.objects.get()

    response = decide(client, reviewer, "claim", application.pk, "approve-form", **IDENTITY_CHECKED)

    assert "staff account" in page_text(response)
    listing.refresh_from_db()
    staff_member.refresh_from_db()
    assert listing.user_id is None
    assert (staff_member.username, staff_member.email) == (STAFF_ADDRESS, STAFF_ADDRESS)
    assert Application.objects.get().status == "pending"
    assert User.objects.count() == 2


def test_a_claim_by_the_address_of_another_listings_account_is_refused(client, reviewer):
    other = make_therapist("Fictional Owner")
    other.user = User.objects.create_user("owner@example.org", "owner@example.org", PASSWORD)
    other.save(update_fields=["user"])
    application = pending_claim(unclaimed(), email="owner@example.org")

    decide(client, reviewer, "claim", application.pk, "approve-form")

    assert Therapist.objects.get(pk=application.therapist_id).user_id is None
    assert Application.objects.get(pk=application.pk).status == "pending"


def test_a_claim_approved_after_the_listing_got_an_account_links_nothing(client, reviewer):
    listing = unclaimed()
    application = pending_claim(listing)
    page = open_item(client, reviewer, "claim", application.pk)
    owner = User.objects.create_user("first@example.org", "first@example.org")
    Therapist.objects.filter(pk=listing.pk).update(user=owner)

    with TestCase.captureOnCommitCallbacks(execute=True):
        form_on(page, id="approve-form").submit(client, item_url("claim", application.pk))

    assert Therapist.objects.get(pk=listing.pk).user_id == owner.pk
    assert Application.objects.get(pk=application.pk).status == "pending"
    assert not User.objects.filter(email="claimant@example.org").exists()


def test_the_second_of_two_claims_approved_from_open_pages_links_nothing(client, reviewer):
    listing = unclaimed()
    first = pending_claim(listing, email="first@example.org")
    second = pending_claim(listing, email="second@example.org")
    first_page = open_item(client, reviewer, "claim", first.pk)
    second_page = open_item(client, reviewer, "claim", second.pk)

    with TestCase.captureOnCommitCallbacks(execute=True):
        form_on(first_page, id="approve-form").submit(client, item_url("claim", first.pk))
        form_on(second_page, id="approve-form").submit(client, item_url("claim", second.pk))

    listing.refresh_from_db()
    assert listing.user.email == "first@example.org"
    assert not User.objects.filter(email="second@example.org").exists()
    assert Application.objects.get(pk=second.pk).status == "sent_back"


def test_a_claim_of_a_listing_whose_account_is_staff_is_not_offered(client, staff_member):
    listing = unclaimed()
    Therapist.objects.filter(pk=listing.pk).update(user=staff_member)

    url = f"/therapists/{listing.slug}/claim/"
    assert "Is this you?" not in page_text(client.get(listing.get_absolute_url()))
    response = client.post(url, {"email": "mallory@example.org", "proof": "number"})

    assert response.status_code == 409
    assert not Application.objects.exists()


@pytest.mark.parametrize("kind", ["join", "claim", "photo"])
def test_staff_who_may_only_view_or_review_quotes_cannot_decide(client, db, media, kind):
    listing = unclaimed()
    item = {
        "join": lambda: pending_join(),
        "claim": lambda: pending_claim(listing),
        "photo": lambda: pending_photo(listing),
    }[kind]()
    for user in (
        staff(f"viewer-{kind}", "view_application", "view_photo"),
        staff(f"quotes-{kind}", "review_quote", "view_application", "view_photo"),
    ):
        client.force_login(user)
        for decision in ("approve", "send_back"):
            response = client.post(
                item_url(kind, item.pk),
                {
                    "decision": decision,
                    "send_back-reason": "No.",
                    "approve-source": "https://x.example.org/",
                },
            )
            assert response.status_code == 403
    assert type(item).objects.get(pk=item.pk).status == "pending"


def test_a_join_needs_license_permission_too(client, db):
    application = pending_join()
    client.force_login(staff("half", "change_application", "view_application"))

    response = client.post(
        item_url("join", application.pk),
        {"decision": "approve", "approve-source": "https://board.example.org/lookup"},
    )

    assert response.status_code == 403
    assert not Therapist.objects.get(pk=application.therapist_id).is_listed


# Stale forms and races ----------------------------------------------------------------------


def test_a_photo_replaced_after_the_reviewer_opened_it_is_not_published(client, reviewer, media):
    listing = unclaimed()
    seen = pending_photo(listing)
    page = open_item(client, reviewer, "photo", seen.pk)
    # The therapist sends another: the one seen is withdrawn, the new one waits.
    Photo.objects.filter(pk=seen.pk).delete()
    unseen = pending_photo(listing, minutes=1)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = form_on(page, id="approve-form").submit(client, item_url("photo", seen.pk))

    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.photo_id is None
    assert Photo.objects.get(pk=unseen.pk).status == "pending"


def test_an_item_decided_twice_or_approved_after_send_back_changes_once(client, reviewer):
    application = pending_claim(unclaimed())
    approve_page = open_item(client, reviewer, "claim", application.pk)
    decide(
        client,
        reviewer,
        "claim",
        application.pk,
        "send-back-form",
        **{"send_back-reason": "Prove it."},
    )

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = form_on(approve_page, id="approve-form").submit(
            client, item_url("claim", application.pk)
        )

    assert "already decided" in page_text(response)
    assert Application.objects.get(pk=application.pk).status == "sent_back"
    assert Therapist.objects.get(pk=application.therapist_id).user_id is None


def test_an_item_of_another_kind_by_its_id_is_not_found(client, reviewer):
    application = pending_claim(unclaimed())
    client.force_login(reviewer)

    response = client.get(item_url("join", application.pk))

    assert (response.status_code, response.url) == (302, "/admin/review/")
    assert client.post(item_url("join", application.pk), {"decision": "approve"}).status_code == 302
    assert Application.objects.get(pk=application.pk).status == "pending"


# Dead services ---------------------------------------------------------------------------


# Since issue 20 (item 2) an email is queued, never sent in the request: a mail server that
# is down changes no answer, and the worker sends the email once the server works again.


@pytest.mark.parametrize("backend", MAIL_DOWN)
def test_a_join_while_mail_is_down_is_taken_and_its_link_sent_once_mail_works(
    client, vocabulary, settings, database_queue, backend
):
    settings.EMAIL_BACKEND = backend
    response, _form = send_join(client, filled(vocabulary))

    assert response.request["PATH_INFO"] == "/join/sent/"
    run_worker()  # the server is down: the email waits for its next attempt
    assert not mail.outbox
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_retries_due()
    run_worker()
    assert len(mail.outbox) == 1
    assert "/join/confirm/" in mail.outbox[0].body


@pytest.mark.parametrize("backend", MAIL_DOWN)
def test_a_claim_link_while_mail_is_down_is_taken_and_sent_once_mail_works(
    client, db, settings, database_queue, backend
):
    listing = unclaimed()
    settings.EMAIL_BACKEND = backend
    url = f"/therapists/{listing.slug}/claim/"

    response = form_on(client.get(url), method="post").submit(
        client, url, email="claimant@example.org", proof="link"
    )

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == f"/therapists/{listing.slug}/claim/link-sent/"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_worker()
    make_retries_due()
    run_worker()
    assert [message.to for message in mail.outbox] == [["office@example.org"]]


@pytest.mark.parametrize("backend", MAIL_DOWN)
def test_approving_a_claim_while_mail_is_down_links_the_account_and_sends_the_link_later(
    client, reviewer, settings, database_queue, backend
):
    application = pending_claim(unclaimed())
    page = open_item(client, reviewer, "claim", application.pk)
    settings.EMAIL_BACKEND = backend

    response = form_on(page, id="approve-form").submit(client, item_url("claim", application.pk))

    assert response.status_code == 200
    assert "approved: the account is linked" in page_text(response)
    assert Application.objects.get(pk=application.pk).status == "approved"
    claimant = User.objects.get(email="claimant@example.org")
    assert Therapist.objects.get(pk=application.therapist_id).user == claimant
    run_worker()
    assert not mail.outbox
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_retries_due()
    run_worker()
    assert [message.to for message in mail.outbox] == [["claimant@example.org"]]
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.parametrize("backend", MAIL_DOWN)
def test_approving_a_join_while_mail_is_down_keeps_the_decision(
    client, reviewer, settings, backend
):
    application = pending_join()
    page = open_item(client, reviewer, "join", application.pk)
    settings.EMAIL_BACKEND = backend

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = form_on(page, id="approve-form").submit(
            client,
            item_url("join", application.pk),
            **JOIN_CHECKED,
        )

    assert response.status_code == 200
    assert Therapist.objects.get(pk=application.therapist_id).is_listed


def test_reminders_while_mail_is_down_are_queued_and_sent_once_mail_works(
    db, settings, database_queue
):
    listing = unclaimed()
    Therapist.objects.filter(pk=listing.pk).update(accepting_new_clients=True)
    settings.EMAIL_BACKEND = MAIL_DOWN[0]
    due = Therapist.objects.due_accepting_reminder().count()

    assert send_reminders() == due
    run_worker()

    assert Therapist.objects.due_accepting_reminder().count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_retries_due()
    run_worker()
    assert len(mail.outbox) == due


def signed_in_therapist(client, media):
    listing = unclaimed()
    listing.user = User.objects.create_user("photo@example.org", "photo@example.org", PASSWORD)
    listing.save(update_fields=["user"])
    client.force_login(listing.user)
    return listing


def test_storage_failing_on_upload_says_so_and_leaves_no_row(client, media, settings):
    listing = signed_in_therapist(client, media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FailingStorage", "OPTIONS": {"location": media}},
    }
    form = form_on(client.get("/profile/photo/"), action="/profile/photo/")

    response = client.post(form.action, {**dict(form.data()), "photo": upload(camera_jpeg())})

    assert response.status_code == 503
    assert "could not be stored" in page_text(response)
    assert not Photo.objects.filter(therapist=listing).exists()
    assert not list(media.rglob("*.webp"))


def test_storage_failing_on_removal_still_takes_the_photo_down(client, media, settings):
    listing = signed_in_therapist(client, media)
    photo = photos.store_photo(listing, photos.clean_square(Image.new("RGB", (300, 300))))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FailingStorage", "OPTIONS": {"location": media}},
    }

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/profile/photo/{photo.pk}/remove/")

    assert response.status_code == 302
    assert not Photo.objects.filter(pk=photo.pk).exists()


# Junk input ------------------------------------------------------------------------------

HUGE_ID = "9999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/profile/photo/{HUGE_ID}/96.webp",
        f"/profile/messages/{HUGE_ID}/replied/",
    ],
)
def test_ids_too_large_for_the_database_are_not_found(client, media, path):
    signed_in_therapist(client, media)

    assert client.get(path).status_code in (404, 405)
    assert client.post(path).status_code == 404


@pytest.mark.parametrize("path", [f"/profile/photo/{HUGE_ID}/remove/"])
def test_a_removal_of_an_id_too_large_is_not_found(client, media, path):
    signed_in_therapist(client, media)

    assert client.post(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/review/photo/{HUGE_ID}/",
        f"/admin/review/claim/{HUGE_ID}/",
        f"/admin/review/photo-file/{HUGE_ID}/96.webp",
    ],
)
def test_admin_ids_too_large_are_not_found(client, reviewer, path):
    client.force_login(reviewer)

    assert client.get(path).status_code in (302, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/media/photos/../../directory/settings.py",
        "/media/photos/%2e%2e/%2e%2e/directory/settings.py",
        "/media/photos/..%2f..%2fdirectory%2fsettings.py",
        "/media/photos/" + "0" * 32 + "-96.webp%00.py",
    ],
)
def test_photo_paths_never_leave_the_photos(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert b"SECRET_KEY" not in b"".join(getattr(response, "streaming_content", [response.content]))


# Named ids: a signed token holds the second it was made, and every xdist worker must
# collect the same test names.
@pytest.mark.parametrize(
    "token",
    ["x", "%00", "a" * 5000, "é" * 40, signing.dumps({"listing": 1}), "..%2f"],
    ids=["short", "nul", "long", "accents", "signed-for-another-purpose", "dot-dot-slash"],
)
def test_junk_tokens_are_refused_plainly(client, db, token):
    listing = unclaimed()
    for path in (
        f"/join/confirm/{token}/",
        f"/profile/accepting/{token}/",
        f"/therapists/{listing.slug}/claim/confirm/{token}/",
    ):
        for method in (client.get, client.post, client.head):
            assert method(path).status_code in (400, 403, 404)
    assert not Application.objects.exists()


def test_a_claim_link_for_another_listing_is_refused(client, db):
    listing, other = unclaimed(), make_therapist("Fictional Other")
    token = signing.dumps(
        {"listing": listing.pk, "email": "mallory@example.org"}, salt=joining.CLAIM_SALT
    )

    response = client.post(f"/therapists/{other.slug}/claim/confirm/{token}/")

    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize("junk", ["\x00", "a" * 100_000])
def test_junk_in_join_fields_is_refused_with_the_page(client, vocabulary, junk):
    response, _form = send_join(client, filled(vocabulary, display_name=junk, license_number=junk))

    assert response.status_code == 200
    assert not mail.outbox
    assert not RateLimit.objects.exists()


def test_a_non_utf8_query_and_repeated_fields_do_not_break_join(client, vocabulary):
    assert client.get("/join/?city=%ff%fe&city=1").status_code == 200
    response, _form = send_join(
        client, filled(vocabulary, email=["one@example.org", "two@example.org"])
    )
    assert response.status_code in (200, 302)
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_join_and_claim_need_the_forms_csrf_token(vocabulary):
    browser = Client(enforce_csrf_checks=True)
    listing = unclaimed()

    assert browser.post("/join/", filled(vocabulary)).status_code == 403
    assert browser.post(f"/therapists/{listing.slug}/claim/", {}).status_code == 403
    assert not mail.outbox


# Privacy --------------------------------------------------------------------------------


def test_a_join_logs_neither_the_address_nor_the_license_number(
    client, vocabulary, caplog, settings
):
    caplog.set_level(logging.DEBUG)
    settings.EMAIL_BACKEND = MAIL_DOWN[0]
    send_join(client, filled(vocabulary))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    link = joined(client, vocabulary)
    confirm(Client(), link)

    logged = caplog.text
    assert "new.therapist@example.org" not in logged
    assert "LMFT 12345" not in logged


def test_emails_carry_links_from_site_url_whatever_the_host_header(vocabulary, settings):
    settings.ALLOWED_HOSTS = ["*"]
    browser = Client(HTTP_HOST="evil.example.net")

    send_join(browser, filled(vocabulary))

    assert "evil.example.net" not in mail.outbox[-1].body
    assert "https://directory.example.org/join/confirm/" in mail.outbox[-1].body


def test_anonymous_public_pages_of_issue_13_set_no_cookie_but_their_forms_csrf(client, db):
    listing = unclaimed()
    Therapist.objects.filter(pk=listing.pk).update(accepting_new_clients=True)
    claim_token = signing.dumps(
        {"listing": listing.pk, "email": "c@example.org"}, salt=joining.CLAIM_SALT
    )
    accepting = accepting_token(listing, datetime.date.today())
    for path, allowed in [
        # Pages with a form to send (its CSRF cookie), like the contact form's.
        (f"/therapists/{listing.slug}/claim/confirm/{claim_token}/", {"csrftoken"}),
        (f"/profile/accepting/{accepting}/", {"csrftoken"}),
        (listing.get_absolute_url(), set()),
        ("/join/", {"csrftoken"}),
        ("/join/sent/", set()),
        (f"/therapists/{listing.slug}/claim/", {"csrftoken"}),
        (f"/therapists/{listing.slug}/claim/sent/", set()),
        ("/join/confirm/junk/", set()),
    ]:
        response = Client().get(path)
        assert set(response.cookies) <= allowed, path


def test_a_claim_approved_for_an_account_in_use_never_renames_it(client, reviewer):
    robin = User.objects.create_user("robin", "robin@example.org", PASSWORD)
    application = pending_claim(unclaimed(), email="robin@example.org")

    response = decide(client, reviewer, "claim", application.pk, "approve-form")

    robin.refresh_from_db()
    assert (robin.username, robin.email) == ("robin", "robin@example.org")
    assert "nothing was changed" in page_text(response)
    assert Therapist.objects.get(pk=application.therapist_id).user_id is None
    assert Application.objects.get(pk=application.pk).status == "pending"


def test_the_new_pages_work_and_a_join_is_sent_while_the_cache_is_down(
    live_server, vocabulary, dead_cache, media
):
    listing = signed_in_therapist(Client(), media)
    for path in ("/join/", f"/therapists/{listing.slug}/claim/", "/join/confirm/junk/"):
        status, _body, _headers = fetch(live_server, path)
        assert status in (200, 400), path
    browser = Client()
    response, _form = send_join(browser, filled(vocabulary))
    assert response.request["PATH_INFO"] == "/join/sent/"
    assert confirm(browser, link_in(mail.outbox[-1])).request["PATH_INFO"] == "/profile/edit/"
    browser.force_login(listing.user)
    for path in ("/profile/messages/", "/profile/edit/", "/profile/"):
        assert browser.get(path).status_code == 200, path


def test_a_join_link_replayed_after_the_account_moved_address_makes_no_second_account(
    client, vocabulary
):
    link = joined(client, vocabulary)
    confirm(client, link)
    User.objects.update(username="moved@example.org", email="moved@example.org")

    replayed = Client()
    page = replayed.get(link)
    posted = replayed.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert "new_password1" not in page.content.decode() + posted.content.decode()
    assert "_auth_user_id" not in replayed.session
    assert User.objects.count() == Therapist.objects.count() == 1


def test_a_quote_draft_replaced_while_the_reviewer_read_it_is_not_approved(client, reviewer):
    quote = pending_quote()
    page = open_item(client, reviewer, "quote", quote.pk)
    Quote.objects.get(pk=quote.pk).submit("Words the reviewer never saw.")

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = form_on(page, id="approve-form").submit(client, item_url("quote", quote.pk))

    assert "changed by someone else" in page_text(response)
    quote.refresh_from_db()
    assert quote.text != "Words the reviewer never saw."


def test_the_accepting_link_confirms_nothing_once_not_accepting_nor_on_head(client, db):
    listing = unclaimed()
    Therapist.objects.filter(pk=listing.pk).update(
        accepting_new_clients=True, accepting_confirmed_on=None
    )
    link = f"/profile/accepting/{accepting_token(listing, datetime.date.today())}/"

    assert client.head(link).status_code == 200
    assert Therapist.objects.get(pk=listing.pk).accepting_confirmed_on is None
    Therapist.objects.filter(pk=listing.pk).update(accepting_new_clients=False)
    client.get(link)
    listing.refresh_from_db()
    assert (listing.accepting_new_clients, listing.accepting_confirmed_on) == (False, None)


def test_the_sql_log_of_a_join_holds_no_license_number_nor_address(client, vocabulary, caplog):
    link = joined(client, vocabulary)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    try:
        confirm(Client(), link)
    finally:
        connection.force_debug_cursor = False

    assert "INSERT" in caplog.text  # the log is on: the listing's own row is in it
    assert "LMFT 12345" not in caplog.text
    assert "new.therapist@example.org" not in caplog.text


def test_a_claim_by_a_license_number_read_off_the_profile_links_nothing_unchecked(client, reviewer):
    listing = unclaimed()
    # What anyone reads on the profile: "Licensed Sample Counselor (LSC), Illinois, #FX-2001".
    printed = re.findall(r"#([\w-]+)", page_text(client.get(listing.get_absolute_url())))
    claim_by_number(Client(), listing, "mallory@example.org", printed[0])
    claim = Application.objects.get(evidence="license_number")

    # The number only says where to look: approving asks how staff reached the licensee.
    page = decide(client, reviewer, "claim", claim.pk, "approve-form")
    assert "Say how you confirmed it is them." in page_text(page)
    with pytest.raises(review.ReviewRefused):
        review.approve_claim(claim, reviewer, identity_check="  ")

    assert Therapist.objects.get(pk=listing.pk).user_id is None
    assert Application.objects.get(pk=claim.pk).status == "pending"
    assert not User.objects.filter(email="mallory@example.org").exists()

    decide(client, reviewer, "claim", claim.pk, "approve-form", **IDENTITY_CHECKED)
    claim.refresh_from_db()
    assert (claim.status, claim.identity_check) == (
        "approved",
        IDENTITY_CHECKED["approve-identity_check"],
    )


def test_the_note_of_how_a_claim_was_confirmed_stays_readable_and_escaped(client, reviewer):
    listing = unclaimed()
    claim_by_number(Client(), listing, "claimant@example.org", "FX-2001")
    claim = Application.objects.get()
    note = "Phoned the board's number <script>alert(1)</script>"

    decide(client, reviewer, "claim", claim.pk, "approve-form", **{"approve-identity_check": note})
    page = client.get(item_url("claim", claim.pk))

    assert f"How the claimant was confirmed: {note}" in page_text(page)
    assert "<script>alert(1)" not in page.content.decode()


SVG_AS_JPEG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
HTML_AS_JPEG = b"<!doctype html><script>alert(1)</script>"


@pytest.mark.parametrize("content", [SVG_AS_JPEG, HTML_AS_JPEG, b"\xff\xd8\xff\xe0" + b"\0" * 64])
def test_a_file_that_lies_about_being_a_jpeg_is_refused(client, media, content):
    listing = signed_in_therapist(client, media)
    form = form_on(client.get("/profile/photo/"), action="/profile/photo/")

    response = client.post(form.action, {**dict(form.data()), "photo": upload(content)})

    assert response.status_code == 400
    assert not Photo.objects.filter(therapist=listing).exists()
    assert not list(media.rglob("*"))


def test_a_polyglot_keeps_only_its_pixels(client, media):
    listing = signed_in_therapist(client, media)
    form = form_on(client.get("/profile/photo/"), action="/profile/photo/")
    polyglot = camera_jpeg() + HTML_AS_JPEG

    client.post(form.action, {**dict(form.data()), "photo": upload(polyglot)})

    photo = Photo.objects.get(therapist=listing)
    for path in media.rglob("*.webp"):
        assert b"<script>" not in path.read_bytes()
    assert client.get(f"/profile/photo/{photo.pk}/96.webp")["Content-Type"] == "image/webp"


def test_a_name_with_a_line_break_breaks_no_email(client, vocabulary):
    forged = "Noa\r\nBcc: someone@example.net"
    send_join(client, filled(vocabulary, display_name=forged))
    confirm(Client(), link_in(mail.outbox[-1]))
    assert Therapist.objects.get().display_name == "Noa Bcc: someone@example.net"

    # A listing's name from before (an import, the admin) with one: its claim link still goes.
    listing = make_therapist("Ada\nBcc: someone@example.net", contact_email="office@example.org")
    url = f"/therapists/{listing.slug}/claim/"
    sent = form_on(client.get(url), method="post").submit(
        client, url, email="claimant@example.org", proof="link"
    )

    assert sent.request["PATH_INFO"].endswith("/claim/link-sent/")
    assert (
        mail.outbox[-1].subject == "Confirm a claim of the listing of Ada Bcc: someone@example.net"
    )
    assert all(message.recipients() == message.to for message in mail.outbox)


def test_the_request_log_of_a_failed_link_holds_nothing_the_link_carries(
    client, vocabulary, caplog, settings
):
    link = joined(client, vocabulary)
    caplog.set_level(logging.DEBUG)
    claim_link = f"/therapists/nobody/claim/confirm/{signing.dumps({'email': 'c@example.org'})}/"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(joining, "LINK_MAX_AGE", -1)  # expired
        assert client.get(link).status_code == 400
    assert client.get(claim_link).status_code == 404

    assert "Bad Request: /join/confirm/<hidden>/" in caplog.text
    assert link.split("/")[3] not in caplog.text
    assert "/claim/confirm/<hidden>/" in caplog.text

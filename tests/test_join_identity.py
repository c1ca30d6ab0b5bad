"""Nobody joins as a real, licensed therapist (issue 20, item 1).

A name and a license number are both public. Run for real: the impostor joins at /join/
and confirms the emailed link, a reviewer signs in at /admin/login/ and works the join's
review page, each in a browser with cookies of its own, on the database the suite runs on.
"""

import re
import threading
import time

import pytest
from django import forms
from django.contrib.auth.models import Permission, User
from django.core import mail

from modalities.models import Modality
from tests.live_http import Browser
from therapists.models import Application, City, Credential, Therapist

PASSWORD = "a-long-enough-fictional-passphrase"
IMPOSTOR = "impostor@example.net"
BOARD_LOOKUP = "https://search.dca.ca.gov/results?licenseNumber=0000"
NOTE = "Phoned the number on the California board's record for Steven Su; he confirmed."


@pytest.fixture(autouse=True)
def quick_form(settings):
    # The join form read from its page carries the moment it was shown: no waiting.
    settings.CONTACT_FORM_MIN_SECONDS = 0


def impostor_joins(live_server):
    """Joins as the seeded Steven Su of California, with a number of the impostor's own,
    and confirms the link: the join waits for staff."""
    impostor = Browser(live_server.url)
    status, location, _page = impostor.submit(
        "/join/",
        impostor.get("/join/"),
        having="display_name",
        display_name="Steven Su",
        email=IMPOSTOR,
        credential=str(Credential.objects.order_by("pk").first().pk),
        license_state="CA",
        license_number="ANY-0000",
        city=str(City.objects.get(slug="fullerton-ca").pk),
        modalities=[str(Modality.objects.get(slug="interpersonal-therapy").pk)],
    )
    assert (status, location) == (302, "/join/sent/")
    link = re.search(r"https?://[^/\s]+(/join/confirm/[^/\s]+/)", mail.outbox[-1].body)[1]
    status, location, _page = impostor.submit(
        link,
        impostor.get(link),
        having="new_password1",
        new_password1=PASSWORD,
        new_password2=PASSWORD,
    )
    assert (status, location) == (302, "/profile/edit/")
    return Application.objects.get(kind="join", email=IMPOSTOR)


def signed_in_reviewer(live_server):
    """Staff who may decide joins and claims, as the README's permissions say."""
    user = User.objects.create_user("reviewer@example.org", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_application", "view_application", "change_license"]
        )
    )
    browser = Browser(live_server.url)
    browser.sign_in("/admin/login/?next=/admin/review/", "reviewer@example.org", PASSWORD)
    return browser


def public_status(live_server, path):
    status, _location, _page = Browser(live_server.url).open(path)
    return status


def test_item_1_a_join_as_steven_su_needs_the_identity_note_and_can_become_his_listings_claim(
    live_server, seeded
):
    join = impostor_joins(live_server)
    steven = Therapist.objects.get(slug="steven-su")
    assert (join.therapist.slug, join.therapist.is_listed) == ("steven-su-2", False)
    reviewer = signed_in_reviewer(live_server)
    path = f"/admin/review/join/{join.pk}/"
    page = reviewer.get(path)

    # The board's lookup page alone approves nothing: a name and a number are public.
    status, _location, refused = reviewer.submit(
        path, page, form_id="approve-form", **{"approve-source": BOARD_LOOKUP}
    )
    assert status == 200
    assert "Say how you confirmed it is them." in refused
    assert Application.objects.get(pk=join.pk).status == "pending"
    assert public_status(live_server, "/therapists/steven-su-2/") == 404

    # The seeded listing is beside the join, linked, and says why it is shown.
    assert '<a href="/therapists/steven-su/">Steven Su</a>' in page
    assert "Shown because it has the same name as this join." in page
    assert f'id="treat-as-claim-{steven.pk}"' in page

    # Treated as a claim of the seeded listing, with the note: the account is linked to
    # it, as an approved claim's is, and no second Steven Su is published.
    status, location, _page = reviewer.submit(
        path,
        page,
        form_id=f"treat-as-claim-{steven.pk}",
        **{"claim-identity_check": NOTE},
    )
    assert (status, location) == (302, "/admin/review/")
    account = User.objects.get(username=IMPOSTOR)
    steven.refresh_from_db()
    assert steven.user == account
    own = Therapist.objects.get(slug="steven-su-2")
    assert (own.is_listed, own.user) == (False, None)
    assert public_status(live_server, "/therapists/steven-su-2/") == 404
    assert public_status(live_server, "/therapists/steven-su/") == 200
    claim = Application.objects.get(kind="claim", therapist=steven)
    assert (claim.status, claim.user, claim.identity_check) == ("approved", account, NOTE)
    join.refresh_from_db()
    assert (join.status, join.identity_check) == ("sent_back", NOTE)
    assert join.review_reason == "Treated as a claim of the listing Steven Su (steven-su)."
    [matched] = [m for m in mail.outbox if m.to == [IMPOSTOR] and "matched" in m.subject]
    assert matched.subject == "Your listing request was matched to your existing listing"

    # Sent again from the same page, it changes nothing more.
    status, location, _page = reviewer.submit(
        path, page, form_id=f"treat-as-claim-{steven.pk}", **{"claim-identity_check": NOTE}
    )
    assert (status, location) == (302, path)
    assert "was already decided: nothing changed." in reviewer.get(path)
    assert Application.objects.filter(kind="claim").count() == 1


@pytest.mark.django_db(transaction=True)
def test_treating_a_join_as_a_claim_while_another_reviewer_approves_it_never_deadlocks():
    # Approve takes the join's listing, then the join; Treat as a claim must take them in
    # the same order. Here one reviewer's approval holds the listing while the other treats
    # the join: the treatment waits for it, then finds the join decided.
    from django.db import connection, transaction

    from tests.test_review_queue import alike_listing, pending_join, staff
    from therapists import review
    from therapists.models import Application, ReviewStatus

    join = pending_join()
    listing = alike_listing()
    approver, treater = staff("approver"), staff("treater")
    outcome = {}
    listing_held = threading.Event()

    def treat():
        listing_held.wait(5)
        try:
            outcome["treated"] = review.treat_join_as_claim(join, listing, treater, NOTE)
        finally:
            connection.close()

    other = threading.Thread(target=treat)
    other.start()
    if connection.vendor != "postgresql":
        # SQLite locks whole tables and serializes writers: the treatment runs first.
        listing_held.set()
        other.join(10)
    with transaction.atomic():
        review.lock_listing(join)
        listing_held.set()
        if connection.vendor == "postgresql":
            time.sleep(1)  # the treatment now waits on the listing (before: held the join)
        decided = Application.objects.decide(join.pk, approver, ReviewStatus.APPROVED)
    other.join(10)

    assert not other.is_alive()
    decided_by = Application.objects.get(pk=join.pk).reviewed_by
    assert decided_by in {approver, treater}
    assert decided != outcome["treated"]  # exactly one decision took


def test_an_invisible_character_is_no_identity_note(db):
    from tests.test_review_queue import pending_join, staff
    from therapists import review

    join = pending_join()
    with pytest.raises(review.ReviewRefused):
        review.approve_join(join, staff("approver"), "https://board.example.org/", "\u200b \u2060")


@pytest.mark.parametrize(
    "disguised",
    [
        "Steven\u200b Su",  # a zero-width space
        "\uff33teven \uff33u",  # fullwidth letters
        "Steven S\u016b",  # an accent
        "Dr. Steven Su",
        "Steven Su, LMFT",
        "steven  SU",
    ],
)
def test_a_look_alike_name_still_shows_the_listed_name_beside_the_join(db, disguised):
    from tests.test_review_queue import alike_listing, pending_join
    from therapists.forms import JoinForm
    from therapists.review_joins import listings_like

    listed = alike_listing("Steven Su")
    # Stored as the join form cleans it, then compared as the review compares names.
    join = pending_join(name=JoinForm.clean_display_name(_Cleaned(disguised)))

    assert [likeness.listing for likeness in listings_like(join)] == [listed]


class _Cleaned:
    def __init__(self, name):
        self.cleaned_data = {"display_name": name}


def test_the_join_form_refuses_a_name_in_two_look_alike_alphabets(db):
    from therapists.forms import JoinForm

    with pytest.raises(forms.ValidationError):
        JoinForm.clean_display_name(_Cleaned("St\u0435ven Su"))  # a Cyrillic e

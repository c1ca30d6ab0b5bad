"""A reviewer's decision applies to the draft they read, never to text put there since.

Each test runs the site for real: the reviewer signs in at /admin/login/ and works the
review queue's own form, the therapist signs in at /accounts/login/ and submits drafts
from their quote page, each in a browser with cookies of its own.
"""

import pytest
from django.contrib.auth.models import Permission, User

from tests.conftest import make_modality, make_therapist
from tests.live_http import Browser
from therapists.models import Quote

PASSWORD = "a-long-enough-fictional-passphrase"
QUEUE = "/admin/therapists/pendingquote/"
LIVE = "Fictional live words on the approach."
READ = "Fresh words the reviewer reads: careful, ordinary, true."
SWAPPED = "SWAPPED: visit https://spam.example.org for a cure"


@pytest.fixture
def practice(live_server, transactional_db):
    """A modality, and a therapist with an account and a live quote on it."""
    modality = make_modality("Sample Modality")
    user = User.objects.create_user("editor@example.org", "editor@example.org", PASSWORD)
    therapist = make_therapist("Fictional Editor", modalities=[modality], quote=LIVE, user=user)
    return modality, therapist


@pytest.fixture
def therapist_browser(live_server, practice):
    browser = Browser(live_server.url)
    browser.sign_in("/accounts/login/", "editor@example.org", PASSWORD)
    return browser


@pytest.fixture
def reviewer_browser(live_server, transactional_db):
    user = User.objects.create_user("reviewer@example.org", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="review_quote"),
        Permission.objects.get(codename="view_pendingquote"),
    )
    browser = Browser(live_server.url)
    browser.sign_in(f"/admin/login/?next={QUEUE}", "reviewer@example.org", PASSWORD)
    return browser


def submit_draft(browser, modality, text):
    path = f"/profile/quotes/{modality.slug}/"
    status, location, _page = browser.submit(
        path, browser.get(path), having="text", text=text, action="submit"
    )
    assert (status, location) == (302, "/profile/"), status


def run_action(browser, queue_page, action, quotes, **fields):
    """Ticks the quotes on the queue page the reviewer has open and runs the action."""
    return browser.submit(
        QUEUE,
        queue_page,
        form_id="changelist-form",
        action=action,
        index="0",
        _selected_action=[str(quote.pk) for quote in quotes],
        **fields,
    )


def messages_after(browser, answer):
    status, location, _page = answer
    assert status == 302, status
    return browser.get(location)


def test_it_does_not_approve_a_draft_replaced_after_the_reviewer_opened_the_list(
    live_server, practice, therapist_browser, reviewer_browser
):
    modality, therapist = practice
    submit_draft(therapist_browser, modality, READ)
    queue = reviewer_browser.get(QUEUE)
    assert READ in queue

    submit_draft(therapist_browser, modality, SWAPPED)
    quote = Quote.objects.get(therapist=therapist)
    after = messages_after(
        reviewer_browser, run_action(reviewer_browser, queue, "approve", [quote])
    )

    quote.refresh_from_db()
    assert (quote.text, quote.draft, quote.draft_status) == (LIVE, SWAPPED, "pending")
    assert "1 quote changed after you opened the list: review it again." in after
    public = Browser(live_server.url).get(modality.get_absolute_url())
    assert LIVE in public
    assert "spam.example.org" not in public

    # Read again, the new text is what the reviewer decides on.
    queue = reviewer_browser.get(QUEUE)
    assert SWAPPED in queue
    after = messages_after(
        reviewer_browser, run_action(reviewer_browser, queue, "approve", [quote])
    )
    assert "1 quote is live." in after
    assert "changed after you opened the list" not in after
    quote.refresh_from_db()
    assert (quote.text, quote.draft_status) == (SWAPPED, "none")


def test_it_does_not_send_back_a_draft_replaced_while_the_reviewer_wrote_the_reason(
    live_server, practice, therapist_browser, reviewer_browser
):
    modality, therapist = practice
    submit_draft(therapist_browser, modality, "Cure guaranteed in three sessions!")
    quote = Quote.objects.get(therapist=therapist)
    queue = reviewer_browser.get(QUEUE)
    status, _location, reason_page = run_action(reviewer_browser, queue, "send_back", [quote])
    assert status == 200
    assert "Reason, shown to the therapist" in reason_page

    submit_draft(therapist_browser, modality, READ)
    answer = reviewer_browser.submit(
        QUEUE, reason_page, having="reason", reason="Please avoid promising outcomes."
    )
    after = messages_after(reviewer_browser, answer)

    quote.refresh_from_db()
    assert (quote.draft, quote.draft_status, quote.review_reason) == (READ, "pending", "")
    assert "1 quote changed after you opened the list: review it again." in after


def test_it_does_not_approve_a_draft_submitted_after_the_list_was_opened_when_all_are_selected(
    live_server, practice, therapist_browser, reviewer_browser
):
    modality, therapist = practice
    submit_draft(therapist_browser, modality, READ)
    other_user = User.objects.create_user("other@example.org", "other@example.org", PASSWORD)
    other = make_therapist("Other Fictional", modalities=[modality], quote=LIVE, user=other_user)
    queue = reviewer_browser.get(QUEUE)

    Quote.objects.get(therapist=other).submit(SWAPPED)
    # "Select all": the queue's whole selection, the newcomer included.
    answer = run_action(
        reviewer_browser,
        queue,
        "approve",
        [Quote.objects.get(therapist=therapist)],
        select_across="1",
    )
    after = messages_after(reviewer_browser, answer)

    unread = Quote.objects.get(therapist=other)
    assert (unread.text, unread.draft_status) == (LIVE, "pending")
    assert Quote.objects.get(therapist=therapist).text == READ
    assert "1 quote is live." in after
    assert "1 selected quote was not on the list you opened: review it again." in after

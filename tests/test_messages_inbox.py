"""A therapist's messages (/profile/messages/): read a page at a time, answered by email and
marked replied, or deleted; and the "Usually replies within N days" the replies add up to
on the public profile. Every name and address here is fictional."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from modalities.models import ContentVersion
from tests.conftest import make_therapist, make_therapist_with_account, page_links, page_text
from tests.forms import form_on
from therapists.models import ContactMessage, ListingChange
from therapists.search import current_index

INBOX = "/profile/messages/"
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def message_to(therapist, ago=HOUR, replied_after=None, **fields):
    """A message sent `ago`, marked replied `replied_after` it was sent (if given)."""
    sent = timezone.now() - ago
    fields = {
        "name": "Robin Example",
        "email": "robin@example.org",
        "phone": "555-010-0199",
        "text": "Fictional message: I would like to talk about sleeping badly.",
        "for_whom": "myself",
        **fields,
    }
    return ContactMessage.objects.create(
        therapist=therapist,
        consented_at=sent,
        created_at=sent,
        replied_at=None if replied_after is None else sent + replied_after,
        **fields,
    )


@pytest.fixture
def ada(db):
    """A listed therapist with an account."""
    return make_therapist_with_account("Ada Fictional", "ada.account@example.org")


@pytest.fixture
def as_ada(client, ada):
    client.force_login(ada.user)
    return client


def action_form(page, message, action):
    return form_on(page, action=f"{INBOX}{message.pk}/{action}/")


def send(client, form):
    """The form sent as the browser sends it, without following the redirect."""
    return client.post(
        form.action, urlencode(form.data()), content_type="application/x-www-form-urlencoded"
    )


def notices(response):
    return [str(notice) for notice in response.context["messages"]]


# The inbox -------------------------------------------------------------------------------


def test_it_marks_unread_messages_in_words_and_links_the_senders_address_and_phone(as_ada, ada):
    read = message_to(ada, ago=2 * DAY, email="read@example.org", name="Read Sender")
    ContactMessage.objects.filter(pk=read.pk).mark_read()
    message_to(ada, email="new@example.org", name="New Sender", phone="555-010-0142")

    page = as_ada.get(INBOX)

    text = page_text(page)
    assert "Unread: New Sender" in text
    assert "Unread: Read Sender" not in text
    assert "Read Sender" in text
    assert ("mailto:new@example.org", "new@example.org") in page_links(page)
    assert ("tel:555-010-0142", "555-010-0142") in page_links(page)
    # Each message has its two buttons, named for a screen reader by whom it is from.
    body = page.content.decode()
    assert 'Mark replied<span class="visually-hidden">: New Sender</span>' in body
    assert 'Delete<span class="visually-hidden">: Read Sender</span>' in body


def test_it_shows_twenty_five_messages_a_page_and_reads_only_those_shown(
    as_ada, ada, django_assert_num_queries
):
    now = timezone.now()
    ContactMessage.objects.bulk_create(
        ContactMessage(
            therapist=ada,
            name=f"Sender {number}",
            email=f"sender{number}@example.org",
            text="Fictional message.",
            for_whom="myself",
            consented_at=now,
            created_at=now - number * HOUR,
        )
        for number in range(30)
    )

    # the session, the user, the listing, the count of its messages, the page of them,
    # marking the unread ones of the page read
    with django_assert_num_queries(6):
        first = as_ada.get(INBOX)

    headings = re.findall(r"<h2 [^>]*>(.*?)</h2>", first.content.decode())
    assert [re.sub("<[^>]+>", "", heading) for heading in headings] == [
        f"Unread: Sender {number}" for number in range(25)
    ]
    assert "Page 1 of 2" in page_text(first)
    assert ada.messages.filter(read_at__isnull=True).count() == 5
    [next_page] = [href for href, text in page_links(first) if text == "Next page"]
    second = as_ada.get(INBOX + next_page)
    assert "Unread: Sender 29" in page_text(second)
    assert not ada.messages.filter(read_at__isnull=True).exists()
    # A page that is not a number, or past the last, shows a page all the same.
    assert as_ada.get(f"{INBOX}?page=junk").status_code == 200
    assert "Sender 29" in page_text(as_ada.get(f"{INBOX}?page=99"))


def test_it_marks_a_message_replied_once(as_ada, ada, django_assert_num_queries):
    message = message_to(ada)
    page = as_ada.get(INBOX)
    form = action_form(page, message, "replied")

    # the session, the user, the listing, the message, marking it replied, its replied
    # messages for the reply time (fewer than three: nothing to store)
    with django_assert_num_queries(6):
        sent = send(as_ada, form)

    assert sent["Location"] == INBOX
    response = as_ada.get(INBOX)
    assert "The message is marked replied." in notices(response)
    message.refresh_from_db()
    first = message.replied_at
    assert first is not None
    today = timezone.localtime(first)
    assert f"Marked replied {today.day} {today:%b} {today.year}" in page_text(response)
    assert f"{INBOX}{message.pk}/replied/" not in response.content.decode()  # no button again
    # The page sent twice (a second tab): the first time stays.
    form.submit(as_ada, INBOX)
    message.refresh_from_db()
    assert message.replied_at == first


def test_it_deletes_a_message_at_once_and_says_so(as_ada, ada, django_assert_num_queries):
    kept = message_to(ada, ago=DAY, email="kept@example.org")
    message = message_to(ada, email="gone@example.org")
    page = as_ada.get(INBOX)
    form = action_form(page, message, "delete")

    # the session, the user, the listing, the message, deleting it
    with django_assert_num_queries(5):
        sent = send(as_ada, form)

    assert sent["Location"] == INBOX
    response = as_ada.get(INBOX)
    assert not ContactMessage.objects.filter(pk=message.pk).exists()
    assert list(ada.messages.all()) == [kept]
    [notice] = notices(response)
    # Its date as the inbox showed it (walked: "Dec. 2" in the notice, "Dec 2" in the list).
    [shown] = re.findall(r"Sent ([^·]+?) ·", page_text(page).split("gone@example.org")[0])[-1:]
    assert notice == f"The message sent {shown} is deleted; it cannot be restored."
    assert "gone@example.org" not in response.content.decode()
    assert "kept@example.org" in response.content.decode()


def test_it_goes_back_to_the_page_the_action_was_taken_from(as_ada, ada):
    for number in range(26):
        last = message_to(ada, ago=(number + 1) * HOUR)
    page = as_ada.get(f"{INBOX}?page=2")

    response = send(as_ada, action_form(page, last, "replied"))

    assert response["Location"] == f"{INBOX}?page=2"


def test_it_asks_nothing_of_an_inbox_without_messages(as_ada):
    assert "No messages yet." in page_text(as_ada.get(INBOX))


# Usually replies within N days ------------------------------------------------------------


def reply_note(client, therapist):
    text = page_text(client.get(therapist.get_absolute_url()))
    found = re.search(r"Usually replies within \d+ days?", text)
    return found[0] if found else None


def test_the_profile_shows_the_reply_time_once_three_messages_are_marked_replied(
    as_ada, ada, django_assert_num_queries
):
    message_to(ada, ago=5 * DAY, replied_after=2 * HOUR)
    message_to(ada, ago=4 * DAY, replied_after=30 * HOUR)
    third = message_to(ada, ago=DAY)
    ContactMessage.objects.update_reply_days(ada)
    assert reply_note(Client(), ada) is None

    page = as_ada.get(INBOX)
    # As for one reply, then the listing's reply time saved: the update, and its entry in
    # the search index's change log (the counter moved and read in one query; the entry)
    with django_assert_num_queries(9):
        send(as_ada, action_form(page, third, "replied"))

    ada.refresh_from_db()
    # Waits of 2 hours, 30 hours and a day: the median, 1.04 days, rounded up.
    assert ada.reply_days == 2
    assert reply_note(Client(), ada) == "Usually replies within 2 days"


@pytest.mark.parametrize(
    ("waits", "days", "shown"),
    [
        ([HOUR, 2 * HOUR], None, None),
        ([HOUR, 2 * HOUR, 3 * HOUR], 1, "Usually replies within 1 day"),
        ([HOUR, DAY, DAY], 1, "Usually replies within 1 day"),
        ([HOUR, DAY + HOUR, 9 * DAY], 2, "Usually replies within 2 days"),
        ([DAY, 2 * DAY, 3 * DAY, 10 * DAY], 3, "Usually replies within 3 days"),
    ],
)
def test_the_reply_time_is_the_median_wait_rounded_up_to_whole_days(ada, waits, days, shown):
    for wait in waits:
        message_to(ada, ago=20 * DAY, replied_after=wait)
    message_to(ada, ago=DAY)  # not marked replied: not counted

    assert ContactMessage.objects.update_reply_days(ada) == days

    ada.refresh_from_db()
    assert ada.reply_days == days
    assert reply_note(Client(), ada) == shown


def test_messages_past_ninety_days_do_not_count_toward_the_reply_time(ada):
    message_to(ada, ago=91 * DAY, replied_after=HOUR)
    message_to(ada, ago=10 * DAY, replied_after=HOUR)
    message_to(ada, ago=9 * DAY, replied_after=HOUR)

    assert ContactMessage.objects.update_reply_days(ada) is None


def test_deleting_a_replied_message_updates_the_reply_time(as_ada, ada):
    replied = [message_to(ada, ago=(n + 2) * DAY, replied_after=HOUR) for n in range(3)]
    ContactMessage.objects.update_reply_days(ada)
    assert reply_note(Client(), ada) == "Usually replies within 1 day"

    action_form(as_ada.get(INBOX), replied[0], "delete").submit(as_ada, INBOX)

    ada.refresh_from_db()
    assert ada.reply_days is None
    assert reply_note(Client(), ada) is None


def test_the_daily_deletion_moves_the_reply_time_window(ada, db):
    fast = [message_to(ada, ago=(n + 6) * DAY, replied_after=HOUR) for n in range(3)]
    for n in range(3):
        message_to(ada, ago=(91 + n) * DAY, replied_after=9 * DAY)
    unchanged = make_therapist("Bo Fictional", reply_days=4)
    # As it stood five days ago, with the slow replies still recent: the median of three
    # waits of an hour and three of 9 days, 4.5 days, rounded up.
    assert ContactMessage.objects.update_reply_days(ada, now=timezone.now() - 5 * DAY) == 5

    call_command("delete_old_messages", verbosity=0)

    assert set(ContactMessage.objects.all()) == set(fast)
    ada.refresh_from_db()
    assert ada.reply_days == 1
    unchanged.refresh_from_db()
    assert unchanged.reply_days == 4  # no message of theirs aged out: left alone


def test_a_new_reply_time_reaches_the_page_cache_and_the_search_index(
    as_ada, ada, django_capture_on_commit_callbacks
):
    message_to(ada, ago=3 * DAY, replied_after=HOUR)
    message_to(ada, ago=2 * DAY, replied_after=HOUR)
    third = message_to(ada, ago=DAY)
    form = action_form(as_ada.get(INBOX), third, "replied")
    version = ContentVersion.objects.values_list("number", flat=True).first()
    current_index()  # the index has read the log: this transaction's next change is logged
    logged = ListingChange.objects.filter(therapist_id=ada.pk).count()

    with django_capture_on_commit_callbacks(execute=True):
        form.submit(as_ada, INBOX)

    assert ContentVersion.objects.values_list("number", flat=True).first() != version
    assert ListingChange.objects.filter(therapist_id=ada.pk).count() == logged + 1


def test_reading_or_deleting_messages_leaves_cached_public_pages_alone(
    as_ada, ada, django_capture_on_commit_callbacks
):
    message = message_to(ada)
    page = as_ada.get(INBOX)
    version = ContentVersion.objects.values_list("number", flat=True).first()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        action_form(page, message, "delete").submit(as_ada, INBOX)

    assert not callbacks
    assert ContentVersion.objects.values_list("number", flat=True).first() == version

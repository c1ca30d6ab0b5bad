"""Staff review quotes, photos, joins and claims in one queue, each on a page of its own
with Approve and Send back; the therapist is told by email, with a link and nothing more."""

import datetime
import io
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.conftest import make_city, make_modality, make_therapist, page_links, page_text, squash
from tests.forms import form_on
from therapists import review
from therapists.models import (
    Application,
    ContactMessage,
    License,
    ListingChange,
    Photo,
    Quote,
    Therapist,
)

PASSWORD = "a-long-enough-fictional-passphrase"
QUEUE = reverse("admin:review_queue")
BOARD_LOOKUP = "https://board.example.org/lookup?license=FX-2001"
# Written to each therapist by a client: it must never reach an email.
HEALTH_WORDS = "I have been feeling hopeless since my divorce"
LIVE = "Fictional live words on the approach."
DRAFT = "Fictional fresh words on the approach, careful and true."


def item_url(kind, pk):
    return reverse("admin:review_item", args=[kind, pk])


def staff(username, *codenames):
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def reviewer(db):
    """A staff member who may decide on everything in the queue, and nothing more."""
    return staff(
        "reviewer",
        "review_quote",
        "view_pendingquote",
        "change_photo",
        "change_application",
        "change_license",
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes)


def written_to(therapist):
    ContactMessage.objects.create(
        therapist=therapist,
        name="Robin Example",
        email="robin@example.org",
        text=HEALTH_WORDS,
        for_whom="myself",
        consented_at=timezone.now(),
    )


def with_account(therapist, email):
    therapist.user = User.objects.create_user(email, email, PASSWORD)
    therapist.save(update_fields=["user"])
    return therapist


def pending_quote(name="Fictional Dana Example", modality=None, draft=DRAFT, minutes=30):
    modality = modality or make_modality("Interpersonal Therapy", "IPT")
    therapist = make_therapist(name, modalities=[modality], quote=LIVE)
    with_account(therapist, f"{therapist.slug}@example.org")
    written_to(therapist)
    quote = Quote.objects.get(therapist=therapist)
    quote.submit(draft)
    Quote.objects.filter(pk=quote.pk).update(draft_submitted_at=ago(minutes))
    return Quote.objects.get(pk=quote.pk)


def webp():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "WEBP")
    return out.getvalue()


def pending_photo(therapist, minutes=20, status="pending"):
    photo = Photo.objects.create(
        therapist=therapist, name=f"photos/{therapist.slug}-{minutes}", status=status
    )
    Photo.objects.filter(pk=photo.pk).update(created_at=ago(minutes))
    for size in Photo.SIZES:
        default_storage.save(f"{photo.name}-{size}.webp", ContentFile(webp()))
    return photo


def pending_join(name="Fictional Joiner", minutes=10):
    therapist = make_therapist(name, is_listed=False)
    License.objects.filter(therapist=therapist).update(number="FX-2001")
    email = f"{therapist.slug}@example.org"
    with_account(therapist, email)
    written_to(therapist)
    return Application.objects.create(
        kind="join",
        therapist=therapist,
        email=email,
        user=therapist.user,
        evidence="address",
        created_at=ago(minutes),
    )


# What a reviewer notes on approving a claim by license number (Application.identity_check).
IDENTITY_CHECKED = {"approve-identity_check": "Emailed the address on the board's record."}
# And on approving a join: where the license was seen, and how its holder was reached.
JOIN_CHECKED = {"approve-source": BOARD_LOOKUP, **IDENTITY_CHECKED}


def pending_claim(therapist, email="claimant@example.org", minutes=5):
    return Application.objects.create(
        kind="claim",
        therapist=therapist,
        email=email,
        evidence="listing_address",
        created_at=ago(minutes),
    )


def open_item(client, user, kind, pk):
    client.force_login(user)
    page = client.get(item_url(kind, pk))
    assert page.status_code == 200
    return page


def send(page, form_id, client, kind, pk, **fields):
    """Sends a form of the item's page as the reviewer fills it in; the notices go out as
    the decision commits (the test's own transaction never does)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return form_on(page, id=form_id).submit(client, item_url(kind, pk), **fields)


def decide(client, user, kind, pk, form_id, **fields):
    """Opens the item's page and sends one of its forms."""
    return send(open_item(client, user, kind, pk), form_id, client, kind, pk, **fields)


def sent_to(address):
    return [message for message in mail.outbox if address in message.to]


def assert_no_health_information():
    for message in mail.outbox:
        assert HEALTH_WORDS not in message.body + message.subject
        assert "Robin" not in message.body


# The admin's name and the counts on its index ------------------------------------------


def test_it_counts_what_waits_on_the_admin_index_under_the_sites_name(
    client, reviewer, media, django_assert_num_queries
):
    first = pending_quote()
    pending_quote("Fictional Eli Second", modality=first.modality)
    pending_photo(first.therapist)
    pending_join()
    client.force_login(reviewer)
    # session, user, the reviewer's own and group permissions, the pending quotes, photos
    # and joins and claims counted, the reviewer's recent actions
    with django_assert_num_queries(8):
        index = client.get(reverse("admin:index"))
    text = page_text(index)
    assert "2 quotes, 1 photo, 1 join, 0 claims waiting" in text
    # Named, so a newcomer knows where the link leads (walked: the counts alone).
    assert (QUEUE, "Review queue: 2 quotes, 1 photo, 1 join, 0 claims waiting") in page_links(index)
    assert "Therapist Directory administration" in text
    assert "Django administration" not in text
    assert "Django site admin" not in index.content.decode()


def test_it_shows_no_counts_to_staff_who_review_nothing(client, db):
    client.force_login(staff("curator", "change_modality"))
    assert "waiting" not in page_text(client.get(reverse("admin:index")))
    assert client.get(QUEUE).status_code == 403


# The queue -----------------------------------------------------------------------------


def test_it_lists_everything_waiting_oldest_first_with_the_draft_whole(
    client, reviewer, media, django_assert_num_queries
):
    long_draft = " ".join(["A fictional sentence on how the approach helps."] * 15)
    quote = pending_quote(draft=long_draft, minutes=40)
    photo = pending_photo(quote.therapist, minutes=30)
    join = pending_join(minutes=20)
    claim = pending_claim(make_therapist("Fictional Unclaimed"), minutes=10)
    Photo.objects.create(therapist=quote.therapist, name="decided", status="approved")
    client.force_login(reviewer)
    # session, user, own and group permissions, three counts, the quotes with therapists
    # and modalities, the photos with therapists and shown photos, the joins and claims
    # with their therapists, and their primary licenses and locations
    with django_assert_num_queries(12):
        page = client.get(QUEUE)
    assert page.status_code == 200
    urls = [item_url("quote", quote.pk), item_url("photo", photo.pk)]
    urls += [item_url("join", join.pk), item_url("claim", claim.pk)]
    links = [href for href, _text in page_links(page) if href in urls]
    assert links == urls
    text = page_text(page)
    assert "1 quote, 1 photo, 1 join, 1 claim waiting" in text
    assert long_draft in text
    assert LIVE in text

    newest = client.get(QUEUE, {"order": "newest"})
    assert [href for href, _text in page_links(newest) if href in urls] == urls[::-1]
    photos_only = client.get(QUEUE, {"kind": "photo"})
    assert [href for href, _text in page_links(photos_only) if href in urls] == urls[1:2]


def test_it_lists_only_the_kinds_the_staff_member_may_see(client, db, media):
    quote = pending_quote()
    photo = pending_photo(quote.therapist)
    client.force_login(staff("quotes-only", "review_quote"))
    page = client.get(QUEUE)
    hrefs = [href for href, _text in page_links(page)]
    assert item_url("quote", quote.pk) in hrefs
    assert item_url("photo", photo.pk) not in hrefs
    assert "1 quote waiting" in page_text(page)


# Quotes --------------------------------------------------------------------------------


def test_the_quote_permission_alone_opens_the_bulk_list_of_quotes(client, db):
    # Walked as a newcomer: with only "Can approve or send back quotes", as the README
    # says, the admin index had no "Quotes waiting for review" and the list answered 403.
    quote = pending_quote()
    client.force_login(staff("quotes-only", "review_quote"))
    bulk = reverse("admin:therapists_pendingquote_changelist")

    assert (bulk, "Quotes waiting for review") in page_links(client.get(reverse("admin:index")))
    page = client.get(bulk)
    assert page.status_code == 200
    assert [row.pk for row in page.context["cl"].result_list] == [quote.pk]


def test_it_shows_a_draft_beside_the_live_quote_with_the_changed_words(
    client, reviewer, django_assert_num_queries
):
    quote = pending_quote(draft="Fictional live words on the method.")
    client.force_login(reviewer)
    # session, user, own and group permissions, the quote with its therapist and modality
    with django_assert_num_queries(5):
        page = client.get(item_url("quote", quote.pk))
    body = page.content.decode()
    assert "<del>approach.</del>" in body
    assert "<ins>method.</ins>" in body
    text = page_text(page)
    assert "Draft waiting for review Written in English Fictional live words on the method." in text
    assert f"Live now {LIVE}" in text
    assert "Send back with a reason" in text


def test_it_makes_an_approved_draft_live_and_tells_the_therapist(client, reviewer):
    quote = pending_quote()
    done = decide(client, reviewer, "quote", quote.pk, "approve-form")
    assert done.request["PATH_INFO"] == QUEUE
    named = "Quote in English of Fictional Dana Example on Interpersonal Therapy"
    assert f"{named} is live." in page_text(done)
    quote.refresh_from_db()
    assert (quote.text, quote.draft_status, quote.reviewed_by) == (DRAFT, "none", reviewer)
    [notice] = sent_to(quote.therapist.user.email)
    assert notice.subject == "Your quote is live on the Therapist Directory"
    assert "https://directory.example.org/profile/quotes/interpersonal-therapy/" in notice.body
    assert "The Therapist Directory" in notice.body
    assert_no_health_information()


def test_it_sends_a_draft_back_only_with_a_reason_and_tells_it(client, reviewer):
    quote = pending_quote()
    untouched = decide(client, reviewer, "quote", quote.pk, "send-back-form")
    assert "Tell the therapist what to change." in page_text(untouched)
    assert DRAFT in page_text(untouched)  # the draft stays beside the form
    assert Quote.objects.get(pk=quote.pk).draft_status == "pending"
    assert mail.outbox == []

    done = decide(
        client, reviewer, "quote", quote.pk, "send-back-form", **{"send_back-reason": "Shorter."}
    )
    named = "Quote in English of Fictional Dana Example on Interpersonal Therapy"
    assert f"{named} sent back" in page_text(done)
    quote.refresh_from_db()
    assert (quote.text, quote.draft, quote.draft_status) == (LIVE, DRAFT, "sent_back")
    assert quote.review_reason == "Shorter."
    [notice] = sent_to(quote.therapist.user.email)
    assert "Shorter." in notice.body
    assert_no_health_information()


def test_it_does_not_approve_a_draft_replaced_after_the_page_was_opened(client, reviewer):
    quote = pending_quote()
    page = open_item(client, reviewer, "quote", quote.pk)
    Quote.objects.get(pk=quote.pk).submit("SWAPPED: a cure at spam.example.org")
    done = send(page, "approve-form", client, "quote", quote.pk)
    assert "was decided or changed by someone else after you opened it" in page_text(done)
    assert "SWAPPED" in page_text(done)  # the page shows the new draft to read again
    quote.refresh_from_db()
    assert (quote.text, quote.draft_status) == (LIVE, "pending")
    assert mail.outbox == []


def test_it_redirects_the_pending_quotes_own_page_to_its_review_page(client, reviewer):
    quote = pending_quote()
    client.force_login(reviewer)
    change = reverse("admin:therapists_pendingquote_change", args=[quote.pk])
    assert client.get(change)["Location"] == item_url("quote", quote.pk)


def test_it_tells_the_therapists_of_quotes_approved_in_bulk(client, reviewer):
    first = pending_quote()
    second = pending_quote("Fictional Eli Second", modality=first.modality)
    client.force_login(reviewer)
    changelist = reverse("admin:therapists_pendingquote_changelist")
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            changelist,
            {
                "action": "approve",
                "_selected_action": [first.pk, second.pk],
                f"seen_draft_{first.pk}": first.draft_version,
                f"seen_draft_{second.pk}": second.draft_version,
            },
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        first.therapist.user.email,
        second.therapist.user.email,
    ]


# Photos --------------------------------------------------------------------------------


def test_it_shows_an_approved_photo_on_the_listing_and_tells_the_therapist(
    client, reviewer, media, django_assert_num_queries
):
    therapist = with_account(make_therapist("Fictional Pia Photo"), "pia@example.org")
    shown = pending_photo(therapist, minutes=60, status="approved")
    Therapist.objects.filter(pk=therapist.pk).update(photo=shown)
    photo = pending_photo(therapist)
    client.force_login(reviewer)
    # session, user, own and group permissions, the photo with its listing and shown photo
    with django_assert_num_queries(5):
        page = client.get(item_url("photo", photo.pk))
    body = page.content.decode()
    assert reverse("admin:review_photo", args=[photo.pk, 384]) in body
    assert reverse("admin:review_photo", args=[shown.pk, 384]) in body
    changes = ListingChange.objects.filter(therapist_id=therapist.pk).count()

    done = decide(client, reviewer, "photo", photo.pk, "approve-form")

    assert "Photo of Fictional Pia Photo is shown on the listing." in page_text(done)
    therapist.refresh_from_db()
    assert therapist.photo_id == photo.pk
    photo.refresh_from_db()
    assert (photo.status, photo.reviewed_by) == ("approved", reviewer)
    # The search index (and with it the page cache) hears of the new photo.
    assert ListingChange.objects.filter(therapist_id=therapist.pk).count() == changes + 1
    [notice] = sent_to("pia@example.org")
    assert notice.subject == "Your photo is on your listing"
    assert "https://directory.example.org/profile/edit/" in notice.body


def test_it_decides_a_photo_once_however_often_staff_click(client, reviewer, media):
    therapist = with_account(make_therapist("Fictional Pia Photo"), "pia@example.org")
    photo = pending_photo(therapist)
    page = open_item(client, reviewer, "photo", photo.pk)
    send(page, "approve-form", client, "photo", photo.pk)
    again = send(
        page, "send-back-form", client, "photo", photo.pk, **{"send_back-reason": "Too late."}
    )
    assert "Photo of Fictional Pia Photo was already decided: nothing changed." in page_text(again)
    photo.refresh_from_db()
    assert (photo.status, photo.review_reason) == ("approved", "")
    assert len(mail.outbox) == 1


def test_it_sends_a_photo_back_and_keeps_the_initials(client, reviewer, media):
    therapist = with_account(make_therapist("Fictional Pia Photo"), "pia@example.org")
    written_to(therapist)
    photo = pending_photo(therapist)
    decide(
        client,
        reviewer,
        "photo",
        photo.pk,
        "send-back-form",
        **{"send_back-reason": "Please send one of you alone."},
    )
    photo.refresh_from_db()
    assert (photo.status, photo.review_reason) == ("sent_back", "Please send one of you alone.")
    assert Therapist.objects.get(pk=therapist.pk).photo_id is None
    [notice] = sent_to("pia@example.org")
    assert "Please send one of you alone." in notice.body
    assert_no_health_information()


def test_it_serves_a_pending_photo_to_reviewers_only(client, reviewer, media):
    photo = pending_photo(make_therapist("Fictional Pia Photo"))
    url = reverse("admin:review_photo", args=[photo.pk, 192])
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(staff("quotes-only", "review_quote"))
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    assert "no-store" in served["Cache-Control"]
    assert b"".join(served.streaming_content) == webp()
    assert client.get(reverse("admin:review_photo", args=[photo.pk, 50])).status_code == 404
    assert client.get(reverse("admin:review_photo", args=[photo.pk + 9, 96])).status_code == 404


# Joins ---------------------------------------------------------------------------------


def test_it_lists_a_join_once_its_license_is_verified_and_its_holder_reached(
    client, reviewer, django_assert_num_queries
):
    join = pending_join()
    client.force_login(reviewer)
    # session, user, own and group permissions, the join with its listing and account,
    # the listing's licenses with credentials, locations with cities, modalities, every
    # other listing's license with one of its numbers, every other listing with the longest
    # word of its name (none alike: no query for the alike)
    with django_assert_num_queries(10):
        page = client.get(item_url("join", join.pk))
    text = page_text(page)
    assert "Licensed Sample Counselor, Illinois, number FX-2001" in text
    assert "Springfield, IL" in text
    assert any("duckduckgo.com" in href for href, _text in page_links(page))
    assert "No other listing has this name or license number." in text

    missing = decide(client, reviewer, "join", join.pk, "approve-form")
    assert "Give the address where you checked the license." in page_text(missing)
    assert "Say how you confirmed it is them." in page_text(missing)
    # The board's page alone no longer lists it: a name and number are public.
    source_only = decide(
        client, reviewer, "join", join.pk, "approve-form", **{"approve-source": BOARD_LOOKUP}
    )
    assert "Say how you confirmed it is them." in page_text(source_only)
    assert not Therapist.objects.get(pk=join.therapist_id).is_listed

    done = decide(client, reviewer, "join", join.pk, "approve-form", **JOIN_CHECKED)
    assert "Join request of Fictional Joiner approved" in page_text(done)
    therapist = Therapist.objects.get(pk=join.therapist_id)
    assert therapist.is_listed
    assert Therapist.objects.listed().filter(pk=therapist.pk).exists()
    license = therapist.licenses.get()
    assert (license.verified_by, license.verification_source) == (reviewer, BOARD_LOOKUP)
    application = Application.objects.get(pk=join.pk)
    assert application.status == "approved"
    assert application.identity_check == IDENTITY_CHECKED["approve-identity_check"]
    [notice] = sent_to(join.email)
    assert "https://directory.example.org/therapists/fictional-joiner/" in notice.body
    assert_no_health_information()


def test_it_keeps_a_join_sent_back_unlisted(client, reviewer):
    join = pending_join()
    decide(
        client,
        reviewer,
        "join",
        join.pk,
        "send-back-form",
        **{"send_back-reason": "The license number does not match."},
    )
    assert not Therapist.objects.get(pk=join.therapist_id).is_listed
    assert License.objects.get(therapist_id=join.therapist_id).verified_at is None
    application = Application.objects.get(pk=join.pk)
    assert (application.status, application.review_reason) == (
        "sent_back",
        "The license number does not match.",
    )
    [notice] = sent_to(join.email)
    assert "The license number does not match." in notice.body


def test_it_refuses_to_approve_a_join_without_a_license(client, reviewer):
    join = pending_join()
    License.objects.filter(therapist_id=join.therapist_id).delete()
    done = decide(client, reviewer, "join", join.pk, "approve-form", **JOIN_CHECKED)
    assert "Fictional Joiner has no license to verify" in page_text(done)
    assert Application.objects.get(pk=join.pk).status == "pending"
    assert not Therapist.objects.get(pk=join.therapist_id).is_listed


# A join beside the listings it may duplicate ------------------------------------------------


def likenesses_on(page):
    """{listing's name: what the page says of it} for each listing shown beside a join."""
    html = page.content.decode()
    blocks = re.findall(r'<article class="review-likeness".*?</article>', html, re.S)
    texts = [squash(unescape(re.sub(r"<[^>]+>", " ", block))) for block in blocks]
    return {text.split(" Shown because")[0]: text for text in texts}


def named(therapist, name, **fields):
    Therapist.objects.filter(pk=therapist.pk).update(display_name=name, **fields)
    return Therapist.objects.get(pk=therapist.pk)


def numbered(therapist, number):
    License.objects.filter(therapist=therapist).update(number=number)
    return therapist


def test_it_shows_every_listing_with_the_joins_name_or_license_number_and_why(
    client, reviewer, django_assert_num_queries
):
    join = pending_join()  # "Fictional Joiner", Illinois license FX-2001
    private = named(make_therapist("Fictional A"), "  fictional   JOINER ", is_listed=False)
    elsewhere = numbered(
        make_therapist("Fictional Elsewhere", city=make_city("Albany", "NY")), "fx 2001"
    )
    taken = with_account(
        numbered(make_therapist("Fictional Taken"), "Fx\u20132001"), "o@example.org"
    )
    demo = named(make_therapist("Fictional B", is_demo=True), "Fictional Joiner")
    make_therapist("Fictional Joiner Junior")
    numbered(make_therapist("Fictional Near"), "FX-20011")
    client.force_login(reviewer)
    # as for a join alone, then the listings alike with their accounts
    with django_assert_num_queries(11):
        page = client.get(item_url("join", join.pk))

    shown = likenesses_on(page)
    # In name order, as compared: without case or extra spaces.
    assert list(shown) == [
        "Fictional Elsewhere",
        "fictional JOINER",
        "Fictional Joiner",
        "Fictional Taken",
    ]
    assert shown["Fictional Elsewhere"] == (
        "Fictional Elsewhere Shown because its New York license has the number this join "
        "gave: fx 2001. The listing is public. It has no account. Open Fictional Elsewhere "
        "in the admin Treat as a claim of this listing If the applicant is this listing's "
        "therapist: the join becomes an approved claim of this listing. Their account is "
        "linked to it, as an approved claim's is, and they are emailed that they sign in as "
        "before; the join's own listing is not published (it stays unlisted, without an account, "
        "keeping what they wrote). How you confirmed the applicant holds this license: "
        "A name and a license number are public: anyone can join as a real therapist. "
        "Reach the licensee through the contact their state board lists (not one the "
        "applicant gave), e.g. \u201cEmailed the address on the board's record; they "
        "confirmed.\u201d"
    )
    assert (
        "Shown because it has the same name as this join. The listing is not public."
        in (shown["fictional JOINER"])
    )
    assert "It is not public: only a public listing can be claimed." in shown["fictional JOINER"]
    assert "It is a demo listing: it cannot be claimed." in shown["Fictional Joiner"]
    assert (
        "Shown because its Illinois license has the number this join gave: Fx\u20132001."
        in (shown["Fictional Taken"])
    )
    assert "Its account: o@example.org. " in shown["Fictional Taken"]
    assert (
        "It has an account (its therapist signs in with it), so it cannot be claimed."
        in (shown["Fictional Taken"])
    )
    links = page_links(page)
    assert (elsewhere.get_absolute_url(), "Fictional Elsewhere") in links
    assert not any(href == private.get_absolute_url() for href, _text in links)
    change = reverse("admin:therapists_therapist_change", args=[demo.pk])
    assert (change, "Open Fictional Joiner in the admin") in links
    html = page.content.decode()
    assert f'id="treat-as-claim-{elsewhere.pk}"' in html
    for unclaimable in (private, demo, taken):
        assert f'id="treat-as-claim-{unclaimable.pk}"' not in html


TREATED = {"claim-identity_check": "Emailed the address on the board's record: it is them."}


def alike_listing(name="Fictional Joiner"):
    """A public listing without an account, named as the join is."""
    return named(make_therapist("Fictional Listed"), name)


def test_it_treats_a_join_as_a_claim_of_a_listing_beside_it(client, reviewer):
    join = pending_join()
    listing = alike_listing()
    written_to(listing)
    rival = pending_claim(listing, email="rival@example.org")
    form_id = f"treat-as-claim-{listing.pk}"
    page = open_item(client, reviewer, "join", join.pk)

    missing = send(page, form_id, client, "join", join.pk)
    assert "Say how you confirmed it is them." in page_text(missing)
    assert Application.objects.get(pk=join.pk).status == "pending"
    assert Therapist.objects.get(pk=listing.pk).user is None

    done = send(page, form_id, client, "join", join.pk, **TREATED)

    assert done.request["PATH_INFO"] == QUEUE
    assert (
        "Join request of Fictional Joiner is now an approved claim of the listing Fictional "
        "Joiner: the account is linked to it, and its holder told to sign in as before. The "
        "join's own listing stays unlisted."
    ) in page_text(done)
    account = User.objects.get(email=join.email)
    listing.refresh_from_db()
    assert listing.user == account
    own = Therapist.objects.get(pk=join.therapist_id)
    assert (own.is_listed, own.user, own.display_name) == (False, None, "Fictional Joiner")
    claim = Application.objects.get(kind="claim", therapist=listing, status="approved")
    assert (claim.email, claim.user, claim.evidence) == (join.email, account, "license_to_check")
    assert (claim.license_number, claim.license_state) == ("FX-2001", "IL")
    assert claim.identity_check == TREATED["claim-identity_check"]
    # The number given is recorded on the listing, as for any claim by number to check.
    assert list(listing.licenses.values_list("number", "verified_at")) == [("FX-2001", None)]
    rival.refresh_from_db()
    assert rival.status == "sent_back"
    # They never claimed and already have a password: the notice says what happened.
    [approved] = sent_to(join.email)
    assert approved.subject == "Your listing request was matched to your existing listing"
    assert f"the directory already lists you: {listing.display_name}." in approved.body
    assert "https://directory.example.org/accounts/reset/" in approved.body
    assert_no_health_information()

    decided = page_text(client.get(item_url("join", join.pk)))
    assert "This is sent back." in decided
    assert "Reason: Treated as a claim of the listing Fictional Joiner (fictional-listed)." in (
        decided
    )
    assert f"How the applicant was confirmed: {TREATED['claim-identity_check']}" in decided
    again = send(page, form_id, client, "join", join.pk, **TREATED)
    assert "was already decided: nothing changed." in page_text(again)
    assert Application.objects.filter(kind="claim", status="approved").count() == 1


def assert_unchanged(join, listing):
    """The join waits, its account still on its own listing, none on `listing`."""
    assert Application.objects.get(pk=join.pk).status == "pending"
    own = Therapist.objects.get(pk=join.therapist_id)
    assert own.user is not None and own.user.email == join.email
    assert not Therapist.objects.filter(pk=listing.pk, user__email=join.email).exists()
    assert not Application.objects.filter(kind="claim", status="approved").exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda listing: with_account(listing, "owner@example.org"),
            "Fictional Joiner: It has an account (its therapist signs in with it), so it "
            "cannot be claimed.",
        ),
        (
            lambda listing: named(listing, "Fictional Renamed"),
            "That listing no longer has this join's name or license number: nothing changed.",
        ),
        (
            lambda listing: named(listing, "Fictional Joiner", is_listed=False),
            "Fictional Joiner: It is not public: only a public listing can be claimed.",
        ),
    ],
)
def test_it_says_why_a_listing_changed_since_the_page_was_opened_cannot_be_claimed(
    client, reviewer, change, message
):
    join = pending_join()
    listing = alike_listing()
    page = open_item(client, reviewer, "join", join.pk)
    change(listing)

    answer = send(page, f"treat-as-claim-{listing.pk}", client, "join", join.pk, **TREATED)

    assert answer.status_code == 200
    assert answer.request["PATH_INFO"] == item_url("join", join.pk)
    assert message in page_text(answer)
    assert_unchanged(join, listing)


@pytest.mark.parametrize("listing_id", ["999999", "x", "", "99999999999999999999999"])
def test_it_refuses_to_treat_a_join_as_a_claim_of_a_listing_never_shown(
    client, reviewer, listing_id
):
    join = pending_join()
    other = make_therapist("Fictional Stranger")
    client.force_login(reviewer)
    for posted in (listing_id, str(other.pk)):
        answer = client.post(
            item_url("join", join.pk),
            {"decision": "treat_as_claim", "claim-listing": posted, **TREATED},
            follow=True,
        )
        assert answer.request["PATH_INFO"] == item_url("join", join.pk)
        assert "That listing no longer has this join's name or license number" in page_text(answer)
    assert_unchanged(join, other)


def test_a_failing_mail_server_does_not_stop_a_join_treated_as_a_claim(client, reviewer, settings):
    # The email is queued with the decision and tried again by the worker
    # (tests/test_task_queue.py): the decision never waits on, nor fails with, the mail server.
    join = pending_join()
    listing = alike_listing()
    page = open_item(client, reviewer, "join", join.pk)
    settings.EMAIL_BACKEND = "tests.test_issue13_attacks.FailingEmailBackend"

    send(page, f"treat-as-claim-{listing.pk}", client, "join", join.pk, **TREATED)

    assert Therapist.objects.get(pk=listing.pk).user.email == join.email
    assert Application.objects.get(pk=join.pk).status == "sent_back"
    assert not Therapist.objects.get(pk=join.therapist_id).is_listed


def test_only_staff_who_may_decide_joins_treat_one_as_a_claim(client, db):
    join = pending_join()
    listing = alike_listing()
    claims_only = staff("claims", "change_application", "view_application")
    page = open_item(client, claims_only, "join", join.pk)
    assert f'id="treat-as-claim-{listing.pk}"' not in page.content.decode()

    answer = client.post(
        item_url("join", join.pk),
        {"decision": "treat_as_claim", "claim-listing": str(listing.pk), **TREATED},
    )

    assert answer.status_code == 403
    assert_unchanged(join, listing)


# Claims --------------------------------------------------------------------------------


def test_it_links_an_approved_claim_and_sends_the_other_claims_back(client, reviewer):
    listing = make_therapist("Fictional Unclaimed")
    written_to(listing)
    claim = pending_claim(listing)
    rival = pending_claim(listing, email="rival@example.org")

    done = decide(client, reviewer, "claim", claim.pk, "approve-form")

    assert "Claim of Fictional Unclaimed's listing by claimant@example.org approved" in page_text(
        done
    )
    listing.refresh_from_db()
    assert listing.user.email == "claimant@example.org"
    assert not listing.user.is_staff
    claim.refresh_from_db()
    assert (claim.status, claim.user) == ("approved", listing.user)
    rival.refresh_from_db()
    assert rival.status == "sent_back"
    # One email, not the generic invitation beside a notice: it says why and holds the link.
    [approved] = sent_to("claimant@example.org")
    assert approved.subject == "Your claim of a listing was approved"
    assert "Staff approved your claim: the listing Fictional Unclaimed" in approved.body
    assert "https://directory.example.org/accounts/reset/" in approved.body
    assert "You are invited" not in approved.body
    [refusal] = sent_to("rival@example.org")
    assert refusal.subject == "Your claim of a listing was not approved"
    assert_no_health_information()


def claim_to_check(therapist, number="LCPC 180-0012345", state="IL"):
    return Application.objects.create(
        kind="claim",
        therapist=therapist,
        email="claimant@example.org",
        evidence="license_to_check",
        license_number=number,
        license_state=state,
    )


def test_it_shows_the_number_a_claim_gave_with_the_boards_lookup_and_what_it_shows(
    client, reviewer, django_assert_num_queries
):
    claim = claim_to_check(make_therapist("Fictional Unnumbered"))
    client.force_login(reviewer)
    # session, user, own and group permissions, the claim with its listing and account,
    # the listing's licenses with credentials, locations with cities, modalities
    with django_assert_num_queries(8):
        page = client.get(item_url("claim", claim.pk))

    text = page_text(page)
    assert "License number given LCPC 180-0012345, Illinois" in text
    assert (
        "What it shows: look the number up with the board and check the name matches the "
        "listing." in text
    )
    lookup = "https://duckduckgo.com/?q=Illinois+Licensed+Sample+Counselor+license+lookup"
    assert (lookup, "Find the Illinois board's license lookup") in page_links(page)
    assert "not marked verified" in text


@pytest.mark.parametrize(
    "evidence, meaning",
    [
        (
            "license_number",
            "license numbers are public: this shows the claimant knows it, not that they hold it",
        ),
        ("listing_address", "the listing's private address answered"),
    ],
)
def test_it_says_what_each_claims_evidence_shows(client, reviewer, evidence, meaning):
    claim = pending_claim(make_therapist("Fictional Unclaimed"))
    Application.objects.filter(pk=claim.pk).update(evidence=evidence)

    text = page_text(open_item(client, reviewer, "claim", claim.pk))

    assert f"What it shows: {meaning}." in text
    assert "License number given" not in text  # none was given


def test_it_records_the_checked_number_on_the_listings_license_when_approved(client, reviewer):
    listing = make_therapist("Fictional Unnumbered")
    claim = claim_to_check(listing)

    done = decide(client, reviewer, "claim", claim.pk, "approve-form", **IDENTITY_CHECKED)

    assert "approved: the account is linked" in page_text(done)
    license = listing.licenses.get()
    assert (license.number, license.verified_at) == ("LCPC 180-0012345", None)
    assert Application.objects.get(pk=claim.pk).status == "approved"


def test_it_keeps_a_number_the_listing_has_when_a_claim_to_check_is_approved(client, reviewer):
    listing = make_therapist("Fictional Numbered")
    License.objects.filter(therapist=listing).update(number="FX-2001")
    other_state = claim_to_check(listing, state="NY")

    decide(client, reviewer, "claim", other_state.pk, "approve-form", **IDENTITY_CHECKED)

    assert list(listing.licenses.values_list("state", "number")) == [("IL", "FX-2001")]


def test_it_refuses_a_claim_of_a_listing_that_has_an_account(client, reviewer):
    listing = with_account(make_therapist("Fictional Taken"), "owner@example.org")
    claim = pending_claim(listing)
    done = decide(client, reviewer, "claim", claim.pk, "approve-form")
    assert "Fictional Taken is already claimed" in page_text(done)
    assert Therapist.objects.get(pk=listing.pk).user.email == "owner@example.org"
    assert Application.objects.get(pk=claim.pk).status == "pending"
    assert mail.outbox == []


def test_it_never_links_a_staff_account_by_a_claim(client, reviewer):
    staff("claimant", "view_quote")  # claimant@example.org is a staff account
    listing = make_therapist("Fictional Unclaimed")
    claim = pending_claim(listing)
    done = decide(client, reviewer, "claim", claim.pk, "approve-form")
    assert "is a staff account. Invitations never link or change staff accounts" in page_text(done)
    assert Therapist.objects.get(pk=listing.pk).user is None
    assert Application.objects.get(pk=claim.pk).status == "pending"
    assert mail.outbox == []


# Permissions and bad input -------------------------------------------------------------


def test_it_refuses_a_decision_from_staff_without_the_permission(client, db, media):
    quote = pending_quote()
    photo = pending_photo(quote.therapist)
    onlooker = staff("onlooker", "view_pendingquote", "view_photo", "view_application")
    page = open_item(client, onlooker, "quote", quote.pk)
    assert "You may read this item but not decide on it." in page_text(page)
    for kind, pk in [("quote", quote.pk), ("photo", photo.pk)]:
        assert client.post(item_url(kind, pk), {"decision": "approve"}).status_code == 403
    photo_reviewer = staff("photos", "change_photo")
    client.force_login(photo_reviewer)
    assert client.post(item_url("quote", quote.pk), {"decision": "approve"}).status_code == 403
    assert client.get(item_url("quote", quote.pk)).status_code == 403
    assert Quote.objects.get(pk=quote.pk).draft_status == "pending"
    assert Photo.objects.get(pk=photo.pk).status == "pending"


def test_it_explains_ids_of_another_kind_or_gone(client, reviewer):
    claim = pending_claim(make_therapist("Fictional Unclaimed"))
    client.force_login(reviewer)
    for url, message in [
        (item_url("join", claim.pk), f"There is no join request {claim.pk}: it may have been"),
        (item_url("photo", 999999), "There is no photo 999999: it may have been deleted."),
    ]:
        answer = client.get(url, follow=True)
        assert answer.request["PATH_INFO"] == QUEUE
        assert message in page_text(answer)
    assert client.get("/admin/review/essay/1/").status_code == 404
    assert client.get("/admin/review/claim/x/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [{}, {"decision": "publish"}, {"decision": ["approve", "send_back"]}, {"decision": ""}],
)
def test_it_answers_junk_decisions_with_a_message(client, reviewer, data):
    claim = pending_claim(make_therapist("Fictional Unclaimed"))
    client.force_login(reviewer)
    answer = client.post(item_url("claim", claim.pk), data, follow=True)
    assert answer.status_code == 200
    assert Application.objects.get(pk=claim.pk).status == "pending"
    if data.get("decision") != ["approve", "send_back"]:
        assert "Choose Approve or Send back." in page_text(answer)


def test_it_shows_a_decided_item_without_buttons(client, reviewer):
    join = pending_join()
    Application.objects.filter(pk=join.pk).update(status="sent_back", review_reason="No.")
    page = open_item(client, reviewer, "join", join.pk)
    assert "This is sent back." in page_text(page)
    assert "Reason: No." in page_text(page)
    assert 'id="approve-form"' not in page.content.decode()


def test_it_escapes_what_therapists_wrote(client, reviewer):
    attack = "<script>alert(1)</script>"
    quote = pending_quote(draft=f"{attack} words")
    claim = pending_claim(make_therapist(f"Fictional {attack}"))
    client.force_login(reviewer)
    for url in [QUEUE, item_url("quote", quote.pk), item_url("claim", claim.pk)]:
        assert attack not in client.get(url).content.decode()


def test_it_approves_a_join_once_when_sent_twice_from_the_same_page(client, reviewer):
    join = pending_join()
    page = open_item(client, reviewer, "join", join.pk)
    send(page, "approve-form", client, "join", join.pk, **JOIN_CHECKED)
    verified_at = License.objects.get(therapist_id=join.therapist_id).verified_at
    again = send(page, "approve-form", client, "join", join.pk, **JOIN_CHECKED)
    assert "Join request of Fictional Joiner was already decided: nothing changed." in page_text(
        again
    )
    assert License.objects.get(therapist_id=join.therapist_id).verified_at == verified_at
    assert len(sent_to(join.email)) == 1


def test_it_decides_only_what_still_waits_even_from_a_stale_copy(reviewer, media):
    photo = pending_photo(make_therapist("Fictional Pia Photo"))
    stale = Photo.objects.get(pk=photo.pk)  # read by a second reviewer, still pending
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert review.send_back_photo(photo, reviewer, "Blurred.") is True
        assert review.approve_photo(stale, reviewer) is False
    photo.refresh_from_db()
    assert (photo.status, photo.review_reason) == ("sent_back", "Blurred.")
    assert Therapist.objects.get(pk=photo.therapist_id).photo_id is None

"""A quote is reviewed before it goes live, and a draft never takes the live quote down."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.conftest import make_modality, page_links, page_text
from tests.live_http import form_fields
from therapists.models import Photo, Quote, ReviewStatus, Therapist

IPT_PAGE = "/modalities/interpersonal-therapy/"
IPT_QUOTE = "/profile/quotes/interpersonal-therapy/"
QUEUE = reverse("admin:therapists_pendingquote_changelist")
SEED_QUOTE = "I was trained to use this modality under the supervision"
PASSWORD = "a-long-enough-fictional-passphrase"


@pytest.fixture
def steven(seeded):
    """Steven Su of the seed, with an account."""
    user = User.objects.create_user("steven@example.org", "steven@example.org", PASSWORD)
    Therapist.objects.filter(slug="steven-su").update(user=user)
    return Therapist.objects.get(slug="steven-su")


@pytest.fixture
def signed_in(client, steven):
    response = client.post(
        reverse("login"), {"username": "steven@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def reviewer(db):
    """A staff member who may review quotes and nothing else."""
    user = User.objects.create_user("reviewer@example.org", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="review_quote"),
        Permission.objects.get(codename="view_pendingquote"),
    )
    return user


def ipt_quote(therapist):
    return Quote.objects.get(therapist=therapist, modality__slug="interpersonal-therapy")


def review(client, reviewer, action, quotes, **data):
    """Runs an action from the queue page as the reviewer has it open: the page's record of
    the drafts it shows goes along, as the browser sends it."""
    client.force_login(reviewer)
    shown = form_fields(client.get(QUEUE).content.decode(), "changelist-form")
    return client.post(
        QUEUE,
        {
            **{name: value for name, value in shown if name.startswith("seen_draft_")},
            "action": action,
            "_selected_action": [q.pk for q in quotes],
            **data,
        },
    )


def test_it_keeps_the_live_quote_public_until_staff_approve_the_draft(
    signed_in, steven, reviewer, client
):
    preview = signed_in.post(IPT_QUOTE, {"text": "Fresh words on IPT.", "action": "preview"})
    assert "— Steven Su, Licensed Clinical Social Worker in Fullerton, CA" in page_text(preview)
    assert "19 of 800 characters used." in page_text(preview)
    assert ipt_quote(steven).draft_status == "none"

    submitted = signed_in.post(IPT_QUOTE, {"text": "Fresh words on IPT.", "action": "submit"})
    assert submitted["Location"] == "/profile/"
    dashboard = page_text(signed_in.get("/profile/"))
    assert "Pending review Your draft: Fresh words on IPT." in dashboard
    assert SEED_QUOTE in dashboard

    client.logout()
    public = page_text(client.get(IPT_PAGE))
    assert SEED_QUOTE in public
    assert "Fresh words on IPT." not in public

    review(client, reviewer, "approve", [ipt_quote(steven)])
    client.logout()
    public = page_text(client.get(IPT_PAGE))
    assert "Fresh words on IPT. — Steven Su, Licensed Clinical Social Worker" in public
    assert SEED_QUOTE not in public
    quote = ipt_quote(steven)
    assert (quote.text, quote.draft, quote.draft_status) == ("Fresh words on IPT.", "", "none")
    assert quote.reviewed_by == reviewer
    assert quote.reviewed_at is not None


def test_it_shows_the_reason_when_staff_send_a_draft_back(signed_in, steven, reviewer, client):
    signed_in.post(IPT_QUOTE, {"text": "Cure guaranteed!", "action": "submit"})

    page = review(client, reviewer, "send_back", [ipt_quote(steven)])
    assert page.status_code == 200
    assert "Reason, shown to the therapist" in page_text(page)
    assert ipt_quote(steven).draft_status == "pending"

    missing_reason = review(client, reviewer, "send_back", [ipt_quote(steven)], confirm="1")
    assert "Tell the therapist what to change." in page_text(missing_reason)
    assert ipt_quote(steven).draft_status == "pending"

    done = review(
        client,
        reviewer,
        "send_back",
        [ipt_quote(steven)],
        confirm="1",
        reason="Please avoid promising outcomes.",
    )
    assert done.status_code == 302

    client.force_login(steven.user)
    dashboard = page_text(client.get("/profile/"))
    assert "Sent back Reason from staff: Please avoid promising outcomes." in dashboard
    assert "Cure guaranteed!" in dashboard
    editor = page_text(client.get(IPT_QUOTE))
    assert "Staff sent your last draft back: Please avoid promising outcomes." in editor
    assert "Cure guaranteed!" in editor
    quote = ipt_quote(steven)
    assert quote.text.startswith(SEED_QUOTE)
    assert quote.draft == "Cure guaranteed!"
    client.logout()
    assert SEED_QUOTE in page_text(client.get(IPT_PAGE))


def test_it_approves_a_draft_once_however_often_staff_click(signed_in, steven, reviewer, client):
    signed_in.post(IPT_QUOTE, {"text": "Approved once.", "action": "submit"})
    quote = ipt_quote(steven)
    review(client, reviewer, "approve", [quote])
    review(client, reviewer, "approve", [quote])
    quote.refresh_from_db()
    assert (quote.text, quote.draft, quote.draft_status) == ("Approved once.", "", "none")


def test_it_approves_and_sends_back_in_bulk(seeded, reviewer, client):
    quotes = list(Quote.objects.order_by("pk")[:4])
    for number, quote in enumerate(quotes):
        quote.submit(f"Bulk draft {number}.")
    review(client, reviewer, "approve", quotes[:2])
    review(client, reviewer, "send_back", quotes[2:], confirm="1", reason="Shorter, please.")
    statuses = [(q.text, q.draft_status) for q in Quote.objects.order_by("pk")[:4]]
    assert statuses[:2] == [("Bulk draft 0.", "none"), ("Bulk draft 1.", "none")]
    assert [status for _, status in statuses[2:]] == ["sent_back", "sent_back"]


def test_it_lists_pending_quotes_newest_first_filterable_by_modality(
    seeded, reviewer, client, django_assert_num_queries
):
    other = make_modality("Sample Modality")
    first, second = Quote.objects.order_by("pk")[:2]
    first.submit("Older draft.")
    second.submit("Newer draft.")
    second.therapist.modalities.add(other)
    Quote.objects.create(therapist=second.therapist, modality=other).submit("Other modality.")
    client.force_login(reviewer)
    # session, user, the reviewer's own and group permissions, the modalities for the
    # filter, the count, the page of quotes with therapists and modalities
    with django_assert_num_queries(7):
        response = client.get(QUEUE)
    assert [q.draft for q in response.context["cl"].result_list] == [
        "Other modality.",
        "Newer draft.",
        "Older draft.",
    ]
    filtered = client.get(QUEUE, {"modality__id__exact": other.pk})
    assert [q.draft for q in filtered.context["cl"].result_list] == ["Other modality."]


def test_it_keeps_one_pending_draft_when_submitted_twice(signed_in, steven):
    for _ in range(2):
        signed_in.post(IPT_QUOTE, {"text": "Double click.", "action": "submit"})
    quotes = Quote.objects.filter(therapist=steven, modality__slug="interpersonal-therapy")
    assert quotes.count() == 1
    assert (quotes[0].draft, quotes[0].draft_status) == ("Double click.", "pending")
    assert quotes[0].text.startswith(SEED_QUOTE)


def test_it_creates_one_quote_when_the_first_one_is_submitted_from_two_tabs(signed_in, steven):
    new = make_modality("Sample Modality")
    steven.modalities.add(new)
    for _ in range(2):
        signed_in.post("/profile/quotes/sample-modality/", {"text": "First.", "action": "submit"})
    assert list(Quote.objects.filter(modality=new).values_list("draft", "draft_status")) == [
        ("First.", "pending")
    ]


def test_it_withdraws_a_pending_draft_and_keeps_the_live_quote(signed_in, steven):
    signed_in.post(IPT_QUOTE, {"text": "Second thoughts.", "action": "submit"})
    response = signed_in.post(IPT_QUOTE, {"action": "withdraw"})
    assert response["Location"] == "/profile/"
    quote = ipt_quote(steven)
    assert (quote.draft, quote.draft_status) == ("", "none")
    assert quote.text.startswith(SEED_QUOTE)
    assert "Live" in page_text(signed_in.get("/profile/"))


def test_it_sends_nothing_for_review_when_the_text_is_already_live(signed_in, steven):
    live = ipt_quote(steven).text
    response = signed_in.post(IPT_QUOTE, {"text": live, "action": "submit"}, follow=True)
    assert "That is already your live quote; nothing to review." in page_text(response)
    assert ipt_quote(steven).draft_status == "none"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 801, "Keep your quote to 800 characters; it has 801."),
        ("", "Write your quote before you preview or submit it."),
        ("   ", "Write your quote before you preview or submit it."),
    ],
)
def test_it_explains_a_quote_it_cannot_take_and_changes_nothing(signed_in, steven, text, message):
    before = Quote.objects.filter(therapist=steven).values().get()
    response = signed_in.post(IPT_QUOTE, {"text": text, "action": "submit"})
    assert response.status_code == 200
    assert message in page_text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert Quote.objects.filter(therapist=steven).values().get() == before


def test_it_shows_quote_html_as_text_wherever_it_appears(signed_in, steven, reviewer, client):
    attack = "<script>alert(1)</script><b>bold</b>"
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"
    preview = signed_in.post(IPT_QUOTE, {"text": attack, "action": "preview"})
    signed_in.post(IPT_QUOTE, {"text": attack, "action": "submit"})
    pages = [preview, signed_in.get("/profile/"), signed_in.get(IPT_QUOTE)]
    client.force_login(reviewer)
    pages.append(client.get(QUEUE))
    review(client, reviewer, "approve", [ipt_quote(steven)])
    client.logout()
    pages += [client.get(IPT_PAGE), client.get(steven.get_absolute_url())]
    for response in pages:
        body = response.content.decode()
        assert "<script>alert(1)" not in body
        assert "<b>bold</b>" not in body
        assert escaped in body or escaped[:-20] in body  # the admin list shows an excerpt


def test_it_hides_the_quote_of_a_modality_no_longer_practised_but_keeps_it(steven, client):
    ipt = steven.modalities.get(slug="interpersonal-therapy")
    steven.modalities.remove(ipt)
    assert SEED_QUOTE not in page_text(client.get(IPT_PAGE))
    assert SEED_QUOTE not in page_text(client.get(steven.get_absolute_url()))
    steven.modalities.add(ipt)
    assert SEED_QUOTE in page_text(client.get(IPT_PAGE))


def test_it_pins_the_dashboard_queries(signed_in, steven, django_assert_num_queries):
    Photo.objects.create(therapist=steven, name="photos/fictional-waiting")
    # session, user, the listing (its photo in review read with it), primary license,
    # primary location, published modalities, concerns, languages, quotes
    with django_assert_num_queries(9):
        response = signed_in.get("/profile/")
    assert response.status_code == 200


def test_the_dashboard_tells_of_a_photo_waiting_or_sent_back(signed_in, steven):
    assert "Your photo" not in page_text(signed_in.get("/profile/"))

    photo = Photo.objects.create(therapist=steven, name="photos/fictional-waiting")
    page = signed_in.get("/profile/")
    assert "Your photo waits for review: it is shown once staff approve it." in page_text(page)
    assert ("/profile/photo/", "See your photo") in page_links(page)
    assert 'id="photo"' in signed_in.get("/profile/photo/").content.decode()

    Photo.objects.filter(pk=photo.pk).update(
        status=ReviewStatus.SENT_BACK, review_reason="<b>Please show your face.</b>"
    )
    page = signed_in.get("/profile/")
    assert "Your photo was sent back: <b>Please show your face.</b>" in page_text(page)
    assert "<b>Please" not in page.content.decode()
    assert "waits for review" not in page_text(page)

"""A therapist reaches only their own listing and quotes, and only staff review quotes."""

from html import unescape

import pytest
from django.contrib.auth.models import Permission, User
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from tests.conftest import make_modality, page_text
from therapists.models import Quote, Therapist

DASHBOARD = "/profile/"
EDIT = "/profile/edit/"
IPT_QUOTE = "/profile/quotes/interpersonal-therapy/"
PROFILE_URLS = [DASHBOARD, EDIT, IPT_QUOTE]
QUEUE = "/admin/therapists/pendingquote/"
STEVENS_HEADLINE = "Fictional headline of Steven's listing for these tests."
JENNIES_HEADLINE = "Fictional headline of Jennie's listing for these tests."
SEED_QUOTE_OF_STEVEN = "I was trained to use this modality under the supervision"
SEED_QUOTE_OF_JENNIE = "Relationships are at the core of who we are"


@pytest.fixture
def steven(seeded):
    """Steven Su of the seed, with an account and a headline to recognise his listing by."""
    user = User.objects.create_user("steven.su@example.org", "steven.su@example.org")
    Therapist.objects.filter(pk=1).update(user=user, headline=STEVENS_HEADLINE)
    return Therapist.objects.get(pk=1)


@pytest.fixture
def jennie(seeded):
    """Jennie Wang-Hall of the seed, with an account of her own."""
    user = User.objects.create_user("jennie@example.org", "jennie@example.org")
    Therapist.objects.filter(pk=2).update(user=user, headline=JENNIES_HEADLINE)
    return Therapist.objects.get(pk=2)


@pytest.fixture
def as_steven(client, steven, jennie):
    client.force_login(steven.user)
    return client


@pytest.fixture
def only_jennies_modality(jennie):
    """A fictional modality that Jennie practises, with a live quote of hers, and Steven not."""
    modality = make_modality("Fictional Sample Therapy")
    jennie.modalities.add(modality)
    Quote.objects.create(
        therapist=jennie, modality=modality, text="Jennie's fictional live quote on it."
    )
    return modality


def listing(pk):
    """Every column and relation of a listing, to compare before and after."""
    therapist = Therapist.objects.get(pk=pk)
    return {
        **Therapist.objects.filter(pk=pk).values().get(),
        **{
            name: sorted(obj.pk for obj in objects)
            for name, objects in model_to_dict(
                therapist, fields=["modalities", "concerns", "languages"]
            ).items()
        },
    }


def quotes():
    """Every quote, every column."""
    return list(Quote.objects.order_by("pk").values())


def profile_form(**fields):
    """What Steven's edit form sends, with a new headline and fee."""
    return {
        "pronouns": "he/him",
        "headline": "A new fictional headline, saved by Steven.",
        "bio": "",
        "accepting_new_clients": "on",
        "session_fee": "150",
        "modalities": ["1"],
        "email": "",
        "phone": "",
        "website": "",
        **fields,
    }


def quote_form(action="submit"):
    return {"text": "Fictional words on how I practise this, for review.", "action": action}


def staff(username, *codenames):
    """A fictional staff member holding just these permissions."""
    user = User.objects.create_user(username, f"{username}@example.org", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def pending_quote_of_steven():
    quote = Quote.objects.get(therapist_id=1, modality__slug="interpersonal-therapy")
    quote.submit("A fictional draft waiting for review.")
    return Quote.objects.get(pk=quote.pk)


# Guessing ids and slugs


@pytest.mark.parametrize(
    ("url", "stevens", "jennies"),
    [
        (DASHBOARD, "Signed in for Steven Su.", "Jennie Wang-Hall"),
        (EDIT, STEVENS_HEADLINE, JENNIES_HEADLINE),
        (IPT_QUOTE, SEED_QUOTE_OF_STEVEN, SEED_QUOTE_OF_JENNIE),
    ],
    ids=["dashboard", "edit", "quote"],
)
def test_it_shows_stevens_own_page_whatever_listing_the_query_names(
    as_steven, url, stevens, jennies
):
    response = as_steven.get(
        url, {"id": 2, "pk": 2, "therapist": 2, "user": 2, "slug": "jennie-wang-hall"}
    )

    assert response.status_code == 200
    # The whole page, since a form shows the listing in its fields' values.
    page = unescape(response.content.decode())
    assert stevens in page
    assert jennies not in page


def test_it_saves_only_the_fields_steven_may_change_whatever_else_the_post_names(
    as_steven, steven, jennie
):
    jennie_before = listing(2)
    steven_before = listing(1)

    response = as_steven.post(
        EDIT,
        profile_form(
            id="2",
            pk="2",
            therapist="2",
            slug="jennie-wang-hall",
            user=str(jennie.user.pk),
            display_name="Fictional Impostor",
            is_listed="",
            accepting_confirmed_on="2001-01-01",
            created_at="2001-01-01T00:00:00Z",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    steven_after = listing(1)
    assert steven_after["headline"] == "A new fictional headline, saved by Steven."
    assert steven_after["session_fee"] == 150
    for kept in ["id", "display_name", "slug", "is_listed", "user_id", "created_at"]:
        assert steven_after[kept] == steven_before[kept], kept
    assert steven_after["accepting_confirmed_on"] == timezone.localdate()
    assert listing(2) == jennie_before


def test_it_files_a_quote_under_steven_even_when_the_post_names_jennie(as_steven, jennie):
    before = quotes()

    response = as_steven.post(IPT_QUOTE, {**quote_form(), "therapist": "2", "id": "2"})

    assert response.status_code == 302
    after = quotes()
    changed = [quote for quote, old in zip(after, before, strict=True) if quote != old]
    assert [(quote["therapist_id"], quote["draft_status"]) for quote in changed] == [(1, "pending")]


def test_it_cannot_withdraw_jennies_draft(as_steven, jennie):
    jennies = Quote.objects.get(therapist=jennie, modality__slug="interpersonal-therapy")
    jennies.submit("Jennie's fictional draft.")
    before = quotes()

    as_steven.post(IPT_QUOTE, {"action": "withdraw", "therapist": "2", "id": str(jennies.pk)})

    assert quotes() == before


@pytest.mark.parametrize("action", ["preview", "submit", "withdraw"])
def test_it_refuses_a_quote_on_a_modality_steven_does_not_practise(
    as_steven, only_jennies_modality, action
):
    before = quotes()

    response = as_steven.post(
        f"/profile/quotes/{only_jennies_modality.slug}/", {**quote_form(action), "therapist": "2"}
    )

    assert response.status_code == 400
    assert "Fictional Sample Therapy is not among the kinds of therapy you practise" in page_text(
        response
    )
    assert quotes() == before


def test_it_explains_instead_of_offering_a_form_for_a_modality_steven_does_not_practise(
    as_steven, only_jennies_modality
):
    response = as_steven.get(f"/profile/quotes/{only_jennies_modality.slug}/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Fictional Sample Therapy is not among the kinds of therapy you practise" in text
    assert "Add it to your listing first" in text
    assert 'name="text"' not in response.content.decode()
    assert "Jennie's fictional live quote on it." not in text


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_not_found_for_an_unknown_modality(as_steven, method):
    before = quotes()

    response = getattr(as_steven, method)("/profile/quotes/no-such-therapy/", quote_form())

    assert response.status_code == 404
    assert quotes() == before


def test_it_ignores_an_approve_action_sent_to_the_therapists_quote_page(as_steven):
    before = quotes()

    response = as_steven.post(IPT_QUOTE, quote_form("approve"))

    assert response.status_code == 200
    assert quotes() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("url", PROFILE_URLS, ids=["dashboard", "edit", "quote"])
def test_it_allows_no_other_method_on_the_profile_pages(as_steven, url, method):
    before = listing(1), listing(2), quotes()

    response = getattr(as_steven, method)(
        url,
        "headline=Fictional+changed&text=Fictional+changed&action=submit",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 405
    assert (listing(1), listing(2), quotes()) == before


def test_it_allows_no_post_to_the_dashboard(as_steven):
    before = listing(1), quotes()

    response = as_steven.post(DASHBOARD, profile_form())

    assert response.status_code == 405
    assert (listing(1), quotes()) == before


# Accounts without a listing


@pytest.mark.parametrize("is_staff", [True, False], ids=["staff", "not-staff"])
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", DASHBOARD), ("get", EDIT), ("get", IPT_QUOTE), ("post", EDIT), ("post", IPT_QUOTE)],
)
def test_it_answers_not_found_to_an_account_without_a_listing(
    client, seeded, is_staff, method, url
):
    user = User.objects.create_user("no.listing@example.org", is_staff=is_staff)
    client.force_login(user)
    before = quotes()

    response = getattr(client, method)(url, quote_form())

    assert response.status_code == 404
    assert quotes() == before


# Cross-site request forgery


@pytest.fixture
def csrf_client(steven):
    client = Client(enforce_csrf_checks=True)
    client.force_login(steven.user)
    return client


@pytest.mark.parametrize(
    ("url", "data"), [(EDIT, profile_form()), (IPT_QUOTE, quote_form())], ids=["edit", "quote"]
)
def test_it_refuses_a_post_without_the_csrf_token(csrf_client, url, data):
    before = listing(1), quotes()

    response = csrf_client.post(url, data)

    assert response.status_code == 403
    assert (listing(1), quotes()) == before


def test_it_accepts_the_same_post_with_the_csrf_token_of_the_form(csrf_client):
    csrf_client.get(EDIT)
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(EDIT, profile_form(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert listing(1)["headline"] == "A new fictional headline, saved by Steven."


def test_it_puts_a_csrf_token_in_the_sign_in_form(client, db):
    response = client.get("/accounts/login/")

    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


# Reviewing quotes


def test_it_sends_a_therapist_to_the_admin_sign_in_instead_of_the_review_queue(as_steven):
    quote = pending_quote_of_steven()
    before = quotes()

    response = as_steven.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={QUEUE}"
    response = as_steven.post(QUEUE, {"action": "approve", "_selected_action": [quote.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert quotes() == before


def test_it_shows_the_queue_but_approves_nothing_for_staff_without_the_review_permission(
    client, steven
):
    quote = pending_quote_of_steven()
    client.force_login(staff("fictional.viewer", "view_pendingquote"))
    before = quotes()

    response = client.get(QUEUE)

    assert response.status_code == 200
    text = page_text(response)
    assert "A fictional draft waiting for review." in text
    assert "Approve: make the drafts live" not in text
    response = client.post(QUEUE, {"action": "approve", "_selected_action": [quote.pk]})
    assert response.status_code in (200, 403)
    assert quotes() == before


def test_it_lets_staff_with_the_review_permission_approve(client, steven):
    quote = pending_quote_of_steven()
    reviewer = staff("fictional.reviewer", "view_pendingquote", "review_quote")
    client.force_login(reviewer)
    # The queue page tells the action which draft the reviewer read (tests/test_stale_approval.py).
    seen = {f"seen_draft_{quote.pk}": quote.draft_version}

    response = client.post(QUEUE, {"action": "approve", "_selected_action": [quote.pk], **seen})

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.text == "A fictional draft waiting for review."
    assert quote.draft_status == Quote.DraftStatus.NONE
    assert quote.reviewed_by == reviewer

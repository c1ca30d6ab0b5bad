"""Therapists' accounts end to end: signing in and out, passwords, and invitations."""

import re
from io import StringIO
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import make_therapist, page_text
from therapists.models import Therapist

EMAIL = "robin.sample@example.org"
PASSWORD = "quiet-harbour-lantern-42"
NEW_PASSWORD = "orchard-compass-ribbon-77"
THERAPIST_CHANGELIST = "/admin/therapists/therapist/"


def make_account(email=EMAIL, password=PASSWORD, name="Fictional Robin Sample"):
    """A fictional therapist's listing with an account named by its email, as invited."""
    user = get_user_model().objects.create_user(email, email, password)
    make_therapist(name, user=user)
    return user


def sign_in(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def is_signed_in(client):
    return "_auth_user_id" in client.session


def link_in(message):
    """The path of the one link in an email."""
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, links
    return urlsplit(links[0]).path


def choose_password(client, path, password):
    """Opens an emailed link and chooses a password on the page it leads to."""
    response = client.get(path, follow=True)
    [(form_url, status)] = response.redirect_chain
    assert status == 302
    assert form_url.endswith("/set-password/")
    assert response.context["validlink"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reset/done/"


def invite_from_admin(client, therapist, email):
    """Confirms the admin's invitation action for one therapist; returns the page after."""
    return client.post(
        THERAPIST_CHANGELIST,
        {
            "action": "send_invitation",
            "_selected_action": [therapist.pk],
            "confirm": "1",
            f"email_{therapist.pk}": email,
        },
        follow=True,
    )


def messages_on(response, lower=False):
    """(level, text) of each message on the page; lower=True ignores letter case."""
    return [
        (message.level_tag, str(message).lower() if lower else str(message))
        for message in response.context["messages"]
    ]


def accounts_with_email(email):
    return get_user_model().objects.filter(email__iexact=email)


# Signing in and out


@pytest.mark.parametrize(
    "typed",
    [EMAIL, "Robin.Sample@Example.org", "ROBIN.SAMPLE@EXAMPLE.ORG", f"  {EMAIL} "],
    ids=["lower", "mixed", "upper", "spaces"],
)
def test_it_signs_a_therapist_in_with_their_email_in_any_letter_case(client, db, typed):
    make_account()

    response = sign_in(client, typed, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert "Signed in for Fictional Robin Sample." in page_text(client.get("/profile/"))


def test_it_refuses_a_wrong_password_with_an_error_and_starts_no_session(client, db):
    make_account()

    response = sign_in(client, EMAIL, "not-the-password")

    assert response.status_code == 200
    text = page_text(response)
    assert "Please correct the following" in text
    assert "That email address and password do not match an account." in text
    assert not is_signed_in(client)
    assert client.get("/profile/")["Location"] == "/accounts/login/?next=/profile/"


def test_it_names_the_email_address_not_a_username_when_sign_in_fails(client, db):
    make_account()

    response = sign_in(client, EMAIL, "not-the-password")

    [error] = response.context["form"].non_field_errors()
    # The form asks for an email address, and its letter case does not matter.
    assert "email address" in error
    assert "username" not in error


def test_it_signs_out_only_by_post_and_then_asks_to_sign_in_again(client, db):
    make_account()
    sign_in(client, EMAIL, PASSWORD)

    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not is_signed_in(client)
    assert client.get("/profile/")["Location"] == "/accounts/login/?next=/profile/"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "url", ["/profile/", "/profile/edit/", "/profile/quotes/interpersonal-therapy/"]
)
def test_it_sends_an_anonymous_visitor_to_sign_in_first(client, seeded, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"


# Passwords


def test_it_emails_a_reset_link_that_sets_a_new_password(client, db, mailoutbox):
    make_account()

    response = client.post("/accounts/password_reset/", {"email": "Robin.Sample@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    [message] = mailoutbox
    assert message.to == [EMAIL]
    choose_password(client, link_in(message), NEW_PASSWORD)
    assert sign_in(Client(), EMAIL, PASSWORD).status_code == 200
    assert sign_in(client, EMAIL, NEW_PASSWORD).get("Location") == "/profile/"


def test_it_does_not_reveal_whether_an_address_has_an_account(client, db, mailoutbox):
    make_account()

    unknown = client.post(
        "/accounts/password_reset/", {"email": "nobody.here@example.org"}, follow=True
    )

    assert mailoutbox == []
    known = Client().post("/accounts/password_reset/", {"email": EMAIL}, follow=True)
    assert len(mailoutbox) == 1
    assert (
        unknown.redirect_chain == known.redirect_chain == [("/accounts/password_reset/done/", 302)]
    )
    assert page_text(unknown) == page_text(known)
    assert "If an account uses that address" in page_text(unknown)


def test_it_changes_the_password_of_a_signed_in_therapist(client, db):
    make_account()
    sign_in(client, EMAIL, PASSWORD)
    assert client.get("/accounts/password_change/").status_code == 200

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/password_change/done/", 302)]
    assert "Password changed" in page_text(response)
    # Changing the password keeps this session signed in.
    assert client.get("/profile/").status_code == 200
    assert sign_in(Client(), EMAIL, PASSWORD).status_code == 200
    assert sign_in(Client(), EMAIL, NEW_PASSWORD).get("Location") == "/profile/"


# Invitations


def test_it_asks_for_an_email_per_therapist_before_inviting(admin_client, seeded, mailoutbox):
    response = admin_client.post(
        THERAPIST_CHANGELIST, {"action": "send_invitation", "_selected_action": [1, 2]}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email_1"' in body
    assert 'name="email_2"' in body
    text = page_text(response)
    assert "Email for Steven Su" in text
    assert "Email for Jennie Wang-Hall" in text
    assert mailoutbox == []
    assert not Therapist.objects.filter(user__isnull=False).exists()


def test_it_invites_a_therapist_who_then_sets_a_password_and_signs_in(
    admin_client, seeded, mailoutbox
):
    response = invite_from_admin(admin_client, Therapist.objects.get(pk=1), "Steven.Su@Example.org")

    assert response.status_code == 200
    assert messages_on(response, lower=True) == [
        ("info", "invitation sent to steven.su@example.org.")
    ]
    [user] = accounts_with_email("steven.su@example.org")
    assert user.email == user.username == "steven.su@example.org"
    assert Therapist.objects.get(pk=1).user == user
    [message] = mailoutbox
    assert message.to == ["steven.su@example.org"]
    assert "Hello Steven Su" in message.body
    therapist = Client()
    choose_password(therapist, link_in(message), NEW_PASSWORD)
    assert sign_in(therapist, "steven.su@example.org", NEW_PASSWORD).get("Location") == "/profile/"
    assert "Signed in for Steven Su." in page_text(therapist.get("/profile/"))


def test_it_refuses_to_give_one_account_to_a_second_listing(admin_client, seeded, mailoutbox):
    invite_from_admin(admin_client, Therapist.objects.get(pk=1), "steven.su@example.org")

    response = invite_from_admin(admin_client, Therapist.objects.get(pk=2), "STEVEN.SU@example.org")

    error = "steven.su@example.org already has the account of Steven Su."
    assert messages_on(response) == [("error", error)]
    # The admin capitalises the first letter of a message.
    assert error.lower() in page_text(response).lower()
    assert Therapist.objects.get(pk=2).user is None
    assert Therapist.objects.get(pk=1).user.email == "steven.su@example.org"
    assert accounts_with_email("steven.su@example.org").count() == 1
    assert len(mailoutbox) == 1


def test_it_sends_a_fresh_link_to_the_same_account_when_inviting_again(
    admin_client, seeded, mailoutbox
):
    steven = Therapist.objects.get(pk=1)
    invite_from_admin(admin_client, steven, "steven.su@example.org")
    first_user = Therapist.objects.get(pk=1).user

    response = invite_from_admin(admin_client, steven, "steven.su@example.org")

    assert messages_on(response) == [("info", "Invitation sent to steven.su@example.org.")]
    assert Therapist.objects.get(pk=1).user == first_user
    assert accounts_with_email("steven.su@example.org").count() == 1
    assert [m.to for m in mailoutbox] == [["steven.su@example.org"]] * 2
    therapist = Client()
    choose_password(therapist, link_in(mailoutbox[1]), NEW_PASSWORD)
    assert sign_in(therapist, "steven.su@example.org", NEW_PASSWORD).get("Location") == "/profile/"


def test_it_lets_a_therapist_re_invited_at_a_new_address_sign_in_with_it(
    admin_client, seeded, mailoutbox
):
    steven = Therapist.objects.get(pk=1)
    invite_from_admin(admin_client, steven, "steven.su@example.org")

    invite_from_admin(admin_client, steven, "s.su.new@example.org")

    assert mailoutbox[1].to == ["s.su.new@example.org"]
    assert "You sign in with this email address: s.su.new@example.org" in mailoutbox[1].body
    therapist = Client()
    choose_password(therapist, link_in(mailoutbox[1]), NEW_PASSWORD)
    assert sign_in(therapist, "s.su.new@example.org", NEW_PASSWORD).get("Location") == "/profile/"


def test_it_sends_a_new_link_to_an_invitee_who_asks_for_one(client, seeded, mailoutbox):
    # An invitation link expires; its page then says to ask for a new link, here.
    call_command("invite_therapist", "steven-su", "steven.su@example.org", stdout=StringIO())

    client.post("/accounts/password_reset/", {"email": "steven.su@example.org"})

    assert [m.to for m in mailoutbox] == [["steven.su@example.org"]] * 2
    choose_password(client, link_in(mailoutbox[1]), NEW_PASSWORD)
    assert sign_in(Client(), "steven.su@example.org", NEW_PASSWORD).get("Location") == "/profile/"


def test_it_invites_from_the_command_line_by_slug(client, seeded, mailoutbox):
    out = StringIO()

    call_command("invite_therapist", "jennie-wang-hall", "Jennie@Example.org", stdout=out)

    jennie = Therapist.objects.select_related("user").get(slug="jennie-wang-hall")
    assert jennie.user.email == jennie.user.username == "jennie@example.org"
    assert "Invitation sent to jennie@example.org for Jennie Wang-Hall." in out.getvalue()
    [message] = mailoutbox
    assert message.to == ["jennie@example.org"]
    assert "Hello Jennie Wang-Hall" in message.body
    choose_password(client, link_in(message), NEW_PASSWORD)
    assert sign_in(client, "Jennie@Example.org", NEW_PASSWORD).get("Location") == "/profile/"


def test_it_names_an_unknown_slug_on_the_command_line(seeded, mailoutbox):
    with pytest.raises(CommandError, match=r"^No listing has the slug 'no-such-listing'\.$"):
        call_command("invite_therapist", "no-such-listing", "nobody.here@example.org")

    assert mailoutbox == []
    assert not accounts_with_email("nobody.here@example.org").exists()


@pytest.mark.parametrize(
    "address",
    ["eve@example.org\nBcc: mallory@example.net", "eve@example.org>, attacker@example.net"],
    ids=["header", "two-addresses"],
)
def test_it_refuses_an_invitation_address_that_is_not_one_plain_address(
    seeded, mailoutbox, address
):
    with pytest.raises(CommandError, match="is not a single email address") as error:
        call_command("invite_therapist", "steven-su", address, stdout=StringIO())

    assert error.value.returncode != 0  # what manage.py exits with
    assert mailoutbox == []
    assert not get_user_model().objects.exists()
    assert Therapist.objects.get(slug="steven-su").user is None

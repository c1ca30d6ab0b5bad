"""An invitation never hands a staff account, or another listing's, to whoever is invited.

The first test is the attack as it was found: a staff member who may only change
therapists, working over real HTTP against the live server.
"""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import make_therapist, page_text
from tests.test_accounts import (
    accounts_with_email,
    choose_password,
    invite_from_admin,
    link_in,
    messages_on,
    sign_in,
)
from therapists.models import Therapist

ROOT_EMAIL = "site.admin@example.org"
ROOT_PASSWORD = "granite-meadow-falcon-19"
STAFF_EMAIL = "mallory.staff@example.org"
STAFF_PASSWORD = "copper-willow-signal-83"
ATTACKER_PASSWORD = "taken-over-lantern-55"
ATTACKER_MAILBOX = "mallory.private@example.org"  # the curator's own, outside the site
THERAPIST_EMAIL = "robin.sample@example.org"
THERAPIST_PASSWORD = "quiet-harbour-lantern-42"


@pytest.fixture
def root(db):
    """The site's superuser, created as `createsuperuser` does."""
    return get_user_model().objects.create_superuser("site.admin", ROOT_EMAIL, ROOT_PASSWORD)


@pytest.fixture
def curator(db):
    """A staff member who may view and change therapists, and nothing else."""
    user = get_user_model().objects.create_user(
        STAFF_EMAIL, STAFF_EMAIL, STAFF_PASSWORD, is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="therapists",
            codename__in=["view_therapist", "change_therapist"],
        )
    )
    return user


@pytest.fixture
def listing(db):
    return make_therapist("Fictional Robin Sample")


def active_therapist(therapist, email=THERAPIST_EMAIL):
    """Links an account that has chosen a password, as after a used invitation."""
    user = get_user_model().objects.create_user(email, email, THERAPIST_PASSWORD)
    therapist.user = user
    therapist.save(update_fields=["user"])
    return user


def unchanged(user):
    """The account still has its address, sign-in name and password."""
    fresh = get_user_model().objects.get(pk=user.pk)
    return (fresh.email, fresh.username, fresh.password) == (
        user.email,
        user.username,
        user.password,
    )


# Real HTTP: a cookie jar, and forms sent as a browser sends them.


class LocalhostIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Browsers send Secure cookies to http://localhost, a secure context; so does this."""

    def return_ok_secure(self, cookie, request):
        return True


class FormParser(HTMLParser):
    """Every <form> on a page: its id and the (name, value) pairs a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("id"), []))
        if not self.forms or "disabled" in attrs:
            return
        fields = self.forms[-1][1]
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and attrs.get("name"):
            self.select = (attrs["name"], "multiple" in attrs, [])
        elif tag == "option" and self.select is not None:
            self.select[2].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None:
            name, multiple, options = self.select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]  # a browser sends a single select's first option
            self.forms[-1][1].extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.forms[-1][1].append((name, text.removeprefix("\n")))
            self.textarea = None


def form_fields(page, form_id=None):
    """The fields of the page's form with that id (or of its last form), as shown."""
    parser = FormParser()
    parser.feed(page)
    return next(
        fields for id_, fields in reversed(parser.forms) if form_id is None or id_ == form_id
    )


class WebSession:
    """One visitor of the live server: cookies kept, redirects followed."""

    def __init__(self, base_url):
        self.base_url = base_url
        jar = http.cookiejar.CookieJar(policy=LocalhostIsSecure())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def open(self, path, data=None):
        """(status, final path, page) of a GET, or of a POST of (name, value) pairs."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, body, timeout=30) as response:
                status, url, page = response.status, response.url, response.read()
        except urllib.error.HTTPError as error:
            status, url, page = error.code, error.url, error.read()
        return status, urllib.parse.urlsplit(url).path, page.decode()

    def form(self, path, form_id=None):
        status, _, page = self.open(path)
        assert status == 200, (path, status)
        return form_fields(page, form_id)

    def submit(self, path, changes=(), form_id=None):
        """Sends the form on that page, with some fields replaced (or added, if forged)."""
        changes = dict(changes)
        fields = [(name, value) for name, value in self.form(path, form_id) if name not in changes]
        return self.open(path, fields + list(changes.items()))

    def sign_in_to_admin(self, username, password):
        return self.submit("/admin/login/", {"username": username, "password": password})


def test_it_refuses_the_admin_takeover_of_the_superuser_over_http(
    live_server, transactional_db, root, curator, listing, mailoutbox
):
    root = get_user_model().objects.get(pk=root.pk)
    attacker = WebSession(live_server.url)
    status, path, _ = attacker.sign_in_to_admin(STAFF_EMAIL, STAFF_PASSWORD)
    assert (status, path) == (200, "/admin/")
    change_page = reverse("admin:therapists_therapist_change", args=[listing.pk])

    # 1. Point the listing's account at the superuser.
    attacker.submit(change_page, {"user": str(root.pk), "_save": "Save"}, "therapist_form")

    # 2. Invite the listing at the attacker's own address.
    attacker.submit(
        reverse("admin:therapists_therapist_changelist"),
        {
            "action": "send_invitation",
            "_selected_action": str(listing.pk),
            "confirm": "1",
            f"email_{listing.pk}": ATTACKER_MAILBOX,
        },
        "changelist-form",
    )

    # 3. Use whatever link reached the attacker's mailbox, then sign in with it.
    for message in mailoutbox:
        if message.to == [ATTACKER_MAILBOX]:
            # The link redirects to the set-password form.
            _, form_path, _ = attacker.open(link_in(message))
            attacker.submit(
                form_path,
                {"new_password1": ATTACKER_PASSWORD, "new_password2": ATTACKER_PASSWORD},
            )
    as_root = WebSession(live_server.url)
    as_root.sign_in_to_admin(ATTACKER_MAILBOX, ATTACKER_PASSWORD)
    status, path, _ = as_root.open("/admin/auth/user/")

    assert path != "/admin/auth/user/" or status != 200
    assert unchanged(root)
    # The invitation may only have made the listing an account of its own, not staff's.
    linked = Therapist.objects.get(pk=listing.pk).user
    assert linked is None or not (linked.is_staff or linked.is_superuser)


def test_it_never_renames_a_staff_account_already_on_a_listing(
    admin_client, root, listing, mailoutbox
):
    # As a superuser could link one before the admin refused it.
    listing.user = root
    listing.save(update_fields=["user"])

    response = invite_from_admin(admin_client, listing, STAFF_EMAIL)

    [(level, text)] = messages_on(response)
    assert level == "error"
    assert "staff" in text
    assert unchanged(root)
    assert mailoutbox == []


def test_it_never_links_a_listing_to_the_superuser_by_their_address(
    admin_client, root, listing, mailoutbox
):
    first = invite_from_admin(admin_client, listing, ROOT_EMAIL)

    assert messages_on(first)[0][0] == "error"
    assert Therapist.objects.get(pk=listing.pk).user is None

    # The second step of the route: inviting again at another address.
    invite_from_admin(admin_client, Therapist.objects.get(pk=listing.pk), "eve@example.org")

    assert unchanged(root)
    [message] = mailoutbox
    assert message.to == ["eve@example.org"]
    assert Therapist.objects.get(pk=listing.pk).user.email == "eve@example.org"
    assert Therapist.objects.get(pk=listing.pk).user != root


def test_it_never_links_a_listing_to_a_staff_members_own_address(
    client, curator, listing, mailoutbox
):
    client.force_login(curator)

    response = invite_from_admin(client, listing, STAFF_EMAIL)

    assert messages_on(response)[0][0] == "error"
    assert Therapist.objects.get(pk=listing.pk).user is None
    assert unchanged(curator)
    assert mailoutbox == []


def test_it_refuses_an_account_linked_to_another_listing(admin_client, listing, mailoutbox):
    other = make_therapist("Fictional Sam Other")
    sam = active_therapist(other, "sam.other@example.org")

    response = invite_from_admin(admin_client, listing, "Sam.Other@example.org")

    [(level, text)] = messages_on(response)
    assert level == "error"
    assert "Fictional Sam Other" in text
    assert Therapist.objects.get(pk=listing.pk).user is None
    assert Therapist.objects.get(pk=other.pk).user == sam
    assert unchanged(sam)
    assert mailoutbox == []


def test_it_refuses_to_readdress_an_active_therapist_from_the_command_without_confirmation(
    listing, mailoutbox
):
    robin = active_therapist(listing)

    with pytest.raises(CommandError, match="--change-address"):
        call_command("invite_therapist", listing.slug, "other@example.org", stdout=StringIO())

    assert unchanged(robin)
    assert mailoutbox == []
    assert sign_in(Client(), THERAPIST_EMAIL, THERAPIST_PASSWORD).status_code == 302


def test_it_readdresses_an_active_therapist_when_confirmed_and_tells_the_old_address(
    client, listing, mailoutbox
):
    robin = active_therapist(listing)
    out = StringIO()

    call_command(
        "invite_therapist", listing.slug, "Robin.New@example.org", "--change-address", stdout=out
    )

    robin.refresh_from_db()
    assert robin.email == robin.username == "robin.new@example.org"
    assert "Invitation sent to robin.new@example.org" in out.getvalue()
    notice, invitation = mailoutbox
    assert notice.to == [THERAPIST_EMAIL]
    assert "robin.new@example.org" in notice.body
    assert not re.search(r"https?://\S+/reset/", notice.body)
    assert invitation.to == ["robin.new@example.org"]
    choose_password(client, link_in(invitation), "a-fresh-fictional-passphrase")
    assert (
        sign_in(client, "robin.new@example.org", "a-fresh-fictional-passphrase").status_code == 302
    )


def test_it_asks_the_admin_to_confirm_readdressing_an_active_therapist(
    admin_client, listing, mailoutbox
):
    robin = active_therapist(listing)

    # Sent without the confirmation: the action's page again, the address kept, the box
    # asked for, nothing changed.
    page = admin_client.post(
        reverse("admin:therapists_therapist_changelist"),
        {
            "action": "send_invitation",
            "_selected_action": [listing.pk],
            "confirm": "1",
            f"email_{listing.pk}": "other@example.org",
        },
    )
    assert page.status_code == 200
    assert f'name="change_address_{listing.pk}"' in page.content.decode()
    assert 'value="other@example.org"' in page.content.decode()
    assert "Tick this box to move their sign-in" in page_text(page)
    assert unchanged(robin)
    assert mailoutbox == []

    confirmed = admin_client.post(
        reverse("admin:therapists_therapist_changelist"),
        {
            "action": "send_invitation",
            "_selected_action": [listing.pk],
            "confirm": "1",
            f"email_{listing.pk}": "other@example.org",
            f"change_address_{listing.pk}": "on",
        },
        follow=True,
    )

    assert messages_on(confirmed) == [("info", "Invitation sent to other@example.org.")]
    assert [m.to for m in mailoutbox] == [[THERAPIST_EMAIL], ["other@example.org"]]
    assert accounts_with_email("other@example.org").get() == robin


# The admin's account field


def test_it_shows_the_account_field_read_only_to_staff_who_are_not_superusers(
    client, admin_client, curator, listing
):
    change_page = reverse("admin:therapists_therapist_change", args=[listing.pk])
    client.force_login(curator)

    assert 'name="user"' not in client.get(change_page).content.decode()
    assert 'name="user"' in admin_client.get(change_page).content.decode()


def test_it_suggests_only_accounts_that_are_not_staff(admin_client, root, curator, listing):
    robin = get_user_model().objects.create_user(THERAPIST_EMAIL, THERAPIST_EMAIL)
    page = admin_client.get(reverse("admin:therapists_therapist_change", args=[listing.pk]))
    [url] = re.findall(r'<select name="user"[^>]*data-ajax--url="([^"]+)"', page.content.decode())

    response = admin_client.get(
        url,
        {
            "app_label": "therapists",
            "model_name": "therapist",
            "field_name": "user",
            "term": "example.org",
        },
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(robin.pk)]


def test_it_refuses_a_forged_staff_account_on_save_with_a_clear_error(
    admin_client, root, curator, listing
):
    change_page = reverse("admin:therapists_therapist_change", args=[listing.pk])
    fields = form_fields(admin_client.get(change_page).content.decode(), "therapist_form")
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    data.update({"user": [curator.pk], "_save": ["Save"]})

    response = admin_client.post(change_page, data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["user"]
    assert "staff" in error
    assert Therapist.objects.get(pk=listing.pk).user is None

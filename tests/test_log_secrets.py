"""No signed link, token or payload in any log line: every flow that signs in or acts
through an emailed link is walked over real HTTP, with every logger at DEBUG (Django's SQL
log included) writing through the site's LOGGING handlers, and the whole output searched.
Every name and address here is fictional."""

import copy
import io
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from django.utils.log import configure_logging

from tests.conftest import make_city, make_credential, make_modality, make_therapist
from tests.live_http import Browser
from therapists.accepting import send_reminders
from therapists.invitations import invite
from therapists.models import License

PASSWORD = "a-long-enough-fictional-passphrase"
NEW_PASSWORD = "another-long-fictional-passphrase"


@pytest.fixture
def log(settings):
    """Everything every logger writes, at DEBUG, through settings.LOGGING's handlers."""
    settings.CONTACT_FORM_MIN_SECONDS = 0
    settings.DEBUG = True  # Django's SQL log: every query, its values filled in
    output = io.StringIO()
    config = copy.deepcopy(django_settings.LOGGING)
    for handler in config["handlers"].values():
        handler["stream"] = output
    config["root"]["level"] = "DEBUG"
    for logger in config["loggers"].values():
        logger["level"] = "DEBUG"
    configure_logging(django_settings.LOGGING_CONFIG, config)
    yield output
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)


def link_in(message, path):
    return re.search(rf"https://directory\.example\.org({path}\S*/)", message.body)[1]


def secrets_of(link, prefix):
    """The link's secret segments, and each part of a signed one (payload, date, signature)."""
    segments = link.removeprefix(prefix).strip("/").split("/")
    parts = [part for segment in segments for part in segment.split(":") if len(part) >= 6]
    return [f"/{segment}/" for segment in segments] + parts


def join(browser):
    city = make_city("Los Angeles", "CA")
    modality = make_modality("Interpersonal Therapy", "IPT")
    page = browser.get("/join/")
    status, _, _ = browser.submit(
        "/join/",
        page,
        having="license_number",
        display_name="Noa Fictional",
        email="noa.joiner@example.org",
        credential=str(make_credential().pk),
        license_state="CA",
        license_number="LMFT 12345",
        city=str(city.pk),
        modalities=[str(modality.pk)],
    )
    assert status == 302, status
    link = link_in(mail.outbox[-1], "/join/confirm/")
    page = browser.get(link)
    status, _, _ = browser.submit(
        link, page, having="new_password1", new_password1=PASSWORD, new_password2=PASSWORD
    )
    assert status == 302
    return secrets_of(link, "/join/confirm/")


def claim(browser):
    therapist = make_therapist("Ada Fictional", contact_email="ada.office@example.org")
    License.objects.filter(therapist=therapist).update(number="CA-LMFT 0042")
    path = f"/therapists/{therapist.slug}/claim/"
    page = browser.get(path)
    status, _, _ = browser.submit(
        path, page, having="email", email="ada.claimant@example.org", proof="link"
    )
    assert status == 302
    link = link_in(mail.outbox[-1], f"{path}confirm/")
    status, _, _ = browser.submit(link, browser.get(link), having="csrfmiddlewaretoken")
    assert status == 302
    return secrets_of(link, f"{path}confirm/")


def set_password(browser, link):
    """Follows a set-password link (a reset or an invitation) and chooses a password."""
    status, location, _ = browser.open(link)
    assert status == 302 and location.endswith("/set-password/"), (status, location)
    page = browser.get(location)
    status, _, _ = browser.submit(
        location,
        page,
        having="new_password1",
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD,
    )
    assert status == 302
    return secrets_of(link, "/accounts/reset/")


def reset(browser):
    User.objects.create_user("bo.reset@example.org", "bo.reset@example.org", PASSWORD)
    page = browser.get("/accounts/password_reset/")
    status, _, _ = browser.submit(
        "/accounts/password_reset/", page, having="email", email="bo.reset@example.org"
    )
    assert status == 302
    secrets = set_password(browser, link_in(mail.outbox[-1], "/accounts/reset/"))
    browser.sign_in("/accounts/login/", "bo.reset@example.org", NEW_PASSWORD)
    return secrets


def invitation(browser):
    therapist = make_therapist("Cy Fictional")
    invite(therapist, "cy.invited@example.org")
    return set_password(browser, link_in(mail.outbox[-1], "/accounts/reset/"))


def accepting_reminder(browser):
    therapist = make_therapist(
        "Di Fictional",
        accepting_new_clients=True,
        accepting_confirmed_on=timezone.localdate() - timedelta(days=90),
    )
    therapist.user = User.objects.create_user("di@example.org", "di@example.org", PASSWORD)
    therapist.save()
    send_reminders()
    link = link_in(mail.outbox[-1], "/profile/accepting/")
    browser.sign_in("/accounts/login/", "di@example.org", PASSWORD)
    assert browser.open(link)[0] == 200
    return secrets_of(link, "/profile/accepting/")


def test_item_6_no_signed_link_token_or_payload_reaches_any_log(live_server, transactional_db, log):
    secrets = []
    for flow in (join, claim, reset, invitation, accepting_reminder):
        secrets += flow(Browser(live_server.url))
    # Links altered or used again: refused, and so logged by django.request with their path.
    stranger = Browser(live_server.url)
    for link in ["/join/confirm/", "/profile/accepting/"]:
        forged = f"{link}eyJuYW1lIjoiTm9hIn0:1vXyZa:{'A' * 43}/"
        assert stranger.open(forged)[0] == 400
        secrets += secrets_of(forged, link)
    written = log.getvalue()
    # What the loggers said is there, secrets hidden: sign-ins, refusals, the SQL.
    assert "AXES: Successful login by" in written
    assert "Bad Request: /join/confirm/" in written
    assert "Bad Request: /profile/accepting/" in written
    assert 'INSERT INTO "django_session"' in written
    leaked = [secret for secret in secrets if secret in written]
    assert not leaked

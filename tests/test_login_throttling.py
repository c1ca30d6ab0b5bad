"""Guessing passwords: five failed sign-ins for one account, or from one address, pause
signing in there for 15 minutes, on the therapists' form and the admin's alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client

from tests.conftest import page_text

EMAIL = "robin.sample@example.org"
PASSWORD = "quiet-harbour-lantern-42"
OTHER_EMAIL = "alex.example@example.org"
STAFF = "curator@example.org"
ATTACKER = "198.51.100.66"
ELSEWHERE = "203.0.113.20"
PAUSED = "Too many failed sign-ins"


@pytest.fixture
def accounts(db):
    users = get_user_model().objects
    users.create_user(EMAIL, EMAIL, PASSWORD)
    users.create_user(OTHER_EMAIL, OTHER_EMAIL, PASSWORD)
    users.create_superuser(STAFF, STAFF, PASSWORD)


def sign_in(email, password, ip=ATTACKER, path="/accounts/login/", client=None, **headers):
    client = client or Client()
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip, **headers)


def fail(times, email=EMAIL, ip=ATTACKER, **kwargs):
    return [sign_in(email, "not-the-password", ip, **kwargs) for _ in range(times)]


def signed_in(response):
    return response.status_code == 302


def assert_paused(response, minutes=15):
    assert response.status_code == 429
    text = page_text(response)
    assert PAUSED in text
    assert f"Please try again in {minutes} minutes." in text
    assert "Reset your password" in text
    assert 'href="/accounts/password_reset/"' in response.content.decode()


def wait(minutes):
    """Moves every recorded failure into the past, as if the time had gone by."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_it_pauses_an_account_after_five_wrong_passwords(accounts):
    *refused, fifth = fail(5)

    assert [r.status_code for r in refused] == [200] * 4
    assert "do not match an account" in page_text(refused[0])
    assert_paused(fifth)
    # Even the right password is refused now, and no session starts.
    right = sign_in(EMAIL, PASSWORD)
    assert_paused(right)
    assert "sessionid" not in right.cookies


def test_it_pauses_that_account_from_every_address_but_not_other_accounts(accounts):
    fail(5)

    assert_paused(sign_in(EMAIL, PASSWORD, ip=ELSEWHERE))
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD, ip=ELSEWHERE))


def test_it_pauses_an_address_that_tries_many_accounts(accounts):
    for n in range(4):
        fail(1, email=f"guess{n}@example.org")
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD))  # four failures: not yet

    assert_paused(fail(1, email="guess4@example.org")[0])

    assert_paused(sign_in(OTHER_EMAIL, PASSWORD))
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD, ip=ELSEWHERE))


def test_it_lets_the_account_sign_in_once_the_pause_is_over(accounts):
    fail(5)
    wait(14)
    assert_paused(sign_in(EMAIL, PASSWORD))

    wait(2)

    assert signed_in(sign_in(EMAIL, PASSWORD))


def test_it_does_not_restart_the_pause_for_tries_while_paused(accounts):
    fail(5)
    wait(10)
    assert_paused(fail(1)[0])

    wait(6)  # fifteen minutes after the fifth failure

    assert signed_in(sign_in(EMAIL, PASSWORD))


def test_it_names_the_pause_it_is_configured_with(accounts, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)

    assert_paused(fail(5)[-1], minutes=2)


def test_it_forgets_an_accounts_failures_when_it_signs_in(accounts):
    fail(4)
    assert signed_in(sign_in(EMAIL, PASSWORD))

    *refused, fifth = fail(5)

    assert [r.status_code for r in refused] == [200] * 4
    assert_paused(fifth)


def test_it_does_not_forgive_an_address_for_signing_in_to_another_account(accounts):
    # Someone with an account of their own who signs in between guesses at another's.
    fail(4, email=EMAIL)
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD))

    assert_paused(fail(1, email=EMAIL)[0])
    assert_paused(sign_in(EMAIL, PASSWORD, ip=ELSEWHERE))


def test_it_counts_every_letter_case_of_an_email_as_one_account(accounts):
    variants = [
        EMAIL.upper(),
        "Robin.Sample@Example.org",
        f"  {EMAIL} ",
        EMAIL,
        "ROBIN.sample@example.ORG",
    ]
    ips = [f"192.0.2.{n}" for n in range(1, 6)]

    responses = [
        sign_in(email, "not-the-password", ip) for email, ip in zip(variants, ips, strict=True)
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert_paused(sign_in(EMAIL, PASSWORD, ip=ELSEWHERE))


def test_it_pauses_the_admin_sign_in_too(accounts):
    *refused, fifth = fail(5, email=STAFF, path="/admin/login/")

    assert [r.status_code for r in refused] == [200] * 4
    assert_paused(fifth)
    client = Client()
    assert_paused(sign_in(STAFF, PASSWORD, ip=ELSEWHERE, path="/admin/login/", client=client))
    assert client.get("/admin/").status_code == 302  # still asked to sign in


def test_it_counts_the_admin_and_the_site_form_together(accounts):
    fail(3, email=STAFF)
    fail(1, email=STAFF.upper(), path="/admin/login/", ip=ELSEWHERE)

    assert_paused(fail(1, email=STAFF, path="/admin/login/", ip="192.0.2.9")[0])
    assert_paused(sign_in(STAFF, PASSWORD, ip="192.0.2.10"))


def test_it_ignores_forwarded_addresses_without_a_proxy(accounts):
    for n in range(5):
        fail(1, email=f"guess{n}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert_paused(sign_in(OTHER_EMAIL, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_it_counts_the_address_the_proxy_saw_behind_a_proxy(accounts, settings):
    settings.BEHIND_TLS_PROXY = True
    proxy = "10.0.0.2"
    # The client forges the first entry each time; the proxy appends what it saw.
    for n in range(5):
        fail(
            1,
            email=f"guess{n}@example.org",
            ip=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )

    from_attacker = {"ip": proxy, "HTTP_X_FORWARDED_FOR": f"192.0.2.77, {ATTACKER}"}
    assert_paused(sign_in(OTHER_EMAIL, PASSWORD, **from_attacker))
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_it_still_answers_a_reset_for_a_paused_account_as_for_an_unknown_one(accounts, mailoutbox):
    fail(5)

    known = Client().post("/accounts/password_reset/", {"email": EMAIL}, follow=True)
    unknown = Client().post(
        "/accounts/password_reset/", {"email": "nobody.here@example.org"}, follow=True
    )

    assert [m.to for m in mailoutbox] == [[EMAIL]]
    assert known.redirect_chain == unknown.redirect_chain
    assert page_text(known) == page_text(unknown)

"""Guessing passwords: five failed sign-ins for one account from one network (an IPv4
address, an IPv6 /64: kit.clients) pause that account there for 15 minutes, and fifty from
one network, whatever the accounts, pause that network; on the therapists' form and the
admin's alike. The account's owner, from anywhere else, still gets in."""

import ipaddress
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.test import Client

from tests.conftest import page_text
from tests.live_http import Browser

EMAIL = "robin.sample@example.org"
PASSWORD = "quiet-harbour-lantern-42"
OTHER_EMAIL = "alex.example@example.org"
STAFF = "curator@example.org"
ATTACKER = "198.51.100.66"
ELSEWHERE = "203.0.113.20"
PROXY = "10.0.0.2"
PAUSED = "Too many failed sign-ins"
ADDRESS_LIMIT = 50


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


def guess_accounts(times, ip=ATTACKER, **headers):
    """One wrong password for each of `times` accounts that do not exist, from `ip`."""
    return [
        sign_in(f"guess{n}@example.org", "not-the-password", ip, **headers) for n in range(times)
    ]


def trust(settings, *proxies):
    """As TRUSTED_PROXIES=<proxies> would configure the site."""
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(proxy) for proxy in proxies]


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


def counted_addresses():
    return set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_it_pauses_an_account_after_five_wrong_passwords(accounts):
    *refused, fifth = fail(5)

    assert [r.status_code for r in refused] == [200] * 4
    assert "do not match an account" in page_text(refused[0])
    assert_paused(fifth)
    # Even the right password is refused now from that address, and no session starts.
    right = sign_in(EMAIL, PASSWORD)
    assert_paused(right)
    assert "sessionid" not in right.cookies


def test_it_lets_the_owner_in_from_another_address_while_a_guesser_is_paused(accounts):
    fail(8)

    assert_paused(sign_in(EMAIL, PASSWORD))
    assert signed_in(sign_in(EMAIL, PASSWORD, ip=ELSEWHERE))
    # The owner signing in does not forgive the guesser, who may still sign in to others.
    assert_paused(fail(1)[0])
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD))


def test_it_lets_the_superuser_into_the_admin_while_a_guesser_is_paused(accounts):
    fail(8, email=STAFF, path="/admin/login/")
    fail(3, email=STAFF)

    assert_paused(sign_in(STAFF, PASSWORD, path="/admin/login/"))
    client = Client()
    assert signed_in(sign_in(STAFF, PASSWORD, ip=ELSEWHERE, path="/admin/login/", client=client))
    assert client.get("/admin/").status_code == 200


def test_it_pauses_an_address_after_fifty_failures_across_accounts(accounts):
    guess_accounts(ADDRESS_LIMIT - 1)
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD))  # 49 failures: not yet

    assert_paused(fail(1, email="one-more@example.org")[0])

    assert_paused(sign_in(OTHER_EMAIL, PASSWORD))
    assert_paused(sign_in(STAFF, PASSWORD, path="/admin/login/"))
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

    # ... or between guesses at many accounts.
    guess_accounts(ADDRESS_LIMIT - 6)
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD))
    assert_paused(fail(1, email="one-more@example.org")[0])


def test_it_counts_every_letter_case_of_an_email_as_one_account(accounts):
    variants = [
        EMAIL.upper(),
        "Robin.Sample@Example.org",
        f"  {EMAIL} ",
        EMAIL,
        "ROBIN.sample@example.ORG",
    ]

    responses = [sign_in(email, "not-the-password") for email in variants]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert_paused(sign_in(EMAIL, PASSWORD))


def test_it_pauses_the_admin_sign_in_too(accounts):
    *refused, fifth = fail(5, email=STAFF, path="/admin/login/")

    assert [r.status_code for r in refused] == [200] * 4
    assert_paused(fifth)
    client = Client()
    assert_paused(sign_in(STAFF, PASSWORD, path="/admin/login/", client=client))
    assert client.get("/admin/").status_code == 302  # still asked to sign in


def test_it_counts_the_admin_and_the_site_form_together(accounts):
    fail(3, email=STAFF)
    fail(1, email=STAFF.upper(), path="/admin/login/")

    assert_paused(fail(1, email=STAFF, path="/admin/login/")[0])
    assert_paused(sign_in(STAFF, PASSWORD))


def test_it_ignores_forwarded_addresses_without_a_proxy(accounts):
    for n in range(ADDRESS_LIMIT):
        fail(1, email=f"guess{n}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert_paused(sign_in(OTHER_EMAIL, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99"))
    assert counted_addresses() == {ATTACKER}


def test_it_counts_forged_forwarded_addresses_on_the_connection_unless_it_is_a_trusted_proxy(
    accounts, settings
):
    # BEHIND_TLS_PROXY is about X-Forwarded-Proto; it makes no one's X-Forwarded-For true.
    settings.BEHIND_TLS_PROXY = True
    trust(settings, PROXY)
    # The attacker reaches the app port directly and sends a new address each time.
    for n in range(ADDRESS_LIMIT):
        fail(1, email=f"guess{n}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert_paused(sign_in(OTHER_EMAIL, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99"))
    assert counted_addresses() == {ATTACKER}
    assert signed_in(sign_in(OTHER_EMAIL, PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE))


def test_it_counts_the_address_the_proxy_saw_behind_a_trusted_proxy(accounts, settings):
    trust(settings, PROXY)
    # The client forges the first entry each time; the proxy appends what it saw.
    for n in range(5):
        fail(1, ip=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")

    from_attacker = {"ip": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.77, {ATTACKER}"}
    assert_paused(sign_in(EMAIL, PASSWORD, **from_attacker))
    assert signed_in(sign_in(EMAIL, PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE))
    assert counted_addresses() == {ATTACKER}


def test_it_reads_past_every_trusted_proxy_in_a_chain(accounts, settings):
    # A CDN in front of the load balancer: both append, both are trusted.
    trust(settings, "10.0.0.0/8")

    fail(1, ip=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.7, {ATTACKER}, 10.20.30.40")
    fail(1, ip=PROXY, HTTP_X_FORWARDED_FOR="")
    fail(1, ip=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")

    assert counted_addresses() == {ATTACKER, PROXY}


def test_it_refuses_to_start_with_a_trusted_proxy_that_is_not_an_address(monkeypatch):
    from directory.env import envnetworks

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2, 192.0.2.0/24, ::1")
    assert [str(n) for n in envnetworks("TRUSTED_PROXIES")] == [
        "10.0.0.2/32",
        "192.0.2.0/24",
        "::1/128",
    ]

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2, proxy.internal")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        envnetworks("TRUSTED_PROXIES")


def test_it_still_answers_a_reset_for_a_paused_account_as_for_an_unknown_one(accounts, mailoutbox):
    fail(5)

    known = Client().post("/accounts/password_reset/", {"email": EMAIL}, follow=True)
    unknown = Client().post(
        "/accounts/password_reset/", {"email": "nobody.here@example.org"}, follow=True
    )

    assert [m.to for m in mailoutbox] == [[EMAIL]]
    assert known.redirect_chain == unknown.redirect_chain
    assert page_text(known) == page_text(unknown)


def test_it_warns_in_the_deploy_check_behind_a_proxy_with_no_trusted_address(settings):
    from directory.checks import check_trusted_proxies

    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXIES = []
    assert [warning.id for warning in check_trusted_proxies(None)] == ["directory.W002"]
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]
    assert check_trusted_proxies(None) == []
    settings.BEHIND_TLS_PROXY = False
    settings.TRUSTED_PROXIES = []
    assert check_trusted_proxies(None) == []


# Item 5: an IPv6 client is its /64 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "account"),
    [("/accounts/login/", EMAIL), ("/admin/login/", STAFF)],
    ids=["site", "admin"],
)
def test_item_5_guesses_from_eleven_addresses_of_one_64_pause_the_account_for_the_twelfth(
    live_server, transactional_db, settings, path, account
):
    users = get_user_model().objects
    users.create_user(EMAIL, EMAIL, PASSWORD)
    users.create_superuser(STAFF, STAFF, PASSWORD)
    # The live server is reached through a proxy on 127.0.0.1 that names each client.
    trust(settings, "127.0.0.1")

    def browser_at(address):
        browser = Browser(live_server.url)
        browser.opener.addheaders.append(("X-Forwarded-For", address))
        return browser

    for host in range(1, 12):
        guesser = browser_at(f"2001:db8:5:6::{host:x}")
        page = guesser.get(path)
        for _ in range(5):
            guesser.submit(path, page, having="password", username=account, password="not-it")

    twelfth = browser_at("2001:db8:5:6:ffff::c")
    status, _location, html = twelfth.submit(
        path, twelfth.get(path), having="password", username=account, password=PASSWORD
    )

    assert status == 429 and PAUSED in html
    assert counted_addresses() == {"2001:db8:5:6::"}
    # The owner, on another network, still signs in.
    elsewhere = browser_at("2001:db8:5:7::1")
    assert (
        elsewhere.submit(
            path, elsewhere.get(path), having="password", username=account, password=PASSWORD
        )[0]
        == 302
    )


def test_it_counts_an_ipv4_client_seen_through_an_ipv6_socket_as_that_address(accounts):
    fail(3, ip="::ffff:198.51.100.66")
    fail(2)

    assert_paused(sign_in(EMAIL, PASSWORD))
    assert counted_addresses() == {ATTACKER}

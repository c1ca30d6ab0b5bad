"""Claiming an unclaimed listing from its profile ("Is this you?"): proof by a link sent to
the listing's private address, by one of its license numbers, or (a listing with no number)
by a number staff check with the state board; limits against guessing,
and a claim that never links or changes an account (only staff approval does). Every name
and address here is fictional."""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing
from django.test import Client

from tests.conftest import make_therapist, page_links, page_text
from tests.forms import form_on
from tests.test_security import assert_runs_under_the_policy, assert_security_headers
from therapists.models import Application, License, Therapist

CLAIMANT = "ada.claimant@example.org"
PASSWORD = "a-long-enough-fictional-passphrase"


@pytest.fixture(autouse=True)
def quick_form(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 0  # the guard itself is tested with /join/ and contact


@pytest.fixture
def listing(db):
    """Unclaimed, with a private address and a license numbered "CA-LMFT 0042"."""
    therapist = make_therapist("Ada Fictional", contact_email="ada.office@example.org")
    return numbered(therapist, "CA-LMFT 0042")


def numbered(therapist, number="CA-LMFT 0077"):
    """The listing, with a license number a claim by number can be checked against."""
    License.objects.filter(therapist=therapist).update(number=number)
    return therapist


def claim_url(therapist):
    return f"/therapists/{therapist.slug}/claim/"


def send(client, therapist, **chosen):
    page = client.get(claim_url(therapist))
    assert page.status_code == 200
    return form_on(page, method="post").submit(client, claim_url(therapist), **chosen)


def by_number(client, therapist, number, email=CLAIMANT):
    return send(client, therapist, email=email, proof="number", license_number=number)


def link_in(message):
    return re.search(
        r"https://directory\.example\.org(/therapists/\S+/claim/confirm/\S+/)", message.body
    )[1]


# Where a claim starts -------------------------------------------------------------------


def test_an_unclaimed_profile_offers_the_claim_and_a_claimed_or_demo_one_does_not(client, db):
    unclaimed = make_therapist("Ada Fictional")
    claimed = make_therapist("Bo Fictional", user=User.objects.create_user("bo@example.org"))
    demo = make_therapist("Cy Fictional (demo)", is_demo=True)

    assert (claim_url(unclaimed), "Is this you? Claim this listing") in page_links(
        client.get(unclaimed.get_absolute_url())
    )
    for therapist in (claimed, demo):
        assert "Is this you?" not in page_text(client.get(therapist.get_absolute_url()))
    assert client.get(claim_url(demo)).status_code == 404
    unlisted = make_therapist("Di Fictional", is_listed=False)
    assert client.get(claim_url(unlisted)).status_code == 404


def test_it_shows_the_form_with_both_proofs_when_the_listing_has_a_private_address(
    client, listing, django_assert_num_queries
):
    # the listing, with whether a license of it has a number
    with django_assert_num_queries(1):
        response = client.get(claim_url(listing))

    assert response.status_code == 200
    assert set(response.cookies) == {"csrftoken"}
    text = page_text(response)
    assert "Is this you? Claim the listing of Ada Fictional" in text
    assert "Send a link to the listing's private email address" in text
    assert "I give a license number of this listing" in text
    assert "ada.office@example.org" not in text  # the private address stays private


def test_without_a_private_address_only_the_number_is_offered(client, listing):
    Therapist.objects.filter(pk=listing.pk).update(contact_email="")

    page = client.get(claim_url(listing))
    form = form_on(page, method="post")

    assert "private email address" not in page_text(page)
    with pytest.raises(AssertionError, match="cannot make 'proof' send 'link'"):
        form.data(proof="link")
    # the one way offered is chosen already: email and number are enough
    response = form.submit(
        client, claim_url(listing), email=CLAIMANT, license_number="CA-LMFT 0042"
    )
    assert response.redirect_chain == [(f"{claim_url(listing)}sent/", 302)]


def test_an_untouched_form_says_what_to_give(client, listing):
    response = send(client, listing)

    text = page_text(response)
    assert "Your claim is not sent yet" in text
    assert "Give your email address: staff write to you there." in text
    assert "Choose how you show it is your listing." in text
    assert not Application.objects.exists() and not mail.outbox


def test_a_number_chosen_but_not_given_is_asked_for(client, listing):
    response = send(client, listing, email=CLAIMANT, proof="number")

    assert "Give the license number." in page_text(response)
    assert f'value="{CLAIMANT}"' in response.content.decode()
    assert not Application.objects.exists()


def test_a_claimed_listing_refuses_a_claim_with_no_form(client, listing):
    page = client.get(claim_url(listing))
    listing.user = User.objects.create_user("ada@example.org", "ada@example.org")
    listing.save()

    shown = client.get(claim_url(listing))
    late = form_on(page, method="post").submit(
        client, claim_url(listing), email=CLAIMANT, proof="number", license_number="CA-LMFT 0042"
    )

    assert "This listing is already claimed" in page_text(shown)
    assert "<form" not in shown.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert late.status_code == 409
    assert not Application.objects.exists()


# By number ------------------------------------------------------------------------------


def test_a_matching_number_puts_the_claim_before_staff_and_links_nothing(client, listing):
    response = by_number(client, listing, " ca lmft-0042 ", email="Ada.Claimant@Example.ORG")

    assert response.redirect_chain == [(f"{claim_url(listing)}sent/", 302)]
    assert "Your claim waits for staff" in page_text(response)
    assert "we'll email you at the address you gave" in page_text(response)
    application = Application.objects.get()
    assert (application.kind, application.evidence, application.status) == (
        "claim",
        "license_number",
        "pending",
    )
    assert (application.email, application.user, application.therapist) == (CLAIMANT, None, listing)
    listing.refresh_from_db()
    assert listing.user is None
    assert not User.objects.exists()


def test_a_wrong_number_is_refused_clearly(client, listing):
    response = by_number(client, listing, "CA-LMFT 0043")

    assert response.status_code == 200
    assert "This number matches none of this listing's licenses" in page_text(response)
    assert not Application.objects.exists()


def test_a_listing_without_a_license_number_does_not_offer_the_number(client, listing):
    License.objects.filter(therapist=listing).update(number="")
    page = client.get(claim_url(listing))
    form = form_on(page, method="post")

    assert "I give a license number" not in page_text(page)
    with pytest.raises(AssertionError, match="cannot make 'proof' send 'number'"):
        form.data(proof="number")
    # Sent anyway (an old page, a hand-made request): refused, never compared with "".
    response = client.post(
        claim_url(listing), {"email": CLAIMANT, "proof": "number", "license_number": " - "}
    )
    assert "Choose one of the ways offered." in page_text(response)
    assert not Application.objects.exists()


@pytest.fixture
def unnumbered(db):
    """As the seeded listings: no license number, no private address."""
    therapist = make_therapist("Ada Fictional")
    assert not therapist.licenses.exclude(number="").exists() and not therapist.contact_email
    return therapist


def by_number_to_check(client, therapist, email=CLAIMANT, **chosen):
    return send(client, therapist, email=email, **chosen)


def test_a_listing_with_no_license_number_offers_the_number_for_staff_to_check(
    client, unnumbered, django_assert_num_queries
):
    # the listing, with whether a license of it has a number; its licenses (the state
    # chosen at first)
    with django_assert_num_queries(2):
        shown = client.get(claim_url(unnumbered))

    assert shown.status_code == 200
    text = page_text(shown)
    assert (
        "Give your license number: staff check it with your state board before linking "
        "the listing" in text
    )
    assert "This listing cannot be claimed online yet" not in text
    form = form_on(shown, method="post")
    # the one way offered is chosen already, and the state is the listing's
    state = unnumbered.licenses.get().state
    assert ("proof", "to_check") in form.data() and ("license_state", state) in form.data()


def test_the_number_to_check_untouched_or_half_filled_says_what_is_missing(client, unnumbered):
    untouched = send(client, unnumbered)
    half = by_number_to_check(client, unnumbered, license_state="")

    assert "Give your email address: staff write to you there." in page_text(untouched)
    assert "Give the license number." in page_text(untouched)
    assert "Give the license number." in page_text(half)
    assert "Choose the state that issued your license." in page_text(half)
    assert f'value="{CLAIMANT}"' in half.content.decode()
    assert not Application.objects.exists() and not mail.outbox


def test_a_number_to_check_puts_the_claim_before_staff_with_the_number_given(client, unnumbered):
    response = by_number_to_check(
        client, unnumbered, license_state="NY", license_number=" LMHC 123456 "
    )

    assert response.redirect_chain == [(f"{claim_url(unnumbered)}sent/", 302)]
    assert "Your claim waits for staff" in page_text(response)
    application = Application.objects.get()
    assert (application.kind, application.evidence, application.status) == (
        "claim",
        "license_to_check",
        "pending",
    )
    assert (application.license_number, application.license_state) == ("LMHC 123456", "NY")
    assert (application.email, application.user, application.therapist) == (
        CLAIMANT,
        None,
        unnumbered,
    )
    # nothing matched, nothing recorded on the listing before staff approve
    assert not unnumbered.licenses.exclude(number="").exists()
    unnumbered.refresh_from_db()
    assert unnumbered.user is None and not mail.outbox


def test_numbers_to_check_count_as_numbers_tried(client, unnumbered, settings):
    settings.CLAIM_NUMBER_TRIES_PER_ADDRESS = 2
    numbered_listing = numbered(make_therapist("Bo Fictional"))
    by_number(client, numbered_listing, "wrong")
    by_number_to_check(client, unnumbered, license_number="1", email="x@example.org")

    response = by_number_to_check(client, unnumbered, license_number="1")

    assert response.status_code == 429
    assert "as many license numbers have been tried today" in page_text(response)
    assert Application.objects.count() == 1


def test_numbers_to_check_are_limited_per_network_never_per_listing(unnumbered, settings):
    # Nothing is matched at once, so there is nothing to guess; a limit per listing would
    # only let strangers lock the owner out (issue 20, item 9).
    settings.CLAIM_NUMBER_TRIES_PER_LISTING = 1
    settings.CLAIM_NUMBER_TRIES_PER_ADDRESS = 1
    here = Client(REMOTE_ADDR="203.0.113.1")
    by_number_to_check(here, unnumbered, license_number="1")

    again = by_number_to_check(here, unnumbered, license_number="2", email="b@example.org")
    elsewhere = by_number_to_check(
        Client(REMOTE_ADDR="203.0.113.2"), unnumbered, license_number="1", email="c@example.org"
    )

    assert again.status_code == 429
    assert "Your claim waits for staff" in page_text(elsewhere)
    assert Application.objects.count() == 2


def test_numbers_tried_are_limited_per_network(client, listing, settings):
    settings.CLAIM_NUMBER_TRIES_PER_ADDRESS = 2
    other = numbered(make_therapist("Bo Fictional"))
    for number in ("1", "2"):
        by_number(client, listing if number == "1" else other, number)

    # even the right number, once the day's tries are spent
    response = by_number(client, listing, "CA-LMFT 0042")

    assert response.status_code == 429
    assert "as many license numbers have been tried today" in page_text(response)
    assert f'value="{CLAIMANT}"' in response.content.decode()
    assert not Application.objects.exists()


def test_numbers_tried_are_limited_per_listing_whatever_the_network(listing, settings):
    settings.CLAIM_NUMBER_TRIES_PER_LISTING = 2
    for address in ("203.0.113.1", "203.0.113.2"):
        by_number(Client(REMOTE_ADDR=address), listing, "wrong")

    response = by_number(Client(REMOTE_ADDR="203.0.113.3"), listing, "CA-LMFT 0042")

    assert response.status_code == 429
    assert not Application.objects.exists()
    # another listing is not affected
    other = numbered(make_therapist("Bo Fictional"))
    assert by_number(Client(REMOTE_ADDR="203.0.113.3"), other, "x").status_code == 200


def test_a_second_claim_from_the_same_address_says_one_is_waiting(client, listing):
    by_number(client, listing, "CA-LMFT 0042")

    response = by_number(client, listing, "CA-LMFT 0042", email=CLAIMANT.upper())

    assert "already waiting for staff" in page_text(response)
    assert Application.objects.count() == 1
    other = by_number(client, listing, "CA-LMFT 0042", email="someone.else@example.org")
    assert other.redirect_chain and Application.objects.count() == 2


def test_a_claim_at_a_staff_address_changes_no_account(client, listing):
    staff = User.objects.create_user(CLAIMANT, CLAIMANT, PASSWORD, is_staff=True)
    before = User.objects.values().get(pk=staff.pk)

    by_number(client, listing, "CA-LMFT 0042")

    assert User.objects.values().get(pk=staff.pk) == before
    listing.refresh_from_db()
    assert listing.user is None
    assert Application.objects.get().user is None


# By the listing's private address --------------------------------------------------------


def test_a_link_goes_to_the_private_address_and_its_post_puts_the_claim_before_staff(
    client, listing, django_assert_num_queries
):
    response = send(client, listing, email=CLAIMANT, proof="link")

    assert response.redirect_chain == [(f"{claim_url(listing)}link-sent/", 302)]
    assert "Check the listing's email" in page_text(response)
    [message] = mail.outbox
    assert message.to == ["ada.office@example.org"]
    assert CLAIMANT in message.body
    link = link_in(message)

    # the listing, whether a claim from this address waits
    with django_assert_num_queries(2):
        page = client.get(link)
    assert "Confirm that ada.claimant@example.org may manage the listing" in page_text(page)
    assert not Application.objects.exists()  # a GET (a mail scanner's) creates nothing

    confirmed = form_on(page, method="post").submit(client, link)

    assert confirmed.redirect_chain == [(f"{claim_url(listing)}sent/", 302)]
    application = Application.objects.get()
    assert (application.evidence, application.email, application.user) == (
        "listing_address",
        CLAIMANT,
        None,
    )
    listing.refresh_from_db()
    assert listing.user is None

    again = form_on(page, method="post").submit(client, link)
    assert "already waiting for staff" in page_text(again)
    assert Application.objects.count() == 1


def test_links_to_one_listing_are_limited_per_day(client, listing, settings):
    settings.CLAIM_LINKS_PER_LISTING = 1
    send(client, listing, email=CLAIMANT, proof="link")

    response = send(client, listing, email="other@example.org", proof="link")

    assert response.status_code == 429
    assert "as many links to this listing's address today" in page_text(response)
    assert len(mail.outbox) == 1


def test_an_altered_expired_or_foreign_link_is_refused(client, listing, monkeypatch):
    send(client, listing, email=CLAIMANT, proof="link")
    link = link_in(mail.outbox[0])
    other = make_therapist("Bo Fictional")
    foreign = link.replace(listing.slug, other.slug)
    later = time.time() + 3 * 24 * 60 * 60 + 60

    responses = [client.get(link[:-5] + "/"), client.get(foreign)]
    monkeypatch.setattr(signing.time, "time", lambda: later)
    responses += [client.get(link), client.post(link)]
    monkeypatch.undo()

    for response in responses:
        assert response.status_code == 400
        assert "This link does not work" in page_text(response)
    assert not Application.objects.exists()
    # Walked as a newcomer: the page offered "Ask to join again" to someone claiming.
    claim_again = (f"/therapists/{listing.slug}/claim/", f"Claim the listing of {listing} again")
    assert claim_again in [(href, text) for href, text in page_links(responses[0])]
    assert "Ask to join again" not in page_text(responses[0])


def test_a_link_to_a_listing_claimed_meanwhile_says_so(client, listing):
    send(client, listing, email=CLAIMANT, proof="link")
    link = link_in(mail.outbox[0])
    listing.user = User.objects.create_user("ada@example.org", "ada@example.org")
    listing.save()

    response = client.post(link)

    assert "This listing is already claimed" in page_text(response)
    assert not Application.objects.exists()


def test_links_to_listings_from_one_network_are_limited_per_day(listing, settings):
    settings.CLAIM_LINKS_PER_ADDRESS = 1
    other = make_therapist("Bo Fictional", contact_email="bo.office@example.org")
    here = Client(REMOTE_ADDR="203.0.113.7")
    send(here, listing, email=CLAIMANT, proof="link")

    over = send(here, other, email=CLAIMANT, proof="link")
    elsewhere = send(Client(REMOTE_ADDR="198.51.100.4"), other, email=CLAIMANT, proof="link")

    assert over.status_code == 429
    assert "many requests have come from your network" in page_text(over)
    assert elsewhere.redirect_chain
    assert [message.to for message in mail.outbox] == [
        ["ada.office@example.org"],
        ["bo.office@example.org"],
    ]


@pytest.mark.parametrize("path", ["claim/", "claim/sent/", "claim/link-sent/"])
def test_the_claim_pages_send_the_security_headers_and_need_nothing_the_policy_forbids(
    client, listing, path
):
    response = client.get(f"/therapists/{listing.slug}/{path}")

    assert response.status_code == 200
    assert_security_headers(response)
    assert_runs_under_the_policy(response.content.decode())
    assert bool(response.cookies) == (path == "claim/")


def test_a_way_not_offered_is_refused_with_the_form(client, listing):
    Therapist.objects.filter(pk=listing.pk).update(contact_email="")
    page = client.get(claim_url(listing))
    data = dict(form_on(page, method="post").data(email=CLAIMANT))

    response = client.post(claim_url(listing), {**data, "proof": "link"})

    assert response.status_code == 200
    assert "Choose one of the ways offered." in page_text(response)
    assert not mail.outbox and not Application.objects.exists()

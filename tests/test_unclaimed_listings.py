"""A listing no account is linked to (the seed's ten, until claimed) takes no messages: no
one would read them. It says so, gives the practice's public contact and a claim link."""

from django.core import mail

from directory.editions import path_in_edition
from tests.conftest import make_therapist, page_links, page_text
from tests.test_contact import FILLED, written
from therapists.models import ContactMessage, Therapist

STEVEN = "/therapists/steven-su/"
CONTACT = "/therapists/steven-su/contact/"
CLAIM_LINK = ("/therapists/steven-su/claim/", "Is this you? Claim this listing")


def test_item_13_an_unclaimed_profile_says_so_and_offers_its_claim_instead_of_a_form(
    client, seeded
):
    response = client.get(STEVEN)
    links = page_links(response)
    text = page_text(response)
    assert not [href for href, _text in links if "/contact/" in href]
    assert "Contact Steven Su" not in text
    assert "Steven Su has not joined the directory yet" in text
    assert "This listing has no public contact details yet." in text
    assert CLAIM_LINK in links
    # Before what the profile says about the practice: where a contact button would be.
    assert text.index("has not joined") < text.index("In their own words")


def test_item_13_an_unclaimed_profile_gives_the_public_practice_contact_it_has(client, seeded):
    Therapist.objects.filter(slug="steven-su").update(
        phone="(555) 555-0142", email="office@example.org", website="https://example.org/su"
    )
    response = client.get(STEVEN)
    text = page_text(response)
    notice = text[text.index("has not joined") : text.index("Is this you?")]
    assert "You can reach the practice through its public contact details:" in notice
    assert "Phone: (555) 555-0142" in notice
    assert "Email: office@example.org" in notice
    assert "Website: https://example.org/su" in notice
    assert "no public contact details" not in text


def test_item_13_the_spanish_profile_says_it_too(client, seeded):
    text = page_text(client.get(path_in_edition(STEVEN, "es")))
    assert "Steven Su aún no se ha unido al directorio" in text
    assert "¿Es usted? Reclame esta ficha" in text


def test_item_13_the_contact_address_of_an_unclaimed_listing_explains_and_stores_nothing(
    client, seeded
):
    page = client.get(CONTACT)
    assert page.status_code == 200
    assert b"<form" not in page.content
    assert "Steven Su has not joined the directory yet" in page_text(page)
    assert CLAIM_LINK in page_links(page)
    assert not page.cookies  # no form, so no CSRF cookie either

    steven = Therapist.objects.get(slug="steven-su")
    posted = client.post(CONTACT, {"shown_at": written(steven), "website": "", **FILLED})
    assert posted.status_code == 200
    assert "Your message was not sent, and nothing of it was kept." in page_text(posted)
    assert not ContactMessage.objects.exists()
    assert not mail.outbox
    # Nor does the page after a sent message promise that anyone reads it.
    sent = client.get(f"{CONTACT}sent/")
    assert (sent.status_code, sent["Location"]) == (302, CONTACT)


def test_it_offers_the_contact_form_once_the_listing_has_an_account(client, steven_with_account):
    page = client.get(CONTACT)
    assert b"<form" in page.content
    assert "We pass your message to Steven Su" in page_text(page)
    assert ("/therapists/steven-su/contact/", "Contact Steven Su") in page_links(client.get(STEVEN))


def test_item_13_cards_offer_contact_only_for_listings_someone_reads(client, db):
    joined = make_therapist("Fictional Joined", account=True)
    unclaimed = make_therapist("Fictional Unclaimed")
    links = page_links(client.get("/therapists/"))
    hrefs = [href for href, _text in links]
    assert joined.get_contact_url() in hrefs
    assert unclaimed.get_contact_url() not in hrefs
    profiles = [href for href, text in links if text == "View profile"]
    assert {href.split("?")[0] for href in profiles} == {
        joined.get_absolute_url(),
        unclaimed.get_absolute_url(),
    }


def test_the_unclaimed_contact_page_costs_one_query(client, seeded, django_assert_num_queries):
    # The listing with its account (select_related): none, so no form and nothing else.
    with django_assert_num_queries(1):
        page = client.get(CONTACT)
    assert page.status_code == 200

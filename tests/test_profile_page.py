import datetime

from django.utils import timezone

from modalities.models import Modality
from tests.conftest import (
    make_city,
    make_credential,
    make_modality,
    make_therapist,
    page_links,
    page_text,
)
from therapists.models import Language


def test_it_shows_name_credential_city_and_the_ipt_quote(client, seeded):
    response = client.get("/therapists/steven-su/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Steven Su" in text
    assert "Licensed Clinical Social Worker in Fullerton, CA" in text
    assert "Licensed Clinical Social Worker (LCSW), California" in text
    assert "I was trained to use this modality under the supervision" in text
    assert ("/modalities/interpersonal-therapy/", "Interpersonal Therapy (IPT)") in page_links(
        response
    )


def test_it_offers_the_contact_form_when_no_contact_details_are_published(
    client, steven_with_account
):
    response = client.get("/therapists/steven-su/")
    assert ("/therapists/steven-su/contact/", "Contact Steven Su") in page_links(response)
    text = page_text(response)
    assert "Published contact details" not in text
    assert "Availability not confirmed recently" in text


def test_it_shows_the_contact_details_a_therapist_publishes(client, db):
    make_therapist(
        "Fictional Contact",
        email="office@example.org",
        phone="555-0100",
        website="https://example.org/practice",
        accepting_new_clients=True,
        accepting_confirmed_on=timezone.localdate() - datetime.timedelta(days=5),
        telehealth=True,
        session_fee=120,
        sliding_scale=True,
    )
    response = client.get("/therapists/fictional-contact/")
    links = page_links(response)
    assert ("mailto:office@example.org", "office@example.org") in links
    assert ("tel:555-0100", "555-0100") in links
    assert ("https://example.org/practice", "https://example.org/practice") in links
    text = page_text(response)
    confirmed = timezone.localdate() - datetime.timedelta(days=5)
    assert f"Accepting new clients · confirmed {confirmed.day} {confirmed:%b %Y}" in text
    assert "In person and telehealth" in text
    assert "$120 per session · sliding scale" in text
    today = timezone.localdate()
    assert f"Profile updated {today.day} {today:%b %Y}" in text


def test_it_lists_every_license_and_location_with_the_primary_first(client, db):
    therapist = make_therapist(
        "Fictional Two Licenses",
        city=make_city("Springfield", "IL"),
        credential=make_credential("Psychologist", "PhD/PsyD"),
    )
    therapist.licenses.create(
        credential=make_credential("Licensed Sample Counselor", "LSC"),
        state="WI",
        number="SC-1234",
        verified_at=timezone.now() - datetime.timedelta(days=40),
    )
    therapist.locations.create(city=make_city("Madison", "WI"), postal_code="53703")
    text = page_text(client.get(therapist.get_absolute_url()))
    assert "Psychologist in Springfield, IL" in text
    assert text.index("Psychologist (PhD/PsyD), Illinois") < text.index(
        "Licensed Sample Counselor (LSC)"
    )
    verified = timezone.localtime(timezone.now() - datetime.timedelta(days=40)).strftime("%B %Y")
    assert (
        f"Licensed Sample Counselor (LSC), Wisconsin, #SC-1234 · License verified {verified}"
        in text
    )
    assert text.index("Springfield, IL") < text.index("Madison, WI 53703")


def test_it_shows_modalities_concerns_and_languages(client, seeded):
    therapist = make_therapist(
        "Fictional Multilingual",
        modalities=Modality.objects.filter(
            slug__in=["interpersonal-therapy", "cognitive-behavioral-therapy"]
        ),
    )
    therapist.concerns.set(Modality.objects.get(slug="interpersonal-therapy").concerns.all()[:2])
    therapist.languages.set(Language.objects.filter(slug__in=["english", "spanish"]))
    text = page_text(client.get(therapist.get_absolute_url()))
    assert "Cognitive Behavioral Therapy (CBT)" in text
    assert "Interpersonal Therapy (IPT)" in text
    assert "English, Spanish" in text
    assert "Concerns treated" in text


def test_it_hides_unpublished_modalities_and_their_quotes(client, db):
    draft = make_modality("Draft Modality", is_published=False)
    therapist = make_therapist("Fictional Drafter", modalities=[draft], quote="Draft words.")
    text = page_text(client.get(therapist.get_absolute_url()))
    assert "Draft Modality" not in text
    assert "Draft words." not in text


def test_it_answers_404_for_unlisted_or_unknown_therapists(client, db):
    make_therapist("Fictional Unlisted", is_listed=False)
    assert client.get("/therapists/fictional-unlisted/").status_code == 404
    assert client.get("/therapists/nobody-by-this-name/").status_code == 404


def test_it_shows_bio_html_as_text(client, db):
    therapist = make_therapist(
        "Fictional Writer", bio="<script>alert(1)</script>", headline="<b>hi</b>"
    )
    body = client.get(therapist.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    assert "<b>hi</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_it_costs_five_queries(client, seeded, django_assert_num_queries):
    # the therapist; licenses with credentials; locations with cities; live quotes with
    # modalities; modalities, concerns, languages, formats, ages and insurance (one query)
    with django_assert_num_queries(5):
        assert client.get("/therapists/steven-su/").status_code == 200

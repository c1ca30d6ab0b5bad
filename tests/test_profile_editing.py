"""A therapist keeps their own listing current at /profile/edit/."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils import timezone
from PIL import Image

from modalities.models import Concern, Modality
from tests.conftest import make_modality, make_therapist, page_text
from tests.forms import form_on, forms_on
from tests.live_http import form_fields, replace
from therapists.models import Language, Quote, Therapist

EDIT = "/profile/edit/"


@pytest.fixture
def therapist(db, django_user_model):
    user = django_user_model.objects.create_user("fictional@example.org", "fictional@example.org")
    modality = make_modality("Sample Modality")
    return make_therapist("Fictional Editor", modalities=[modality], user=user)


@pytest.fixture
def signed_in(client, therapist):
    client.force_login(therapist.user)
    return client


def valid_form(**changes):
    data = {
        "pronouns": "they/them",
        "headline": "Calm, practical help with anxiety.",
        "bio": "I work with adults.\n\nSessions are fifty minutes.",
        "accepting_new_clients": "on",
        "telehealth": "on",
        "session_fee": "140",
        "sliding_scale": "on",
        "modalities": [str(pk) for pk in Modality.objects.values_list("pk", flat=True)],
        "concerns": [],
        "languages": [],
        "email": "office@example.org",
        "phone": "(555) 010-0100",
        "website": "example.org/practice",
    }
    data.update(changes)
    return data


def test_it_saves_the_listing_and_records_when_availability_was_confirmed(signed_in, therapist):
    anxiety = Concern.objects.create(name="Anxiety", slug="anxiety")
    spanish = Language.objects.create(name="Spanish", slug="spanish")
    response = signed_in.post(
        EDIT, valid_form(concerns=[anxiety.pk], languages=[spanish.pk]), follow=True
    )
    assert response.redirect_chain == [("/profile/", 302)]
    assert "Your listing is saved." in page_text(response)
    therapist.refresh_from_db()
    assert therapist.pronouns == "they/them"
    assert therapist.session_fee == 140
    assert therapist.telehealth and therapist.sliding_scale and therapist.accepting_new_clients
    assert therapist.accepting_confirmed_on == timezone.localdate()
    assert therapist.website == "https://example.org/practice"
    assert list(therapist.concerns.all()) == [anxiety]
    assert list(therapist.languages.all()) == [spanish]
    public = page_text(signed_in.get(therapist.get_absolute_url()))
    assert "Calm, practical help with anxiety." in public
    today = timezone.localdate()
    assert f"Accepting new clients · confirmed {today.day} {today:%b %Y}" in public
    assert "$140 per session · sliding scale" in public


def test_it_records_not_accepting_with_its_date(signed_in, therapist):
    data = valid_form()
    del data["accepting_new_clients"]
    signed_in.post(EDIT, data)
    therapist.refresh_from_db()
    assert not therapist.accepting_new_clients
    assert therapist.accepting_confirmed_on == timezone.localdate()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("session_fee", "-5", "Ensure this value is greater than or equal to 0."),
        ("session_fee", "99999", "Ensure this value is less than or equal to 2000."),
        ("session_fee", "a lot", "Enter a whole number."),
        ("phone", "call me<script>", "Enter a phone number with digits, spaces, brackets"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("website", "http://", "Enter a valid URL."),
        ("bio", "x" * 4001, "Ensure this value has at most 4000 characters (it has 4001)."),
        ("headline", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("modalities", ["999999"], "Select a valid choice. 999999 is not one of the"),
    ],
)
def test_it_explains_what_it_cannot_save_and_changes_nothing(
    signed_in, therapist, field, value, message
):
    before = model_to_dict(Therapist.objects.get(pk=therapist.pk))
    response = signed_in.post(EDIT, valid_form(**{field: value}))
    assert response.status_code == 200
    text = page_text(response)
    assert "Please correct the following" in text
    assert message in text
    assert f'id="id_{field}_error"' in response.content.decode()
    assert model_to_dict(Therapist.objects.get(pk=therapist.pk)) == before


def test_it_offers_only_published_modalities(signed_in):
    make_modality("Draft Modality", is_published=False)
    body = signed_in.get(EDIT).content.decode()
    assert "Sample Modality" in body
    assert "Draft Modality" not in body
    response = signed_in.post(
        EDIT, valid_form(modalities=[Modality.objects.get(name="Draft Modality").pk])
    )
    assert "is not one of the available choices" in page_text(response)


def test_it_lists_what_is_missing_from_the_listing(signed_in, therapist):
    text = page_text(signed_in.get("/profile/"))
    assert "a one-sentence headline for your card" in text
    assert "a way for people to contact you" in text
    assert "a fresh confirmation of whether you are accepting new clients" in text
    therapist.accepting_confirmed_on = timezone.localdate() - datetime.timedelta(days=91)
    therapist.save()
    assert "a fresh confirmation" in page_text(signed_in.get("/profile/"))


def test_it_says_the_listing_is_complete_when_nothing_is_missing(signed_in, therapist):
    anxiety = Concern.objects.create(name="Anxiety", slug="anxiety")
    english = Language.objects.create(name="English", slug="english")
    signed_in.post(EDIT, valid_form(concerns=[anxiety.pk], languages=[english.pk]))
    text = page_text(signed_in.get("/profile/"))
    assert "Your listing is complete." in text


def test_it_tells_an_unlisted_therapist_their_listing_is_not_public(signed_in, therapist):
    Therapist.objects.filter(pk=therapist.pk).update(is_listed=False)
    text = page_text(signed_in.get("/profile/"))
    assert "Your listing is not public at the moment" in text
    assert signed_in.get(EDIT).status_code == 200


def as_browser_sends(fields):
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def test_it_keeps_a_modality_the_form_did_not_show_and_its_quote_returns_when_republished(
    signed_in, therapist, client
):
    curated_away = make_modality("Curated Away")
    therapist.modalities.add(curated_away)
    Quote.objects.create(
        therapist=therapist, modality=curated_away, text="My approved words on this approach."
    )
    curated_away.is_published = False
    curated_away.save()

    page = signed_in.get(EDIT).content.decode()
    assert "Curated Away" not in page
    sent = replace(form_fields(page, having="bio"), bio="A bio saved while it was unpublished.")
    assert signed_in.post(EDIT, as_browser_sends(sent)).status_code == 302

    curated_away.is_published = True
    curated_away.save()
    therapist.refresh_from_db()
    assert therapist.bio == "A bio saved while it was unpublished."
    assert "Curated Away" in page_text(client.get(therapist.get_absolute_url()))
    modality_page = page_text(client.get(curated_away.get_absolute_url()))
    assert "My approved words on this approach. — Fictional Editor" in modality_page


def test_it_shows_the_edit_form_in_fifteen_queries(signed_in, django_assert_num_queries):
    # session; user; the listing; its six many-to-many values (modalities, concerns,
    # languages, formats, ages, insurance) as the form's initial data, read once; the six
    # lists of choices the checkboxes offer (the photo is on its own page)
    with django_assert_num_queries(15):
        assert signed_in.get("/profile/edit/").status_code == 200


def main_of(response):
    body = response.content.decode()
    return body[body.index('<main id="main"') : body.index("</main>")]


def test_item_15_no_button_on_the_edit_page_drops_what_was_typed_in_its_form(
    signed_in, therapist, tmp_path, settings
):
    page = signed_in.get(EDIT)
    main = main_of(page)
    # The page's one form is the listing's, and every button on it is that form's own; the
    # way to the photo's page (send, withdraw, remove) is one of them, not a link.
    assert [form.action for form in forms_on(page) if form.action != "/accounts/logout/"] == [EDIT]
    listing_form = main[main.index(f'action="{EDIT}"') : main.index("</form>")]
    assert main.count("<button") == listing_form.count("<button") == 2
    assert 'href="/profile/photo/"' not in main

    # What was typed goes with that button: saved, then the photo page, which asks for
    # nothing else, so sending a photo as a browser does leaves the listing as saved.
    typed = "Typed just before choosing a photo."
    form = form_on(page, action=EDIT)
    to_photo = signed_in.post(EDIT, {**dict(form.data(bio=typed)), "then": "photo"})
    assert to_photo.status_code == 302 and to_photo["Location"] == "/profile/photo/"
    therapist.refresh_from_db()
    assert therapist.bio == typed
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }
    photo_page = signed_in.get("/profile/photo/")
    photo_forms = [f for f in forms_on(photo_page) if f.action == "/profile/photo/"]
    assert [f.names() for f in photo_forms] == [["csrfmiddlewaretoken", "photo"]]
    sent = signed_in.post(
        "/profile/photo/", {**dict(photo_forms[0].data()), "photo": a_photo()}, follow=True
    )
    assert "Your photo is sent for review" in page_text(sent)
    therapist.refresh_from_db()
    assert therapist.bio == typed
    assert therapist.photos.count() == 1


def a_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (20, 120, 220)).save(buffer, "JPEG")
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")

"""The curated texts in Spanish: shown on the Spanish edition, English (marked) where no
Spanish text exists yet, edited with the same history, difference and restore."""

import json
import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import translation

from directory.editions import path_in_edition
from modalities.models import AgeGroup, Concern, Format, Modality
from tests.conftest import (
    admin_form_data,
    as_shown,
    make_concern,
    make_credential,
    make_modality,
    make_therapist,
    page_text,
    seed_page,
)
from therapists.models import Credential, Language
from therapists.search.facets import Vocabulary

IPT_PAGE = "/modalities/interpersonal-therapy/"
IPT_ADMIN = reverse("admin:modalities_modality_change", args=[1])
IPT_HISTORY = reverse("admin:modalities_modality_history", args=[1])
CBT_PAGE = "/modalities/cognitive-behavioral-therapy/"
TRANSLATED_FOR_US = "Esta traducción del texto en inglés se escribió para este directorio."
# The label the Spanish edition puts on a text it shows in English.
WRITTEN_IN_ENGLISH = "Escrito en inglés"


def in_spanish(client, path, data=None):
    """The Spanish edition of a page."""
    return client.get(path_in_edition(path, "es"), data)


def structured_data(response):
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


@pytest.fixture
def curator(db):
    user = User.objects.create_user(
        "curator@example.org", password="a-long-enough-passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Curator"))
    return user


@pytest.fixture
def second_curator(db):
    user = User.objects.create_user(
        "second@example.org", password="a-long-enough-passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Curator"))
    return user


# The seed --------------------------------------------------------------------------------


def test_it_keeps_the_seeded_english_overview_word_for_word_but_for_the_sites_name(seeded):
    overview, _ = seed_page()
    assert Modality.objects.get(slug="interpersonal-therapy").overview == as_shown(overview)


def test_it_says_the_ipt_pages_spanish_overview_was_translated_for_this_directory(seeded):
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    assert ipt.name_es == "Terapia Interpersonal"
    assert ipt.overview_es.startswith("La terapia interpersonal, o IPT")
    assert ipt.overview_es.split("\n\n")[-1] == TRANSLATED_FOR_US


@pytest.mark.parametrize("model", [Modality, Concern, Format, AgeGroup, Credential, Language])
def test_it_gives_every_starter_term_a_spanish_name(seeded, model):
    assert model.objects.exists()
    assert not model.objects.filter(name_es="").exists()


def test_it_records_the_seeded_spanish_names_as_a_first_version(seeded):
    grief = Concern.objects.get(slug="grief")
    assert grief.history.get().name_es == "Duelo"
    assert Format.objects.get(slug="couples").history.get().name_es == "Pareja"


# Pages -----------------------------------------------------------------------------------


def test_it_shows_the_ipt_page_in_spanish_on_the_spanish_edition(client, seeded):
    overview, _ = seed_page()
    response = in_spanish(client, IPT_PAGE)
    text = page_text(response)
    assert "Terapia Interpersonal (IPT)" in text
    assert "La terapia interpersonal, o IPT (por sus siglas en inglés)" in text
    assert TRANSLATED_FOR_US in text
    assert "Rara vez más de 16 semanas" in text
    assert "Depresión" in text and "Transiciones de rol" in text
    assert overview not in text
    # The curated part is all Spanish; the specialists' English quotes below are labelled.
    assert WRITTEN_IN_ENGLISH not in text.split("Conozca a los especialistas")[0]
    main = re.search(r"<main.*</main>", response.content.decode(), re.S)[0]
    assert ' lang="en"' not in main.split("Conozca a los especialistas")[0]
    assert "<title>Terapia Interpersonal (IPT)" in response.content.decode()


def test_it_keeps_the_english_edition_as_it_was(client, seeded):
    overview, _ = seed_page()
    text = page_text(client.get(IPT_PAGE))
    assert as_shown(overview) in text
    assert "Interpersonal Therapy (IPT)" in text
    assert "Seldom longer than 16 weeks" in text
    assert "Terapia" not in text and "Depresión" not in text
    assert "Written in" not in text


def test_it_shows_the_english_overview_marked_where_no_spanish_one_exists_yet(client, seeded):
    response = in_spanish(client, CBT_PAGE)
    body = response.content.decode()
    assert "Terapia Cognitivo-Conductual (CBT)" in page_text(response)
    assert f'<p><span class="written-in">{WRITTEN_IN_ENGLISH}</span></p>' in body
    english = Modality.objects.get(slug="cognitive-behavioral-therapy").overview_paragraphs[0]
    assert re.search(r'<div class="overview" lang="en"><p>' + re.escape(english[:40]), body)


def test_it_marks_an_untranslated_name_as_english(client, db):
    modality = make_modality("Sample Modality", name_es="Modalidad de muestra")
    modality.concerns.add(make_concern("Untranslated concern"))
    modality.concerns.add(Concern.objects.create(name="Grief", name_es="Duelo", slug="grief"))
    body = in_spanish(client, modality.get_absolute_url()).content.decode()
    assert '<li lang="en">Untranslated concern</li>' in body
    assert "<li>Duelo</li>" in body
    assert "<h1>Modalidad de muestra</h1>" in body


def test_it_lists_the_modalities_by_their_spanish_names(client, seeded):
    text = page_text(in_spanish(client, reverse("modalities:list")))
    assert "Terapia Interpersonal (IPT) 10 especialistas" in text
    assert "Entrevista Motivacional (MI)" in text
    assert "Interpersonal Therapy" not in text


def test_it_titles_a_landing_page_with_the_spanish_modality_name(client, seeded):
    response = in_spanish(client, "/therapists/ca/fullerton/interpersonal-therapy/")
    assert response.status_code == 200
    assert "<h1>Especialistas en Terapia Interpersonal en Fullerton, CA</h1>" in (
        response.content.decode()
    )


def test_it_offers_the_directorys_filters_and_shows_its_active_filters_in_spanish(client, seeded):
    make_concern("Untranslated concern")
    body = in_spanish(client, "/therapists/", {"modality": "interpersonal-therapy"})
    body = body.content.decode()
    assert (
        'name="credential" value="licensed-clinical-social-worker"> '
        "Trabajador/a social clínico/a con licencia <small>"
    ) in body
    # In the Spanish names' order: Consejero/a..., Psicólogo/a, Terapeuta..., Trabajador/a...
    credentials = re.findall(r'name="credential" value="([a-z-]+)"', body)
    assert credentials.index("psychologist") < credentials.index("licensed-clinical-social-worker")
    both = {"modality": "interpersonal-therapy", "concern": "untranslated-concern"}
    body = in_spanish(client, "/therapists/", both).content.decode()
    active = body[body.index('<ul class="active-filters"') :].split("</ul>")[0]
    assert "Terapia Interpersonal" in active
    assert '<span lang="en">Untranslated concern</span>' in active
    english = page_text(client.get("/therapists/", {"modality": "interpersonal-therapy"}))
    assert "Trabajador/a" not in english and "Interpersonal Therapy" in english


def test_it_names_credentials_concerns_and_languages_on_cards_and_profiles_in_spanish(client, db):
    credential = make_credential("Licensed Sample Counselor")
    Credential.objects.filter(pk=credential.pk).update(name_es="Consejero/a de muestra")
    modality = make_modality("Sample Modality", name_es="Modalidad de muestra")
    therapist = make_therapist("Fictional Therapist", credential=credential, modalities=[modality])
    therapist.concerns.add(Concern.objects.create(name="Grief", name_es="Duelo", slug="grief"))
    therapist.languages.add(Language.objects.create(name="Korean", name_es="Coreano", slug="ko"))

    card = page_text(in_spanish(client, "/therapists/"))
    assert "Consejero/a de muestra" in card and "Modalidad de muestra" in card

    profile = in_spanish(client, therapist.get_absolute_url())
    text = page_text(profile)
    assert "Fictional Therapist, Consejero/a de muestra" in text
    assert "Duelo" in text and "Coreano" in text and "Modalidad de muestra" in text
    data = structured_data(profile)
    assert data["jobTitle"] == "Consejero/a de muestra"
    assert data["knowsAbout"] == ["Modalidad de muestra"]
    assert "Licensed Sample Counselor" in page_text(client.get(therapist.get_absolute_url()))


def test_it_offers_find_your_matchs_choices_in_spanish(client, seeded):
    text = page_text(in_spanish(client, "/match/"))
    assert "Depresión" in text and "Terapia Interpersonal (IPT)" in text


def test_it_describes_the_spanish_page_in_spanish_for_search_engines(client, seeded):
    data = structured_data(in_spanish(client, IPT_PAGE))
    assert data["inLanguage"] == "es"
    assert data["name"] == "Terapia Interpersonal (IPT)"
    assert data["about"]["name"] == "Terapia Interpersonal"
    assert data["description"].startswith("La terapia interpersonal")


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_costs_the_modality_page_the_same_queries_in_both_languages(
    client, db, django_assert_num_queries, language
):
    modality = make_modality("Sample Modality", name_es="Modalidad de muestra")
    make_therapist("Fictional Specialist", modalities=[modality], quote="Words.")
    # modality; its concerns, formats, ages and references (one query); the search index's
    # look at the change log; sampled quotes with therapists; their primary licenses with
    # credentials; their primary locations with cities
    with django_assert_num_queries(6):
        assert client.get(path_in_edition(modality.get_absolute_url(), language)).status_code == 200


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_costs_the_modality_list_and_listing_the_same_queries_in_both_languages(
    client, seeded, django_assert_num_queries, language
):
    # the search index's look at the change log; published modalities
    with django_assert_num_queries(2):
        response = client.get(path_in_edition(reverse("modalities:list"), language))
        assert response.status_code == 200
    # the search index's look at the change log; the cards with their primary licenses
    # and locations; the cards' kinds of therapy
    with django_assert_num_queries(3):
        response = client.get(
            path_in_edition("/therapists/", language), {"modality": "interpersonal-therapy"}
        )
    assert response.status_code == 200


# The vocabulary in memory ----------------------------------------------------------------


def test_it_loads_both_languages_in_two_queries(seeded, django_assert_num_queries):
    with translation.override("es"), django_assert_num_queries(2):
        Vocabulary.load()


def test_it_switches_the_vocabularys_names_with_the_language_without_reloading(seeded):
    with translation.override("en"):
        vocabulary = Vocabulary.load()
        assert vocabulary.find("concern", "grief").name == "Grief"
        assert vocabulary.find("modality", "interpersonal-therapy").label == (
            "Interpersonal Therapy (IPT)"
        )
    with translation.override("es"):
        grief = vocabulary.find("concern", "grief")
        assert grief.name == "Duelo" and not grief.name.is_fallback
        assert vocabulary.find("modality", "interpersonal-therapy").label == (
            "Terapia Interpersonal (IPT)"
        )
        names = [option.name for option in vocabulary.options["concern"]]
        assert names.index("Ansiedad") < names.index("Duelo") < names.index("Estrés")
        languages = [option.name for option in vocabulary.options["language"]]
        assert languages[:3] == ["Árabe", "Cantonés", "Coreano"]
        assert vocabulary.find("city", "fullerton-ca").name == "Fullerton, CA"
    with translation.override("en"):
        assert vocabulary.find("concern", "grief").name == "Grief"


def test_it_keeps_fixed_choices_translatable_after_loading(seeded):
    with translation.override("es"):
        vocabulary = Vocabulary.load()
    woman = vocabulary.find("gender", "woman")
    # The lazy label itself, not its text in the language active when loaded.
    assert not isinstance(woman.english, str)
    assert woman.name == "Woman"


def test_it_falls_back_to_the_english_name_marked_in_the_vocabulary(db):
    make_concern("Untranslated concern")
    with translation.override("es"):
        name = Vocabulary.load().find("concern", "untranslated-concern").name
    assert name == "Untranslated concern"
    with translation.override("es"):
        assert name.is_fallback and name.language == "en"


# Curators ----------------------------------------------------------------------------------


def edit_ipt(client, user, **changes):
    client.force_login(user)
    data = admin_form_data(client.get(IPT_ADMIN))
    data.update(changes)
    return client.post(IPT_ADMIN, data)


def test_it_saves_only_the_spanish_overview_a_curator_edited(seeded, curator, client):
    overview, _ = seed_page()
    client.force_login(curator)
    form = admin_form_data(client.get(IPT_ADMIN))
    # Meanwhile, the English text changes elsewhere: the Spanish edit must not undo it.
    Modality.objects.filter(pk=1).update(typical_length="About 16 weeks")
    form["overview_es"] = "Una descripción nueva."
    assert client.post(IPT_ADMIN, form).status_code == 302
    ipt = Modality.objects.get(pk=1)
    assert ipt.overview_es == "Una descripción nueva."
    assert ipt.overview == as_shown(overview)
    assert ipt.typical_length == "About 16 weeks"


def test_it_shows_the_changed_spanish_words_in_the_history(seeded, curator, client):
    ipt = Modality.objects.get(pk=1)
    changed = ipt.overview_es.replace("breve y focalizado", "corto <b>")
    assert edit_ipt(client, curator, overview_es=changed).status_code == 302
    body = client.get(IPT_HISTORY).content.decode()
    assert "<del>breve y focalizado</del>" in body
    assert "<ins>corto &lt;b&gt;</ins>" in body
    assert "rara vez dura más de 16 semanas" in body


def test_it_restores_an_older_spanish_overview(seeded, curator, client):
    edit_ipt(client, curator, overview_es="Una descripción nueva.", name_es="Terapia IPT")
    first = Modality.history.filter(id=1).order_by("history_id").first()
    translated = first.overview_es  # the seed's translation, word for word
    restore = reverse("admin:modalities_modality_simple_history", args=[1, first.history_id])
    response = client.post(restore, admin_form_data(client.get(restore)))
    assert response.status_code == 302, page_text(response)
    ipt = Modality.objects.get(pk=1)
    assert (ipt.overview_es, ipt.name_es) == (translated, "Terapia Interpersonal")
    client.logout()
    assert TRANSLATED_FOR_US in page_text(in_spanish(client, IPT_PAGE))


def test_it_refuses_a_stale_save_of_the_spanish_overview(seeded, curator, second_curator, client):
    client.force_login(curator)
    first_form = admin_form_data(client.get(IPT_ADMIN))
    client.force_login(second_curator)
    second_form = admin_form_data(client.get(IPT_ADMIN))

    client.force_login(curator)
    first_form["overview_es"] = "La versión de la primera."
    assert client.post(IPT_ADMIN, first_form).status_code == 302

    client.force_login(second_curator)
    second_form["overview_es"] = "La versión de la segunda."
    refused = client.post(IPT_ADMIN, second_form)
    assert refused.status_code == 200
    assert "Not saved: curator@example.org changed this page at" in page_text(refused)
    assert refused.context["adminform"].form["overview_es"].value() == "La versión de la segunda."
    assert Modality.objects.get(pk=1).overview_es == "La versión de la primera."


def test_it_shows_the_spanish_section_beside_the_english_fields(seeded, curator, client):
    client.force_login(curator)
    text = page_text(client.get(IPT_ADMIN))
    assert "Spanish (Español)" in text
    assert "Overview in Spanish" in text and "Name in Spanish" in text


@pytest.mark.parametrize(
    ("model", "slug", "admin_name"),
    [
        (Format, "couples", "modalities_format"),
        (AgeGroup, "teens", "modalities_agegroup"),
        (Credential, "licensed-clinical-social-worker", "therapists_credential"),
        (Language, "korean", "therapists_language"),
    ],
)
def test_it_lets_a_curator_edit_and_restore_a_spanish_name_with_its_history(
    seeded, curator, client, model, slug, admin_name
):
    row = model.objects.get(slug=slug)
    change = reverse(f"admin:{admin_name}_change", args=[row.pk])
    client.force_login(curator)
    data = admin_form_data(client.get(change))
    assert client.post(change, {**data, "name_es": "Nombre nuevo"}).status_code == 302
    assert model.objects.get(pk=row.pk).name == row.name  # the English name left alone

    history = client.get(reverse(f"admin:{admin_name}_history", args=[row.pk]))
    assert f"<del>{row.name_es.split()[0]}" in history.content.decode()
    assert "<ins>Nombre" in history.content.decode()

    first = model.history.filter(id=row.pk).order_by("history_id").first()
    restore = reverse(f"admin:{admin_name}_simple_history", args=[row.pk, first.history_id])
    response = client.post(restore, admin_form_data(client.get(restore)))
    assert response.status_code == 302, page_text(response)
    assert model.objects.get(pk=row.pk).name_es == row.name_es

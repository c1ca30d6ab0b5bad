"""The seeded IPT page is the page this product grew from: its text must arrive word for word."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from directory.editions import path_in_edition
from modalities.models import Concern, Modality
from modalities.seed_edits import name_the_site_in_migration
from tests.conftest import as_shown, page_text, seed_page
from therapists.models import Credential, Quote, Therapist


def test_it_reads_ten_specialists_from_the_seed():
    overview, specialists = seed_page()
    assert overview.startswith("Interpersonal therapy, or IPT, is a short-term")
    assert len(specialists) == 10


def test_it_seeds_the_ipt_modality_word_for_word_but_for_the_sites_name(seeded):
    overview, _ = seed_page()
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    assert (ipt.name, ipt.abbreviation, ipt.is_published) == ("Interpersonal Therapy", "IPT", True)
    assert ipt.overview == as_shown(overview)


def test_it_seeds_each_specialist_with_credential_city_and_quote(seeded):
    _, specialists = seed_page()
    for quote, name, credential, city, state in specialists:
        therapist = Therapist.objects.get(display_name=name)
        assert therapist.is_listed
        assert therapist.primary_license.credential.name == credential
        assert (therapist.primary_location.city.name, therapist.primary_location.city.state) == (
            city,
            state,
        )
        assert therapist.signature == f"{name}, {credential} in {city}, {state}"
        live = Quote.objects.get(therapist=therapist, modality__slug="interpersonal-therapy")
        assert live.text == quote
        assert live.draft == ""
        assert therapist.modalities.filter(slug="interpersonal-therapy").exists()


def test_it_lists_the_group_practice_like_any_other_specialist(seeded):
    practice = Therapist.objects.listed().get(slug="aguirre-center-for-inclusive-psychotherapy")
    assert practice.signature == (
        "Aguirre Center for Inclusive Psychotherapy, Psychologist in Atlanta, GA"
    )


def test_it_loads_the_seed_again_without_duplicating_anything(seeded):
    models = [Modality, Concern, Credential, Therapist, Quote]
    before = {model: model.objects.count() for model in models}
    call_command("loaddata", "vocabulary", "ipt", verbosity=0)
    assert {model: model.objects.count() for model in models} == before


def test_it_restores_edited_seed_text_when_loaded_again(seeded):
    overview, _ = seed_page()
    Modality.objects.filter(slug="interpersonal-therapy").update(overview="Edited.")
    call_command("loaddata", "ipt", verbosity=0)
    assert Modality.objects.get(slug="interpersonal-therapy").overview == overview


@pytest.mark.parametrize(
    "slug",
    [
        "cognitive-behavioral-therapy",
        "dialectical-behavior-therapy",
        "eye-movement-desensitization-and-reprocessing",
        "acceptance-and-commitment-therapy",
        "psychodynamic-therapy",
        "family-systems-therapy",
    ],
)
def test_it_seeds_the_widely_used_modalities(seeded, slug):
    modality = Modality.objects.published().get(slug=slug)
    assert len(modality.overview) > 100
    assert modality.concerns.exists()


def test_it_seeds_about_twenty_modalities_besides_ipt(seeded):
    assert Modality.objects.exclude(slug="interpersonal-therapy").count() >= 18


@pytest.mark.parametrize(
    "name",
    [
        "Depression",
        "Anxiety",
        "Social phobia",
        "Postpartum depression",
        "Trauma",
        "Grief",
        "Eating disorders",
        "Bipolar disorder",
        "Role transitions",
        "Relationship conflict",
    ],
)
def test_it_seeds_the_concerns_named_on_the_seed_page(seeded, name):
    assert Concern.objects.filter(name=name).exists()


def test_it_links_ipt_to_the_concerns_its_overview_and_specialists_name(seeded):
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    names = set(ipt.concerns.values_list("name", flat=True))
    assert {"Depression", "Anxiety", "Social phobia", "Postpartum depression", "Trauma"} <= names
    assert {"Grief", "Role transitions", "Relationship conflict"} <= names


@pytest.mark.parametrize(
    ("name", "abbreviation"),
    [
        ("Licensed Clinical Social Worker", "LCSW"),
        ("Psychologist", "PhD/PsyD"),
        ("Marriage & Family Therapist", "LMFT"),
        ("Licensed Mental Health Counselor", "LMHC"),
        ("Licensed Professional Counselor", "LPC"),
    ],
)
def test_it_seeds_the_common_credentials(seeded, name, abbreviation):
    assert Credential.objects.get(name=name).abbreviation == abbreviation


IPT_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ipt.json"
IPT_PAGE = "/modalities/interpersonal-therapy/"


def fixture_overviews():
    """The IPT overview in English and Spanish as fixtures/ipt.json holds them."""
    rows = json.loads(IPT_FIXTURE.read_text(encoding="utf-8"))
    ipt = next(row["fields"] for row in rows if row["model"] == "modalities.modality")
    return ipt["overview"], ipt["overview_es"]


def ipt_versions():
    return list(
        Modality.history.filter(slug="interpersonal-therapy")
        .order_by("history_id")
        .values_list("overview", "overview_es", "history_change_reason")
    )


CURATORS_EDIT = "Curator's edit: the site's own name in place of the seed's"


def test_item_12_the_ipt_page_names_this_site_in_a_curators_edit_after_the_seeded_text(
    seeded, client
):
    overview, _ = seed_page()
    english, spanish = fixture_overviews()
    # The seed stays word for word, another site's name and all.
    assert english == overview
    assert "TherapyDen" in overview and "TherapyDen" in spanish
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    assert (ipt.overview, ipt.overview_es) == (as_shown(english), as_shown(spanish, "es"))
    assert ipt_versions() == [
        (english, spanish, "Loaded from the seed"),
        (as_shown(english), as_shown(spanish, "es"), CURATORS_EDIT),
    ]
    english_page = page_text(client.get(IPT_PAGE))
    spanish_page = page_text(client.get(path_in_edition(IPT_PAGE, "es")))
    assert "Reach out to one of the Therapist Directory’s interpersonal" in english_page
    assert "especialistas en terapia interpersonal del Directorio de Terapeutas." in spanish_page
    assert "TherapyDen" not in english_page + spanish_page


def test_item_12_running_the_seed_again_adds_no_history_and_keeps_curators_words(seeded):
    before = ipt_versions()
    Modality.objects.filter(slug="cognitive-behavioral-therapy").update(overview="Curated.")
    call_command("seed", verbosity=0)
    assert ipt_versions() == before
    assert Modality.objects.get(slug="cognitive-behavioral-therapy").overview == "Curated."


def test_item_12_the_migration_names_this_site_on_a_database_seeded_before(db):
    # As an older `seed` left it: the fixture loaded raw, with no history at all.
    call_command("loaddata", "vocabulary", "ipt", verbosity=0)
    english, spanish = fixture_overviews()
    name_the_site_in_migration(apps, None)
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    assert (ipt.overview, ipt.overview_es) == (as_shown(english), as_shown(spanish, "es"))
    assert ipt_versions() == [
        (english, spanish, "Loaded from the seed"),
        (as_shown(english), as_shown(spanish, "es"), CURATORS_EDIT),
    ]
    name_the_site_in_migration(apps, None)  # made already: nothing more
    call_command("seed", verbosity=0)
    assert len(ipt_versions()) == 2

"""The seeded IPT page is the page this product grew from: its text must arrive word for word."""

import pytest
from django.core.management import call_command

from modalities.models import Concern, Modality
from tests.conftest import seed_page
from therapists.models import Credential, Quote, Therapist


def test_it_reads_ten_specialists_from_the_seed():
    overview, specialists = seed_page()
    assert overview.startswith("Interpersonal therapy, or IPT, is a short-term")
    assert len(specialists) == 10


def test_it_seeds_the_ipt_modality_word_for_word(seeded):
    overview, _ = seed_page()
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    assert (ipt.name, ipt.abbreviation, ipt.is_published) == ("Interpersonal Therapy", "IPT", True)
    assert ipt.overview == overview


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

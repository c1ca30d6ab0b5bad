"""The models: the database's constraints, the signature, the querysets and small helpers."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from modalities.models import Concern, Modality
from tests.conftest import (
    make_city,
    make_concern,
    make_credential,
    make_modality,
    make_therapist,
)
from therapists.models import City, Credential, Language, License, Location, Quote, Therapist
from therapists.search import current_index, index_lock


def constraint_names(model):
    return {constraint.name for constraint in model._meta.constraints}


def assert_refused_by_database(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# The constraints, enforced by the database itself.


def test_it_allows_one_quote_per_therapist_modality_and_language(db):
    assert "quote_one_per_therapist_modality_language" in constraint_names(Quote)
    modality = make_modality()
    therapist = make_therapist(modalities=[modality], quote="Fictional first words.")
    Quote.objects.create(
        therapist=therapist, modality=modality, language="es", text="Primeras palabras."
    )

    assert_refused_by_database(
        lambda: Quote.objects.create(
            therapist=therapist, modality=modality, text="Fictional second words."
        )
    )
    assert Quote.objects.filter(therapist=therapist, modality=modality).count() == 2


def test_it_allows_one_primary_license_per_therapist(db):
    assert "license_one_primary_per_therapist" in constraint_names(License)
    therapist = make_therapist()
    other_credential = make_credential("Licensed Sample Psychologist", "LSP")

    assert_refused_by_database(
        lambda: License.objects.create(
            therapist=therapist, credential=other_credential, state="IL", is_primary=True
        )
    )
    License.objects.create(
        therapist=therapist, credential=other_credential, state="WI", is_primary=False
    )
    assert therapist.licenses.count() == 2
    assert therapist.licenses.filter(is_primary=True).count() == 1


def test_it_allows_one_primary_location_per_therapist(db):
    assert "location_one_primary_per_therapist" in constraint_names(Location)
    therapist = make_therapist()
    other_city = make_city("Shelbyville", "IL")

    assert_refused_by_database(
        lambda: Location.objects.create(therapist=therapist, city=other_city, is_primary=True)
    )
    Location.objects.create(therapist=therapist, city=other_city, is_primary=False)
    assert therapist.locations.count() == 2
    assert therapist.locations.filter(is_primary=True).count() == 1


def test_it_refuses_a_second_therapist_with_the_same_slug(db):
    assert "therapist_slug_unique" in constraint_names(Therapist)
    make_therapist("Fictional Therapist")

    assert_refused_by_database(
        lambda: Therapist.objects.create(
            display_name="Fictional Therapist Two", slug="fictional-therapist"
        )
    )


def test_it_refuses_a_second_modality_with_the_same_slug(db):
    assert "modality_slug_unique" in constraint_names(Modality)
    make_modality("Sample Modality")

    assert_refused_by_database(
        lambda: Modality.objects.create(
            name="Another Sample Modality", slug="sample-modality", overview="Fictional."
        )
    )


def test_it_refuses_a_second_concern_with_the_same_slug(db):
    assert "concern_slug_unique" in constraint_names(Concern)
    make_concern("Sample concern")

    assert_refused_by_database(
        lambda: Concern.objects.create(name="Another sample concern", slug="sample-concern")
    )


def test_it_refuses_a_second_city_with_the_same_slug(db):
    assert "city_slug_unique" in constraint_names(City)
    make_city("Springfield", "IL")

    assert_refused_by_database(
        lambda: City.objects.create(name="Shelbyville", state="MO", slug="springfield-il")
    )


def test_it_refuses_a_second_credential_with_the_same_slug(db):
    assert "credential_slug_unique" in constraint_names(Credential)
    make_credential("Licensed Sample Counselor")

    assert_refused_by_database(
        lambda: Credential.objects.create(
            name="Another Sample Credential", slug="licensed-sample-counselor"
        )
    )


def test_it_refuses_the_same_city_name_twice_in_one_state_but_not_in_another(db):
    assert "city_name_per_state_unique" in constraint_names(City)
    make_city("Springfield", "IL")

    assert_refused_by_database(
        lambda: City.objects.create(name="Springfield", state="IL", slug="springfield-il-again")
    )
    City.objects.create(name="Springfield", state="MO", slug="springfield-mo")
    assert City.objects.filter(name="Springfield").count() == 2


# The signature under a quote.


def test_it_signs_with_name_credential_city_and_state(db):
    therapist = make_therapist(
        "Fictional Therapist",
        city=make_city("Springfield", "IL"),
        credential=make_credential("Licensed Sample Counselor"),
    )

    assert therapist.signature == (
        "Fictional Therapist, Licensed Sample Counselor in Springfield, IL"
    )


def test_it_signs_with_name_and_place_when_there_is_no_license(db):
    therapist = Therapist.objects.create(
        display_name="Fictional Therapist Two", slug="fictional-therapist-two"
    )
    Location.objects.create(therapist=therapist, city=make_city(), is_primary=True)

    assert therapist.signature == "Fictional Therapist Two in Springfield, IL"


def test_it_signs_with_name_and_credential_when_there_is_no_location(db):
    therapist = Therapist.objects.create(
        display_name="Fictional Therapist Three", slug="fictional-therapist-three"
    )
    License.objects.create(
        therapist=therapist, credential=make_credential(), state="IL", is_primary=True
    )

    assert therapist.signature == "Fictional Therapist Three, Licensed Sample Counselor"


def test_it_signs_with_the_primary_license_and_location_among_several(db):
    therapist = Therapist.objects.create(
        display_name="Fictional Therapist Four", slug="fictional-therapist-four"
    )
    # The secondary rows come first, so picking the first row would pick the wrong one.
    License.objects.create(
        therapist=therapist,
        credential=make_credential("Licensed Sample Psychologist", "LSP"),
        state="WI",
        is_primary=False,
    )
    Location.objects.create(
        therapist=therapist, city=make_city("Shelbyville", "WI"), is_primary=False
    )
    License.objects.create(
        therapist=therapist, credential=make_credential(), state="IL", is_primary=True
    )
    Location.objects.create(therapist=therapist, city=make_city(), is_primary=True)
    expected = "Fictional Therapist Four, Licensed Sample Counselor in Springfield, IL"

    assert Therapist.objects.get(pk=therapist.pk).signature == expected
    assert Therapist.objects.with_signature().get(pk=therapist.pk).signature == expected
    profile = Therapist.objects.prefetch_related("licenses__credential", "locations__city")
    assert profile.get(pk=therapist.pk).signature == expected


def test_it_loads_the_signatures_of_many_therapists_in_three_queries(db, django_assert_num_queries):
    for n in range(5):
        make_therapist(
            f"Fictional Therapist {n}",
            city=make_city(f"Sample City {n}", "IL"),
            credential=make_credential(f"Licensed Sample Credential {n}", f"LS{n}"),
        )

    # The therapists; their primary licenses with credentials; their primary locations
    # with cities.
    with django_assert_num_queries(3):
        signatures = [therapist.signature for therapist in Therapist.objects.with_signature()]

    assert len(signatures) == 5
    assert "Fictional Therapist 3, Licensed Sample Credential 3 in Sample City 3, IL" in (
        signatures
    )


# TherapistQuerySet.


def test_it_lists_only_listed_therapists(db):
    listed = make_therapist("Fictional Listed Therapist")
    make_therapist("Fictional Unlisted Therapist", is_listed=False)

    assert list(Therapist.objects.listed()) == [listed]


def test_it_finds_the_therapists_practising_a_modality(db):
    modality = make_modality("Sample Modality")
    other = make_modality("Other Sample Modality")
    practising = make_therapist("Fictional Therapist One", modalities=[modality])
    make_therapist("Fictional Therapist Two", modalities=[other])
    make_therapist("Fictional Therapist Three")

    assert list(Therapist.objects.practising(modality)) == [practising]


def test_it_finds_a_therapist_with_two_offices_in_a_city_once(db):
    springfield = make_city("Springfield", "IL")
    two_offices = make_therapist("Fictional Therapist One", city=springfield)
    Location.objects.create(therapist=two_offices, city=springfield, street_address="2 Side St")
    make_therapist("Fictional Therapist Two", city=make_city("Shelbyville", "IL"))

    assert list(Therapist.objects.in_city(springfield)) == [two_offices]


def test_it_finds_the_therapists_with_an_office_in_a_state(db):
    in_illinois = make_therapist("Fictional Therapist One", city=make_city("Springfield", "IL"))
    Location.objects.create(therapist=in_illinois, city=make_city("Shelbyville", "IL"))
    secondary_office = make_therapist(
        "Fictional Therapist Two", city=make_city("Springfield", "MO")
    )
    Location.objects.create(therapist=secondary_office, city=make_city("Capital City", "IL"))
    make_therapist("Fictional Therapist Three", city=make_city("Springfield", "OR"))

    assert list(Therapist.objects.in_state("IL")) == [in_illinois, secondary_office]


# QuoteQuerySet.


def test_it_shows_only_live_quotes_of_listed_therapists(db):
    modality = make_modality()
    live = make_therapist("Fictional Therapist One", modalities=[modality], quote="Fictional.")
    make_therapist("Fictional Therapist Two", modalities=[modality], quote="")
    make_therapist(
        "Fictional Therapist Three", modalities=[modality], quote="Fictional.", is_listed=False
    )

    assert [quote.therapist for quote in Quote.objects.live()] == [live]


@pytest.fixture
def twelve_quotes(db):
    modality = make_modality()
    for n in range(12):
        make_therapist(f"Fictional Therapist {n}", modalities=[modality], quote=f"Words {n}.")
    return Quote.objects.filter(modality=modality)


def sample_ids(quotes, day, size):
    """The modality page's sample on `day`: the first listings of the day's order."""
    Therapist.objects.rotate(day)
    with index_lock():
        therapist_ids = current_index().quoted_specialists(quotes.first().modality_id, size)
    return [quote.id for quote in quotes.model.objects.live().of_listings(therapist_ids)]


def test_it_samples_at_most_the_size_asked_for(twelve_quotes):
    day = datetime.date(2026, 1, 1)

    assert len(sample_ids(twelve_quotes, day, 5)) == 5
    assert len(sample_ids(twelve_quotes, day, 20)) == 12


def test_it_samples_the_same_quotes_in_the_same_order_all_day(twelve_quotes):
    day = datetime.date(2026, 1, 1)

    assert sample_ids(twelve_quotes, day, 12) == sample_ids(twelve_quotes, day, 12)


def test_it_samples_another_order_on_some_day_of_the_next_ten(twelve_quotes):
    day = datetime.date(2026, 1, 1)
    today = sample_ids(twelve_quotes, day, 12)
    later = [sample_ids(twelve_quotes, day + datetime.timedelta(days=n), 12) for n in range(1, 11)]

    assert any(order != today for order in later), f"the same order every day: {today}"


# Modality, Therapist and the rest.


def test_it_names_a_modality_with_its_abbreviation_in_parentheses(db):
    assert make_modality("Interpersonal Therapy", "IPT").full_name == (
        "Interpersonal Therapy (IPT)"
    )
    assert make_modality("Sample Modality").full_name == "Sample Modality"


def test_it_splits_a_modality_overview_on_blank_lines(db):
    modality = make_modality(overview="First line.\nStill first.\n\nSecond.\r\n\r\nThird.\n\n\n")

    assert modality.overview_paragraphs == ["First line.\nStill first.", "Second.", "Third."]


def test_it_publishes_only_published_modalities(db):
    published = make_modality("Sample Modality")
    make_modality("Draft Sample Modality", is_published=False)

    assert list(Modality.objects.published()) == [published]


def test_it_gives_a_therapist_initials(db):
    assert make_therapist("Fictional Therapist").initials == "FT"


def test_it_describes_every_model_sensibly(db):
    modality = make_modality("Interpersonal Therapy", "IPT")
    therapist = make_therapist("Fictional Therapist", modalities=[modality], quote="Fictional.")
    language = Language.objects.create(name="Sample Language", slug="sample-language")

    assert str(modality) == "Interpersonal Therapy (IPT)"
    assert str(make_concern("Sample concern")) == "Sample concern"
    assert str(make_city("Springfield", "IL")) == "Springfield, IL"
    assert str(make_credential("Licensed Sample Counselor")) == "Licensed Sample Counselor"
    assert str(language) == "Sample Language"
    assert str(therapist) == "Fictional Therapist"
    assert str(therapist.licenses.get()) == "Licensed Sample Counselor (IL)"
    assert str(therapist.locations.get()) == "Springfield, IL"
    assert str(therapist.quotes.get()) == "Fictional Therapist on Interpersonal Therapy"


def test_it_links_a_modality_and_a_therapist_to_their_pages(db):
    assert make_modality("Sample Modality").get_absolute_url() == "/modalities/sample-modality/"
    assert make_therapist("Fictional Therapist").get_absolute_url() == (
        "/therapists/fictional-therapist/"
    )

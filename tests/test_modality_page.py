import datetime
import re

import pytest
from django.urls import reverse

from tests.conftest import (
    as_shown,
    make_modality,
    make_therapist,
    page_links,
    page_text,
    seed_page,
)
from therapists.models import Therapist

IPT_URL = "/modalities/interpersonal-therapy/"


def test_it_shows_the_seed_overview_and_all_ten_signed_quotes(client, seeded):
    response = client.get(IPT_URL)
    assert response.status_code == 200
    text = page_text(response)
    overview, specialists = seed_page()
    assert as_shown(overview) in text
    assert "Interpersonal Therapy (IPT)" in text
    for quote, name, credential, city, state in specialists:
        assert f"{quote} — {name}, {credential} in {city}, {state}" in text


def test_it_links_every_signature_to_a_profile_with_the_same_credential_and_city(client, seeded):
    _, specialists = seed_page()
    links = {text: href for href, text in page_links(client.get(IPT_URL))}
    for _, name, credential, city, state in specialists:
        signature = f"{name}, {credential} in {city}, {state}"
        profile = client.get(links[signature])
        assert profile.status_code == 200
        profile_text = page_text(profile)
        assert name in profile_text
        assert f"{credential} in {city}, {state}" in profile_text


def test_it_offers_find_your_match_filtered_to_this_modality(client, seeded):
    links = page_links(client.get(IPT_URL))
    assert ("/match/?modality=interpersonal-therapy", "Find Your Match") in links
    questions = client.get("/match/?modality=interpersonal-therapy")
    assert questions.status_code == 200
    body = questions.content.decode()
    assert '<option value="interpersonal-therapy" selected>Interpersonal Therapy (IPT)' in body


def test_it_shows_the_concerns_the_modality_is_used_for(client, seeded):
    text = page_text(client.get(IPT_URL))
    assert "Often used for" in text
    assert "Postpartum depression" in text


def test_it_links_to_all_specialists_in_the_directory(client, seeded):
    links = page_links(client.get(IPT_URL))
    assert (
        "/therapists/?modality=interpersonal-therapy",
        "See all 10 Interpersonal Therapy specialists in the directory",
    ) in links


def test_it_answers_404_for_an_unknown_or_unpublished_modality(client, db):
    make_modality("Draft Modality", is_published=False)
    assert client.get("/modalities/no-such-modality/").status_code == 404
    assert client.get("/modalities/draft-modality/").status_code == 404


def test_it_hides_quotes_of_unlisted_therapists_and_empty_quotes(client, db):
    modality = make_modality("Sample Modality")
    make_therapist("Fictional Listed", modalities=[modality], quote="Listed words.")
    make_therapist(
        "Fictional Unlisted", modalities=[modality], quote="Hidden words.", is_listed=False
    )
    make_therapist("Fictional Silent", modalities=[modality], quote="")
    text = page_text(client.get(modality.get_absolute_url()))
    assert "Listed words." in text
    assert "Hidden words." not in text
    assert "Fictional Unlisted" not in text
    assert "Fictional Silent" not in text


def test_it_shows_quote_html_as_text(client, db):
    modality = make_modality("Sample Modality")
    make_therapist(
        "Fictional Writer", modalities=[modality], quote="<script>alert(1)</script> <b>bold</b>"
    )
    response = client.get(modality.get_absolute_url())
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in body


def test_it_shows_a_daily_sample_of_at_most_a_dozen_quotes(client, db, settings):
    modality = make_modality("Popular Modality")
    for number in range(30):
        make_therapist(f"Fictional Specialist {number:02}", modalities=[modality], quote="Words.")
    body = client.get(modality.get_absolute_url()).content.decode()
    assert body.count('<figure class="quote">') == settings.MODALITY_SPECIALISTS_SHOWN == 12
    assert "See all 30 Popular Modality specialists" in page_text(
        client.get(modality.get_absolute_url())
    )


def test_it_rotates_which_specialists_come_first_from_day_to_day(client, db):
    modality = make_modality("Popular Modality")
    for number in range(30):
        make_therapist(f"Fictional Specialist {number:02}", modalities=[modality], quote="Words.")
    start = datetime.date(2026, 11, 25)

    def sample(day):
        Therapist.objects.rotate(day)  # rotate_listings on that day
        page = client.get(modality.get_absolute_url()).content.decode()
        return re.findall(r"<figcaption>— <a [^>]+>(Fictional Specialist \d+)", page)

    samples = [sample(start + datetime.timedelta(n)) for n in range(7)]
    assert samples[0] == sample(start)
    assert len({tuple(sample) for sample in samples}) == 7
    assert len({sample[0] for sample in samples}) > 1


@pytest.mark.parametrize("specialists", [3, 30])
def test_it_costs_six_queries_however_many_specialists(
    client, db, django_assert_num_queries, specialists
):
    modality = make_modality("Sample Modality")
    for number in range(specialists):
        make_therapist(f"Fictional Specialist {number:02}", modalities=[modality], quote="Words.")
    # modality; its concerns, formats, ages and references (one query); the search index's
    # look at the change log (it counts and samples the specialists); sampled quotes with
    # therapists; their primary licenses with credentials; their primary locations with cities
    with django_assert_num_queries(6):
        assert client.get(modality.get_absolute_url()).status_code == 200


def test_it_lists_published_modalities_with_their_specialist_counts(
    client, seeded, django_assert_num_queries
):
    make_modality("Draft Modality", is_published=False)
    # the search index's look at the change log (it counts the specialists); published
    # modalities
    with django_assert_num_queries(2):
        response = client.get(reverse("modalities:list"))
    text = page_text(response)
    assert "Interpersonal Therapy (IPT) 10 specialists" in text
    assert "Cognitive Behavioral Therapy (CBT) 0 specialists" in text
    assert "Draft Modality" not in text

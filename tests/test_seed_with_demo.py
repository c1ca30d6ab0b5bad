"""`manage.py seed` with DEBUG on (as `make run` runs it): the IPT page's ten specialists
exactly as seeded, and a few hundred fictional listings over every modality, concern and
city, so that a newcomer sees every filter and modality page at work. Never without DEBUG."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from directory.management.commands.seed import DEMO_THERAPISTS
from modalities.models import Concern, Modality
from tests.conftest import as_shown, page_links, page_text, seed_page
from therapists.models import City, License, Quote, Therapist


def seed(settings, *, debug):
    settings.DEBUG = debug
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def seeded_with_demo(db, settings):
    seed(settings, debug=True)
    # The pages below are read as a visitor sees them in production.
    settings.DEBUG = False
    return Therapist.objects.filter(is_demo=True)


def test_it_adds_no_demo_listing_without_debug(db, settings):
    seed(settings, debug=False)
    assert Therapist.objects.count() == 10
    assert not Therapist.objects.filter(is_demo=True).exists()
    assert not Therapist.objects.filter(slug__startswith="demo-").exists()


def test_it_adds_no_demo_listing_without_debug_even_when_run_again(db, settings):
    seed(settings, debug=False)
    seed(settings, debug=False)
    assert Therapist.objects.count() == 10


def test_it_adds_a_few_hundred_demo_listings_with_debug(db, settings):
    out = seed(settings, debug=True)
    assert f"Created {DEMO_THERAPISTS} demo therapists" in out
    demo = Therapist.objects.filter(is_demo=True)
    assert demo.count() == DEMO_THERAPISTS == 300
    # Every row seed_demo wrote is marked, and only those.
    assert set(
        Therapist.objects.filter(slug__startswith="demo-").values_list("is_demo", flat=True)
    ) == {True}
    assert Therapist.objects.filter(is_demo=False).count() == 10
    assert all(name.endswith(" (demo)") for name in demo.values_list("display_name", flat=True))


def test_it_keeps_the_ten_specialists_word_for_word(seeded_with_demo, settings):
    _, specialists = seed_page()
    seeded = Therapist.objects.filter(is_demo=False)
    assert sorted(seeded.values_list("display_name", flat=True)) == sorted(
        name for _, name, *_ in specialists
    )
    for quote, name, credential, city, state in specialists:
        therapist = seeded.get(display_name=name)
        assert therapist.signature == f"{name}, {credential} in {city}, {state}"
        assert list(therapist.quotes.values_list("text", "draft")) == [(quote, "")]
    overview, _ = seed_page()
    assert Modality.objects.get(slug="interpersonal-therapy").overview == as_shown(overview)


def test_it_keeps_the_seeds_rows_as_a_seed_without_demo_leaves_them(db, settings):
    def seed_rows():
        # The rank is the day's shuffle over every listing, so more listings move it.
        therapists = Therapist.objects.filter(is_demo=False).order_by("pk").values()
        return {
            "therapists": [
                {k: v for k, v in row.items() if k not in {"rotation_rank", "updated_at"}}
                for row in therapists
            ],
            "quotes": list(Quote.objects.filter(therapist__is_demo=False).order_by("pk").values()),
            "licenses": list(
                License.objects.filter(therapist__is_demo=False).order_by("pk").values()
            ),
            "ipt": Modality.objects.filter(slug="interpersonal-therapy").values().get(),
        }

    seed(settings, debug=False)
    before = seed_rows()
    seed(settings, debug=True)
    after = seed_rows()
    assert after["therapists"] == before["therapists"]
    assert after["quotes"] == before["quotes"]
    assert after["licenses"] == before["licenses"]
    assert {k: v for k, v in after["ipt"].items() if k != "updated_at"} == {
        k: v for k, v in before["ipt"].items() if k != "updated_at"
    }


def test_it_adds_nothing_when_run_again_as_make_run_does_on_an_existing_file(
    seeded_with_demo, settings
):
    before = row_counts()
    out = seed(settings, debug=True)
    assert "exist already" in out
    assert row_counts() == before


def test_it_adds_the_demo_to_a_database_seeded_before_without_it(db, settings):
    seed(settings, debug=False)
    seed(settings, debug=True)
    assert Therapist.objects.filter(is_demo=True).count() == DEMO_THERAPISTS


def test_it_lists_someone_for_every_modality_concern_and_city(seeded_with_demo):
    listed = seeded_with_demo.listed()
    assert not Modality.objects.exclude(therapists__in=listed).exists()
    assert not Concern.objects.exclude(therapists__in=listed).exists()
    # The seed's cities among them: every city a newcomer can pick has listings.
    assert not City.objects.exclude(locations__therapist__in=listed).exists()
    assert City.objects.count() >= 20


def test_it_gives_every_modality_page_a_demo_specialist_in_their_own_words(
    seeded_with_demo, client
):
    live = Quote.objects.live().filter(therapist__in=seeded_with_demo)
    assert not Modality.objects.exclude(quotes__in=live).exists()
    for slug in Modality.objects.published().values_list("slug", flat=True):
        response = client.get(f"/modalities/{slug}/")
        assert response.status_code == 200
        assert "(demo)" in page_text(response), slug


def test_it_makes_every_modality_filter_find_demo_listings(seeded_with_demo, client):
    for slug in Modality.objects.published().values_list("slug", flat=True):
        response = client.get("/therapists/", {"modality": slug})
        assert response.status_code == 200
        assert "(demo)" in page_text(response), slug


def test_it_varies_what_people_filter_by(seeded_with_demo):
    demo = seeded_with_demo
    assert demo.values("session_fee").distinct().count() > 10
    assert demo.filter(session_fee__isnull=True).exists()
    assert demo.filter(sliding_scale=True).exists() and demo.filter(sliding_scale=False).exists()
    with_plans = demo.annotate(plans=Count("insurance_plans")).values_list("plans", flat=True)
    assert 0 in with_plans and max(with_plans) >= 2
    assert demo.filter(telehealth=True).exists() and demo.filter(telehealth=False).exists()
    assert demo.filter(in_person=False).exists()
    assert demo.exclude(languages__slug="english").exists()
    assert demo.filter(languages__slug="spanish").count() > 10
    assert set(demo.values_list("gender", flat=True)) == {"woman", "man", "non-binary", ""}
    licenses = License.objects.filter(therapist__in=demo)
    assert licenses.verified().exists() and licenses.filter(verified_at__isnull=True).exists()


def test_it_confirms_availability_within_the_last_sixty_days(seeded_with_demo):
    demo = seeded_with_demo
    accepting = demo.filter(accepting_new_clients=True)
    assert DEMO_THERAPISTS * 0.5 < accepting.count() < DEMO_THERAPISTS
    since = timezone.localdate() - datetime.timedelta(days=60)
    assert not accepting.filter(
        Q(accepting_confirmed_on__lt=since) | Q(accepting_confirmed_on=None)
    )
    # So each of them shows as accepting now.
    assert demo.accepting().count() == accepting.count()


def test_it_shows_the_demo_in_the_directory_beside_the_seed(seeded_with_demo, client):
    response = client.get("/therapists/", {"state": "CA"})
    assert response.status_code == 200
    assert "(demo)" in page_text(response)


def test_item_11_the_ipt_page_shows_its_ten_seeded_quotes_beside_the_demo_every_day(
    seeded_with_demo, client, settings
):
    ipt = "/modalities/interpersonal-therapy/"
    quoted = Quote.objects.live().filter(modality__slug="interpersonal-therapy").count()
    assert quoted > settings.MODALITY_SPECIALISTS_SHOWN, "more IPT quotes than the page shows"
    _, specialists = seed_page()
    start = timezone.localdate()
    for days in range(7):  # a week of rotations: no day's order may hide one of the ten
        Therapist.objects.rotate(start + datetime.timedelta(days=days))
        response = client.get(ipt)
        text = page_text(response)
        for quote, name, credential, city, state in specialists:
            assert f"{quote} — {name}, {credential} in {city}, {state}" in text, (days, name)
        # More quoted specialists than shown: the page links to all of them.
        total = Therapist.objects.listed().filter(modalities__slug="interpersonal-therapy")
        link = f"See all {total.count()} Interpersonal Therapy specialists in the directory"
        assert ("/therapists/?modality=interpersonal-therapy", link) in page_links(response)
    listing = page_text(client.get("/therapists/", {"modality": "interpersonal-therapy"}))
    assert f"{total.count()} therapists" in listing

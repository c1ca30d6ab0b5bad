"""seed_demo: fictional therapists in bulk, the same for the same seed, the seed page untouched."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Q
from django.forms.models import model_to_dict

from modalities.models import Concern, Modality
from tests.conftest import as_shown, page_text, seed_page
from therapists.models import City, License, Location, Quote, Therapist, searchable

N = 300


def seed_demo(**options):
    out = StringIO()
    call_command("seed_demo", therapists=options.pop("therapists", N), stdout=out, **options)
    return out.getvalue()


def demo_therapists(seed=1):
    return Therapist.objects.filter(slug__startswith=f"demo-{seed}-")


def summary(seed):
    """What one seed must give every time: names, primary city, fee, listing, credential and
    modalities, keyed by slug so that database ids play no part."""
    demo = demo_therapists(seed)
    cities = dict(
        Location.objects.filter(therapist__in=demo, is_primary=True).values_list(
            "therapist__slug", "city__slug"
        )
    )
    credentials = dict(
        License.objects.filter(therapist__in=demo, is_primary=True).values_list(
            "therapist__slug", "credential__slug"
        )
    )
    modalities = {}
    for slug, modality in Therapist.modalities.through.objects.filter(
        therapist__in=demo
    ).values_list("therapist__slug", "modality__slug"):
        modalities.setdefault(slug, set()).add(modality)
    return [
        (slug, name, fee, listed, cities[slug], credentials[slug], sorted(modalities[slug]))
        for slug, name, fee, listed in demo.order_by("slug").values_list(
            "slug", "display_name", "session_fee", "is_listed"
        )
    ]


def seed_rows():
    """Every field of the seed's IPT modality and of its ten therapists' rows."""
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    return {
        "ipt": model_to_dict(ipt) | {"updated_at": ipt.updated_at, "versions": ipt.history.count()},
        "quotes": list(Quote.objects.filter(therapist__pk__lte=10).order_by("pk").values()),
        "therapists": list(Therapist.objects.filter(pk__lte=10).order_by("pk").values()),
        "licenses": list(License.objects.filter(therapist__pk__lte=10).order_by("pk").values()),
        "locations": list(Location.objects.filter(therapist__pk__lte=10).order_by("pk").values()),
        "cities": list(City.objects.filter(pk__lte=10).order_by("pk").values()),
    }


def test_it_creates_the_therapists_each_with_one_primary_license_and_location(seeded):
    seed_demo()
    demo = demo_therapists()
    assert demo.count() == N
    assert N * 0.9 < demo.listed().count() < N
    primaries = demo.annotate(
        licenses_=Count("licenses", filter=Q(licenses__is_primary=True), distinct=True),
        locations_=Count("locations", filter=Q(locations__is_primary=True), distinct=True),
    )
    assert set(primaries.values_list("licenses_", "locations_")) == {(1, 1)}
    for therapist in demo.with_signature():
        assert therapist.primary_license.state == therapist.primary_location.city.state


def test_it_spreads_the_details_as_real_listings_do(seeded):
    seed_demo()
    demo = demo_therapists()
    fees = list(demo.values_list("session_fee", flat=True))
    assert all(fee is None or 60 <= fee <= 250 for fee in fees)
    assert 0 < fees.count(None) < N * 0.2
    practising = dict(
        Modality.objects.annotate(n=Count("therapists", filter=Q(therapists__in=demo))).values_list(
            "slug", "n"
        )
    )
    assert practising["cognitive-behavioral-therapy"] > practising["interpersonal-therapy"]
    links = Therapist.modalities.through.objects.filter(therapist__in=demo)
    per_therapist = links.values("therapist").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per_therapist) <= {1, 2, 3, 4}
    assert len(per_therapist) == N
    assert demo.filter(languages__slug="english").count() > N * 0.9
    assert demo.filter(gender="").count() > N * 0.2
    assert demo.filter(accepting_new_clients=True).count() > N * 0.5
    quotes = Quote.objects.filter(therapist__in=demo)
    assert N * 0.5 < quotes.count() < links.count()
    assert quotes.pending().exists()
    assert not quotes.filter(text="").exists()


def test_it_gives_the_same_therapists_for_the_same_seed(seeded):
    seed_demo(seed=6)
    other_seed = summary(6)
    seed_demo(seed=5)
    first = summary(5)
    out = seed_demo(seed=5, replace=True)
    assert f"Deleted {N} demo therapists of seed 5." in out
    assert summary(5) == first
    assert summary(6) == other_seed
    assert [row[1] for row in first] != [row[1] for row in other_seed]


def test_it_leaves_the_seeded_ipt_page_untouched(seeded):
    overview, specialists = seed_page()
    before = seed_rows()
    seed_demo()
    seed_demo(replace=True)
    assert seed_rows() == before
    ipt = Modality.objects.get(slug="interpersonal-therapy")
    assert ipt.overview == as_shown(overview)
    live = Quote.objects.filter(modality=ipt, therapist__pk__lte=10)
    assert sorted(live.values_list("text", flat=True)) == sorted(q for q, *_ in specialists)


def test_it_marks_every_demo_name_as_fictional(seeded):
    seed_demo()
    seeded_names = {name for _, name, *_ in seed_page()[1]}
    for name, slug, search_name, email, phone in demo_therapists().values_list(
        "display_name", "slug", "search_name", "email", "phone"
    ):
        assert name.endswith(" (demo)")
        assert name.removesuffix(" (demo)") not in seeded_names
        assert slug.startswith("demo-1-")
        assert search_name == searchable(name)
        assert email == "" or email.endswith("@example.com")
        assert phone == "" or "555-01" in phone
    assert not Therapist.objects.exclude(slug__startswith="demo-").filter(
        display_name__endswith="(demo)"
    )


def test_it_says_plainly_in_each_bio_that_the_listing_is_made_up(seeded):
    seed_demo(therapists=20)
    for name, bio in demo_therapists().values_list("display_name", "bio"):
        assert bio.startswith(
            "This is a fictional listing, made up so you can try the directory. "
            f"{name.removesuffix(' (demo)')} is not a real therapist."
        )
        # No developer's words on a public page, nor a claim the contact page contradicts.
        assert "seed_demo" not in bio
        assert "command" not in bio
        assert "cannot be contacted" not in bio


def test_it_puts_every_office_in_a_city_with_coordinates(seeded):
    seed_demo()
    cities = City.objects.filter(locations__therapist__in=demo_therapists()).distinct()
    assert cities.count() >= 10
    for city in cities:
        assert 17 < city.latitude < 72 and -180 < city.longitude < -64, city
        assert city.slug.endswith(f"-{city.state.lower()}")
    # About max(20, N // 50) cities in all, the seed's Los Angeles among them as it was.
    assert 20 <= City.objects.count() <= 30
    assert cities.filter(slug="los-angeles-ca", latitude=34.0365, longitude=-118.2949).exists()


def test_it_lists_demo_therapists_by_state_and_near_a_zip(seeded, client):
    seed_demo()
    for url in ["/therapists/?state=CA", "/therapists/?near=90012&radius=25"]:
        response = client.get(url)
        assert response.status_code == 200
        # Page one holds twenty listings and the seed has at most seven near here.
        assert "(demo)" in page_text(response), url


def test_it_says_so_and_changes_nothing_when_run_twice(seeded):
    seed_demo()
    before = summary(1)
    out = seed_demo()
    assert "exist already" in out
    assert "--replace" in out
    assert summary(1) == before


def test_it_loads_the_vocabulary_first_on_a_fresh_database(db):
    out = seed_demo(therapists=30)
    assert "Created 30 demo therapists" in out
    assert Modality.objects.filter(slug="interpersonal-therapy").exists()
    assert demo_therapists().count() == 30


def test_it_marks_every_row_it_writes_as_a_demo_listing(seeded):
    seed_demo(seed=3)
    assert set(demo_therapists(3).values_list("is_demo", flat=True)) == {True}
    assert not Therapist.objects.exclude(slug__startswith="demo-").filter(is_demo=True).exists()


def test_it_deals_every_modality_concern_and_city_to_someone_listed(seeded):
    seed_demo(seed=4)
    listed = demo_therapists(4).listed()
    assert not Modality.objects.exclude(therapists__in=listed).exists()
    assert not Concern.objects.exclude(therapists__in=listed).exists()
    assert not City.objects.exclude(locations__therapist__in=listed).exists()
    # And a live quote on each modality, for its page's "Meet the specialists".
    live = Quote.objects.live().filter(therapist__in=listed)
    assert set(live.values_list("modality__slug", flat=True)) == set(
        Modality.objects.values_list("slug", flat=True)
    )

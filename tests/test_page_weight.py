"""Pages stay small on a phone: the listing's HTML and the one stylesheet are measured."""

import gzip

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from modalities.models import AgeGroup, Concern, Format, Modality
from tests.conftest import make_city, make_therapist
from therapists.models import InsurancePlan, Language


def test_it_keeps_the_listing_of_twenty_under_40_kb(client, seeded):
    # Every vocabulary term has results, so every facet option is drawn with its count.
    vocabulary = {
        "modalities": Modality.objects.all(),
        "concerns": Concern.objects.all(),
        "languages": Language.objects.all(),
        "formats": Format.objects.all(),
        "age_groups": AgeGroup.objects.all(),
        "insurance_plans": InsurancePlan.objects.all(),
    }
    for number in range(25):
        therapist = make_therapist(
            f"Fictional Practitioner With A Longer Name {number:02}",
            city=make_city(f"Fictional Town {number:02}", "OR"),
            headline="A calm, practical therapist for adults and couples, in person and online.",
            pronouns="they/them",
            session_fee=140,
            telehealth=True,
        )
        for relation, terms in vocabulary.items():
            getattr(therapist, relation).set(terms)
    response = client.get("/therapists/")
    assert response.content.count(b'class="card"') == 20
    assert len(response.content) < 40_000, len(response.content)


def test_it_serves_one_stylesheet_under_4_kb_compressed_by_whitenoise(tmp_path):
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    [stylesheet] = (tmp_path / "css").glob("site.*.css")
    # What a visitor downloads once and keeps: 11 KB as written (listing layout, cards,
    # profile, contact and error pages), a third of that compressed.
    assert stylesheet.stat().st_size < 14_000
    compressed = stylesheet.with_name(stylesheet.name + ".gz").read_bytes()
    assert gzip.decompress(compressed) == stylesheet.read_bytes()
    assert len(compressed) < 4_000


def test_it_needs_no_javascript(client, seeded):
    for url in ("/", "/therapists/", "/modalities/interpersonal-therapy/", "/match/"):
        body = client.get(url).content.decode()
        assert "<script src" not in body
        assert ".js" not in body

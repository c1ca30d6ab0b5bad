"""Every admin list of the directory costs the same number of queries however long it is."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import ForeignKey
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify

from modalities.models import AgeGroup, Concern, Format
from tests.conftest import make_city, make_credential, make_modality, make_therapist
from therapists.models import (
    License,
    LicenseToRecheck,
    Location,
    PendingQuote,
    Quote,
    Therapist,
    verification_cutoff,
)

DIRECTORY_APPS = {"modalities", "therapists"}
ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in DIRECTORY_APPS
    ),
    key=lambda pair: pair[0]._meta.label,
)
ADMIN_IDS = [model._meta.label for model, _ in ADMINS]
MORE = 15


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_fictional_practices(staff_member, count=MORE):
    """`count` more therapists, each bringing a row to every list in the admin."""
    expired = verification_cutoff() - datetime.timedelta(days=30)
    for n in range(count):
        concern = Concern.objects.create(name=f"Fictional Worry {n}", slug=f"fictional-worry-{n}")
        modality = make_modality(f"Fictional Method {n}", abbreviation=f"FM{n}")
        modality.concerns.add(concern)
        modality.formats.add(
            Format.objects.create(name=f"Fictional Format {n}", slug=f"fictional-format-{n}")
        )
        modality.age_groups.add(
            AgeGroup.objects.create(name=f"Fictional Ages {n}", slug=f"fictional-ages-{n}")
        )
        therapist = make_therapist(
            f"Fictional Practitioner {n}",
            city=make_city(f"Fictional Town {n}", "OR"),
            credential=make_credential(f"Fictional Credential {n}", f"FC{n}"),
            modalities=[modality],
            quote=f"Fictional words on method {n}.",
        )
        therapist.concerns.add(concern)
        therapist.languages.create(name=f"Fictional Tongue {n}", slug=slugify(f"tongue {n}"))
        if n % 2:
            Quote.objects.get(therapist=therapist, modality=modality).submit(
                f"Fictional revised words on method {n}."
            )
        # Verified once, long enough ago to be waiting for a re-check.
        licenses = License.objects.filter(therapist=therapist)
        licenses.mark_verified(staff_member, f"https://board.example.org/lookup?n={n}")
        licenses.update(verified_at=expired)


def get_counting_queries(admin_client, url):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_it_lists_more_rows_without_more_queries(
    seeded, admin_client, admin_user, model, model_admin
):
    url = changelist(model)
    # A first visit fills per-process caches (content types and the like), uncounted.
    admin_client.get(url)
    before, queries_before = get_counting_queries(admin_client, url)

    add_fictional_practices(admin_user)
    after, queries_after = get_counting_queries(admin_client, url)

    assert after.context["cl"].result_count > before.context["cl"].result_count
    assert len(after.context["cl"].result_list) > len(before.context["cl"].result_list)
    assert queries_after == queries_before, (
        f"{model._meta.label}: {queries_before} queries for "
        f"{before.context['cl'].result_count} rows, {queries_after} for "
        f"{after.context['cl'].result_count}"
    )


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_it_opens_each_list_with_a_search_box_when_it_can_search(
    seeded, admin_client, model, model_admin
):
    response = admin_client.get(changelist(model))

    assert response.status_code == 200
    assert ('id="searchbar"' in response.content.decode()) == bool(model_admin.search_fields)


def shown_foreign_keys(model, model_admin):
    """The foreign keys among the list's columns: each shows a related row."""
    fields = {field.name: field for field in model._meta.get_fields()}
    return [name for name in model_admin.list_display if isinstance(fields.get(name), ForeignKey)]


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=ADMIN_IDS)
def test_it_joins_every_related_row_a_list_shows(model, model_admin):
    joined = model_admin.list_select_related
    for name in shown_foreign_keys(model, model_admin):
        assert joined is True or name in joined, f"{model._meta.label} shows {name} unjoined"


@pytest.mark.parametrize(
    "model", [License, Location, Quote, PendingQuote, LicenseToRecheck, Therapist]
)
def test_it_sets_list_select_related_on_the_lists_of_related_rows(model):
    model_admin = admin.site._registry[model]

    assert model_admin.list_select_related
    if model is not Therapist:
        assert shown_foreign_keys(model, model_admin)

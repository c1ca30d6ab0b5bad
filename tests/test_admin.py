"""The admin site: every page of the directory's models opens for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

DIRECTORY_APPS = {"modalities", "therapists"}
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in DIRECTORY_APPS
)
REGISTERED_IDS = [f"{app_label}.{model_name}" for app_label, model_name in REGISTERED]
# The review queue and the re-check list only show existing rows: nothing to add there.
ADDABLE = [
    model
    for model in REGISTERED
    if model not in {("therapists", "pendingquote"), ("therapists", "licensetorecheck")}
]


def test_it_registers_every_model_of_the_directory():
    assert REGISTERED == [
        ("modalities", "agegroup"),
        ("modalities", "concern"),
        ("modalities", "format"),
        ("modalities", "modality"),
        ("therapists", "city"),
        ("therapists", "credential"),
        ("therapists", "language"),
        ("therapists", "license"),
        ("therapists", "licensetorecheck"),
        ("therapists", "location"),
        ("therapists", "pendingquote"),
        ("therapists", "quote"),
        ("therapists", "therapist"),
    ]


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED, ids=REGISTERED_IDS)
def test_it_opens_the_changelist_of_every_model(seeded, admin_client, app_label, model_name):
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), ADDABLE, ids=[".".join(m) for m in ADDABLE])
def test_it_opens_the_add_page_of_every_model(seeded, admin_client, app_label, model_name):
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_add"))

    assert response.status_code == 200


def test_it_offers_no_add_page_in_the_review_queue(admin_client):
    assert admin_client.get(reverse("admin:therapists_pendingquote_add")).status_code == 403


def test_it_opens_the_change_page_of_a_seeded_therapist(seeded, admin_client):
    response = admin_client.get(reverse("admin:therapists_therapist_change", args=[1]))

    assert response.status_code == 200
    assert "Steven Su" in response.content.decode()


def test_it_opens_the_change_page_of_the_ipt_modality(seeded, admin_client):
    response = admin_client.get(reverse("admin:modalities_modality_change", args=[1]))

    assert response.status_code == 200
    assert "Interpersonal Therapy" in response.content.decode()


def test_it_finds_a_therapist_by_part_of_the_name(seeded, admin_client):
    response = admin_client.get(reverse("admin:therapists_therapist_changelist"), {"q": "Su"})

    assert response.status_code == 200
    assert "Steven Su" in [str(therapist) for therapist in response.context["cl"].result_list]


def test_it_suggests_credentials_while_typing_a_license(seeded, admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "therapists",
            "model_name": "license",
            "field_name": "credential",
            "term": "Clinical",
        },
    )

    assert response.status_code == 200
    suggestions = [result["text"] for result in response.json()["results"]]
    assert "Licensed Clinical Social Worker" in suggestions


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/admin/therapists/therapist/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/therapists/therapist/")


def test_it_lists_the_therapists_in_a_fixed_number_of_queries(
    seeded, admin_client, django_assert_max_num_queries
):
    # Measured: 6 queries. The session; the user; the modalities for the "modalities"
    # filter in the sidebar; the count of therapists matching the filters; the count of all
    # therapists (shown beside it); the page of therapists itself. The therapist rows need
    # no join, as list_display shows only the therapist's own fields.
    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("admin:therapists_therapist_changelist"))

    assert response.status_code == 200

"""Every field of every form has a server-side length bound, and a value past it is
refused with a clear error and never shown back: 100 KB of ZIP code is not a page of
100 KB."""

import inspect
import re
from importlib import import_module

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import page_text
from therapists.forms import InvitationForm
from therapists.match import MatchForm
from therapists.models import Therapist
from therapists.search.facets import Vocabulary
from therapists.search.filterset import TherapistFilter

PROJECT_APPS = ("directory", "therapists", "modalities")
HUGE = "9" * 100_000


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def served_by_urls(patterns=None):
    """Form classes the URLconf's class-based views are given or have (Django's own too)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from served_by_urls(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", None)
            initkwargs = getattr(pattern.callback, "view_initkwargs", {})
            # As LoginView.get_form_class() picks: authentication_form, else form_class.
            for attr in ("authentication_form", "form_class"):
                form_class = initkwargs.get(attr) or getattr(view, attr, None)
                if form_class is not None:
                    yield form_class
                    break


def admin_forms(request):
    """Each registered ModelAdmin's add and change forms, and those of its inlines."""
    for model, model_admin in admin.site._registry.items():
        objects = [None, model.objects.first()]
        for obj in dict.fromkeys(objects):
            yield f"admin {model.__name__}", model_admin.get_form(request, obj)()
            for inline in model_admin.get_inline_instances(request, obj):
                formset = inline.get_formset(request, obj)
                yield f"admin {model.__name__} inline {inline.model.__name__}", formset.form()


def every_form(request):
    import_module(settings.ROOT_URLCONF)
    # Every form class the project defines, with the fields it declares or its model gives.
    for form_class in subclasses(forms.BaseForm):
        if form_class.__module__.split(".")[0] in PROJECT_APPS:
            yield form_class.__qualname__, form_class.base_fields
    for form_class in served_by_urls():
        # Django's own, as its views make them: some set their limits when made.
        wants = inspect.signature(form_class).parameters
        given = {"user": request.user, "request": request}
        form = form_class(**{name: value for name, value in given.items() if name in wants})
        yield form_class.__qualname__, form.fields
    # Forms whose fields are made when they are.
    vocabulary = Vocabulary.load()
    yield "TherapistFilter", TherapistFilter(vocabulary=vocabulary).form.fields
    yield "MatchForm", MatchForm(vocabulary=vocabulary).fields
    yield "InvitationForm", InvitationForm(therapists=Therapist.objects.all()[:3]).fields
    for name, form in admin_forms(request):
        yield name, form.fields


def text_fields(fields):
    for name, field in fields.items():
        if isinstance(field, forms.MultiValueField):
            yield from text_fields({f"{name}_{n}": sub for n, sub in enumerate(field.fields)})
        elif isinstance(field, forms.CharField):
            yield name, field


@pytest.fixture
def superuser_request(seeded):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser(
        "walker@example.org", "walker@example.org", "not-used-here"
    )
    return request


def test_it_bounds_the_length_of_every_text_field_of_every_form(superuser_request):
    seen, unbounded = set(), []
    for form_name, fields in every_form(superuser_request):
        for name, field in text_fields(fields):
            seen.add(f"{form_name}.{name}")
            # The admin's user-management forms (superusers only) keep Django's own.
            if isinstance(field.widget, forms.PasswordInput) and form_name.startswith("admin "):
                continue
            if field.max_length is None:
                unbounded.append(f"{form_name}.{name} ({type(field).__name__})")

    assert unbounded == [], "\n".join(unbounded)
    # The walk did reach the forms of the report and the admin's long texts.
    assert {
        "MatchForm.zip_code",
        "HomeSearchForm.near",
        "TherapistFilter.q",
        "TherapistFilter.near",
        "ProfileForm.bio",
        "admin Therapist.bio",
        "admin Modality.overview",
        "admin Quote.draft",
        "admin Therapist inline License.number",
    } <= seen


def refused_without_echo(response, field_label):
    assert response.status_code == 200
    body = response.content.decode()
    assert not re.search("9{200}", body), "the long value came back"
    assert len(body) < 60_000
    assert "Ensure this value has at most" in page_text(response)
    assert field_label in page_text(response)


def test_it_refuses_a_100_kb_zip_code_on_find_your_match_without_echoing_it(seeded, client):
    response = client.post("/match/", {"zip_code": HUGE, "language": HUGE, "budget": HUGE})

    refused_without_echo(response, "Your ZIP code")
    assert "Enter your ZIP code as 5 digits, like 90012." in page_text(response)
    assert response.status_code == 200 and response.context["nobody_found"] is None
    assert {"zip_code", "language", "budget"} <= set(response.context["form"].errors)


@pytest.mark.parametrize("param", sorted(TherapistFilter.base_filters))
def test_it_refuses_a_100_kb_value_in_any_directory_parameter_without_echoing_it(
    seeded, client, param
):
    response = client.get("/therapists/", {param: HUGE})

    refused_without_echo(response, "Some filters could not be used")
    assert list(response.context["filter"].form.errors) == [param]


def test_it_still_shows_back_a_value_within_the_bound(seeded, client):
    response = client.get("/therapists/", {"q": "Fictional Name", "near": "00000"})

    assert 'value="Fictional Name"' in response.content.decode()
    assert 'value="00000"' in response.content.decode()
    assert "We could not find the ZIP code “00000”" in page_text(response)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_it_refuses_a_100_kb_password_at_sign_in_with_a_clear_error(seeded, client, path):
    response = client.post(path, {"username": "someone@example.org", "password": HUGE})

    assert response.status_code == 200
    assert "Ensure this value has at most 1024 characters" in page_text(response)
    assert HUGE not in response.content.decode()


@pytest.mark.parametrize(
    "path, field",
    [
        ("/accounts/login/", "username"),
        ("/admin/login/", "username"),
        ("/accounts/password_reset/", "email"),
    ],
)
def test_it_refuses_a_100_kb_sign_in_name_or_address_without_echoing_it(
    seeded, client, path, field
):
    response = client.post(path, {field: HUGE, "password": "not-this-one"})

    assert response.status_code == 200
    assert re.search(r"Ensure this value has at most \d+ characters", page_text(response))
    assert not re.search("9{200}", response.content.decode()), "the long value came back"


def test_it_refuses_an_admin_sign_in_name_longer_than_the_throttle_records(seeded, client):
    # 256 characters: past what django-axes stores for a failed sign-in's name.
    response = client.post("/admin/login/", {"username": "u" * 256, "password": "wrong"})

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in page_text(response)

"""Curators keep modality pages right: history, restore, no lost edits, preview, roles."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from modalities.models import Concern, Modality
from tests.conftest import admin_form_data, as_shown, make_modality, page_text, seed_page

IPT_PAGE = "/modalities/interpersonal-therapy/"
IPT_ADMIN = reverse("admin:modalities_modality_change", args=[1])
IPT_HISTORY = reverse("admin:modalities_modality_history", args=[1])
PASSWORD = "a-long-enough-fictional-passphrase"


@pytest.fixture
def curator(db):
    user = User.objects.create_user("curator@example.org", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    return user


@pytest.fixture
def second_curator(db):
    user = User.objects.create_user("second@example.org", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    return user


def edit_ipt(client, user, **changes):
    client.force_login(user)
    data = admin_form_data(client.get(IPT_ADMIN))
    data.update(changes)
    return client.post(IPT_ADMIN, data)


def test_it_shows_a_curators_change_at_once_and_keeps_both_versions(seeded, curator, client):
    overview, _ = seed_page()
    response = edit_ipt(client, curator, overview="A curated overview of IPT.")
    assert response.status_code == 302, page_text(response)

    client.logout()
    public = page_text(client.get(IPT_PAGE))
    assert "A curated overview of IPT." in public
    assert as_shown(overview) not in public

    client.force_login(curator)
    history = client.get(IPT_HISTORY)
    assert history.status_code == 200
    versions = list(Modality.history.filter(id=1).order_by("history_id"))
    # The seed's words, then the site's own name in them (item 12), then this curator's.
    assert [v.overview for v in versions] == [
        overview,
        as_shown(overview),
        "A curated overview of IPT.",
    ]
    assert versions[2].history_user == curator
    text = page_text(history)
    assert "curator@example.org" in text
    assert "Loaded from the seed" in text


def test_it_shows_what_changed_between_versions(seeded, curator, client):
    edit_ipt(client, curator, typical_length="About 12 to 16 weeks")
    text = page_text(client.get(IPT_HISTORY))
    assert "Seldom longer than 16 weeks → About 12 to 16 weeks" in text


def test_it_marks_the_changed_words_of_a_long_text_in_the_history(seeded, curator, client):
    overview, _ = seed_page()
    edit_ipt(client, curator, overview=overview.replace("short-term", "brief <b>"))
    body = client.get(IPT_HISTORY).content.decode()
    assert "<del>short-term,</del>" in body
    assert "<ins>brief &lt;b&gt;,</ins>" in body
    assert "seldom lasts longer than 16 weeks" in body  # unchanged words shown whole


def test_it_restores_the_seed_text_word_for_word_as_a_new_version(seeded, curator, client):
    overview, _ = seed_page()
    edit_ipt(client, curator, overview="A curated overview of IPT.")
    first = Modality.history.filter(id=1).order_by("history_id").first()
    restore_url = reverse("admin:modalities_modality_simple_history", args=[1, first.history_id])
    page = client.get(restore_url)
    assert page.status_code == 200
    response = client.post(restore_url, admin_form_data(page))
    assert response.status_code == 302, page_text(response)
    assert Modality.objects.get(pk=1).overview == overview
    assert Modality.history.filter(id=1).count() == 4  # seed, site's name, edit, restore
    client.logout()
    assert overview in page_text(client.get(IPT_PAGE))


def test_it_refuses_a_save_over_a_change_made_since_the_form_was_opened(
    seeded, curator, second_curator, client
):
    client.force_login(curator)
    first_form = admin_form_data(client.get(IPT_ADMIN))
    client.force_login(second_curator)
    second_form = admin_form_data(client.get(IPT_ADMIN))

    first_form["overview"] = "The first curator's overview."
    client.force_login(curator)
    assert client.post(IPT_ADMIN, first_form).status_code == 302

    second_form["overview"] = "The second curator's overview, typed with care."
    client.force_login(second_curator)
    refused = client.post(IPT_ADMIN, second_form)
    assert refused.status_code == 200
    text = page_text(refused)
    assert "Not saved: curator@example.org changed this page at" in text
    shown_again = refused.context["adminform"].form["overview"].value()
    assert shown_again == "The second curator's overview, typed with care."
    assert (
        "The second curator&#x27;s overview, typed with care.</textarea>"
        in refused.content.decode()
    )
    assert Modality.objects.get(pk=1).overview == "The first curator's overview."

    # Having seen the other change, saving the re-shown form again is deliberate.
    again = admin_form_data(refused)
    assert client.post(IPT_ADMIN, again).status_code == 302
    assert Modality.objects.get(pk=1).overview == "The second curator's overview, typed with care."


def test_it_records_the_review_date_when_a_curator_saves(seeded, curator, client):
    Modality.objects.filter(pk=1).update(reviewed_on=None)
    edit_ipt(client, curator)
    assert Modality.objects.get(pk=1).reviewed_on is not None
    client.logout()
    assert "Reviewed on " in page_text(client.get(IPT_PAGE))


def test_it_shows_the_seeded_facts_and_the_crisis_line_on_the_ipt_page(client, seeded):
    text = page_text(client.get(IPT_PAGE))
    assert "Typical length Seldom longer than 16 weeks" in text
    for concern in ("Depression", "Anxiety", "Social phobia", "Postpartum depression", "Trauma"):
        assert concern in text
    assert "Reviewed on November 25, 2026" in text
    assert "call or text 988" in text
    assert "call 911" in text


def test_it_shows_formats_ages_and_references(client, seeded):
    ipt = Modality.objects.get(pk=1)
    ipt.formats.set([1, 4])
    ipt.age_groups.set([3])
    ipt.references.create(title="A fictional handbook of IPT", url="https://example.org/ipt")
    response = client.get(IPT_PAGE)
    text = page_text(response)
    assert "Formats Individual, Group" in text
    assert "Ages Adults" in text
    assert "References A fictional handbook of IPT" in text


def test_it_previews_an_unpublished_modality_for_staff_only(client, seeded, curator):
    draft = make_modality("Draft Modality", is_published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    for url in ("/", "/modalities/"):
        assert "Draft Modality" not in page_text(client.get(url))
    client.force_login(curator)
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "Not published. Only staff can see this page until it is published." in page_text(
        preview
    )
    published = page_text(client.get(IPT_PAGE))
    assert "Not published" not in published


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:modalities_modality_changelist"),
        IPT_ADMIN,
        IPT_HISTORY,
        reverse("admin:modalities_modality_add"),
        reverse("admin:modalities_concern_changelist"),
        reverse("admin:modalities_concern_change", args=[1]),
        reverse("admin:therapists_pendingquote_changelist"),
    ],
)
def test_it_lets_a_curator_reach_modalities_concerns_and_the_review_queue(
    client, seeded, curator, url
):
    client.force_login(curator)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:therapists_therapist_changelist"),
        reverse("admin:therapists_therapist_change", args=[1]),
        reverse("admin:therapists_license_changelist"),
        reverse("admin:therapists_license_change", args=[1]),
        reverse("admin:therapists_licensetorecheck_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:therapists_quote_changelist"),
    ],
)
def test_it_refuses_a_curator_therapists_licenses_and_accounts(client, seeded, curator, url):
    client.force_login(curator)
    assert client.get(url).status_code == 403


def test_it_does_not_let_a_curator_change_a_license_by_post(client, seeded, curator):
    client.force_login(curator)
    response = client.post(
        reverse("admin:therapists_license_changelist"),
        {
            "action": "mark_verified",
            "_selected_action": [1],
            "confirm": "1",
            "source": "https://example.org",
        },
    )
    assert response.status_code == 403
    from therapists.models import License

    assert License.objects.get(pk=1).verified_at is None


def test_it_restores_an_earlier_concern_name_through_the_stale_edit_check(
    transactional_db, seeded, admin_user, client
):
    # Transactional: the restore must bring its own transaction for the row lock.
    concern = Concern.objects.get(slug="grief")
    change = reverse("admin:modalities_concern_change", args=[concern.pk])
    client.force_login(admin_user)
    data = admin_form_data(client.get(change))
    assert client.post(change, {**data, "name": "Grief and loss"}).status_code == 302
    first = Concern.history.filter(id=concern.pk).order_by("history_id").first()
    restore = reverse(
        "admin:modalities_concern_simple_history", args=[concern.pk, first.history_id]
    )
    response = client.post(restore, admin_form_data(client.get(restore)))
    assert response.status_code == 302, page_text(response)
    assert Concern.objects.get(pk=concern.pk).name == first.name

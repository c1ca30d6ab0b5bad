"""No save undoes a change it never showed: stale staff forms are refused, and every form
writes only its own fields.

The site runs for real: staff sign in at /admin/login/, therapists at /accounts/login/,
each in a browser with cookies of its own, and each form is sent back as read from its page.
"""

import pytest
from django.contrib.auth.models import User
from django.db.models.signals import pre_save

from modalities.models import Concern
from tests.conftest import make_concern, make_modality, make_therapist
from tests.live_http import Browser
from therapists.models import Therapist

PASSWORD = "a-long-enough-fictional-passphrase"
EDIT = "/profile/edit/"
STALE = "Not saved:"


@pytest.fixture
def therapist(live_server, transactional_db):
    user = User.objects.create_user("editor@example.org", "editor@example.org", PASSWORD)
    return make_therapist(
        "Fictional Editor",
        modalities=[make_modality("Sample Modality")],
        quote="Fictional live words on the approach.",
        user=user,
        bio="The bio as it was.",
        email="old@example.org",
    )


def signed_in(live_server, login, username):
    browser = Browser(live_server.url)
    browser.sign_in(login, username, PASSWORD)
    return browser


def staff_browser(live_server, username="staff@example.org"):
    User.objects.create_superuser(username, username, PASSWORD)
    return signed_in(live_server, "/admin/login/?next=/admin/", username)


def change_page(obj):
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def test_it_refuses_a_staff_save_of_a_listing_opened_before_the_therapist_changed_it(
    live_server, therapist
):
    staff = staff_browser(live_server)
    own = signed_in(live_server, "/accounts/login/", "editor@example.org")
    listing = change_page(therapist)
    opened = staff.get(listing)

    status, _location, _page = own.submit(
        EDIT,
        own.get(EDIT),
        having="bio",
        bio="The bio the therapist wrote.",
        email="new@example.org",
    )
    assert status == 302
    status, _location, refused = staff.submit(
        listing,
        opened,
        form_id="therapist_form",
        headline="A headline staff typed with care",
        _save="Save",
    )

    therapist.refresh_from_db()
    assert (therapist.bio, therapist.email) == ("The bio the therapist wrote.", "new@example.org")
    assert therapist.headline == ""
    assert status == 200
    assert f"{STALE} someone changed this page at" in refused
    assert 'value="A headline staff typed with care"' in refused
    # The re-shown form holds the therapist's changes where staff changed nothing.
    assert "The bio the therapist wrote." in refused
    assert 'value="new@example.org"' in refused

    # Saving the re-shown form again makes the staff's change and keeps the therapist's.
    status, _location, _page = staff.submit(
        listing, refused, form_id="therapist_form", _save="Save"
    )
    assert status == 302
    therapist.refresh_from_db()
    assert therapist.headline == "A headline staff typed with care"
    assert (therapist.bio, therapist.email) == ("The bio the therapist wrote.", "new@example.org")


def test_it_keeps_a_draft_the_therapist_submitted_while_staff_had_the_listing_open(
    live_server, therapist
):
    staff = staff_browser(live_server)
    own = signed_in(live_server, "/accounts/login/", "editor@example.org")
    listing = change_page(therapist)
    opened = staff.get(listing)  # the quotes are on the listing's page, to read

    quote_page = "/profile/quotes/sample-modality/"
    status, _location, _page = own.submit(
        quote_page,
        own.get(quote_page),
        having="text",
        text="A draft for review.",
        action="submit",
    )
    assert status == 302
    status, _location, _page = staff.submit(
        listing, opened, form_id="therapist_form", pronouns="she/her", _save="Save"
    )

    assert status == 302
    quote = therapist.quotes.get()
    assert (quote.draft, quote.draft_status) == ("A draft for review.", "pending")
    assert quote.text == "Fictional live words on the approach."
    therapist.refresh_from_db()
    assert therapist.pronouns == "she/her"


def test_it_keeps_a_staff_correction_made_while_the_therapist_had_their_form_open(
    live_server, therapist
):
    staff = staff_browser(live_server)
    own = signed_in(live_server, "/accounts/login/", "editor@example.org")
    profile_form = own.get(EDIT)

    status, _location, _page = staff.submit(
        change_page(therapist),
        staff.get(change_page(therapist)),
        form_id="therapist_form",
        bio="The bio as staff corrected it.",
        _save="Save",
    )
    assert status == 302
    status, _location, _page = own.submit(EDIT, profile_form, having="bio", pronouns="they/them")

    assert status == 302
    therapist.refresh_from_db()
    assert (therapist.bio, therapist.pronouns) == ("The bio as staff corrected it.", "they/them")


def test_it_keeps_a_license_edited_while_staff_had_the_listing_open(live_server, therapist):
    first = staff_browser(live_server)
    second = staff_browser(live_server, "second@example.org")
    listing = change_page(therapist)
    opened = first.get(listing)  # licenses and locations are inline on the listing's page

    license = therapist.licenses.get()
    status, _location, _page = second.submit(
        change_page(license),
        second.get(change_page(license)),
        form_id="license_form",
        number="NEW-NUMBER-999",
        _save="Save",
    )
    assert status == 302
    status, _location, _page = first.submit(
        listing, opened, form_id="therapist_form", headline="A new headline", _save="Save"
    )

    license.refresh_from_db()
    therapist.refresh_from_db()
    assert license.number == "NEW-NUMBER-999"
    assert therapist.headline == "A new headline"


def test_it_keeps_a_staff_unlisting_made_while_the_therapist_saved_their_profile(
    live_server, therapist
):
    staff = staff_browser(live_server)
    own = signed_in(live_server, "/accounts/login/", "editor@example.org")
    listing = change_page(therapist)
    unlisting = staff.get(listing)
    profile_form = own.get(EDIT)

    def staff_unlist_first(sender, instance, update_fields=None, **kwargs):
        # The race, made certain: the therapist's request has read the listing and is about
        # to write it when staff's unlisting, sent through the admin, commits.
        pre_save.disconnect(staff_unlist_first, sender=Therapist)
        status, _location, page = staff.submit(
            listing, unlisting, form_id="therapist_form", is_listed=[], _save="Save"
        )
        assert status == 302, page

    pre_save.connect(staff_unlist_first, sender=Therapist, weak=False)
    try:
        status, _location, _page = own.submit(
            EDIT, profile_form, having="bio", bio="The bio the therapist wrote."
        )
    finally:
        pre_save.disconnect(staff_unlist_first, sender=Therapist)

    assert status == 302
    therapist.refresh_from_db()
    assert therapist.bio == "The bio the therapist wrote."
    assert therapist.is_listed is False
    assert Browser(live_server.url).open(therapist.get_absolute_url())[0] == 404


def test_it_refuses_a_curators_save_of_a_concern_renamed_since_it_was_opened(
    live_server, transactional_db
):
    concern = make_concern("Sample concern")
    first = staff_browser(live_server, "first@example.org")
    second = staff_browser(live_server, "second@example.org")
    page = change_page(concern)
    first_form, second_form = first.get(page), second.get(page)

    status, _location, _page = first.submit(
        page,
        first_form,
        form_id="concern_form",
        name="Renamed by the first curator",
        _save="Save",
    )
    assert status == 302
    status, _location, refused = second.submit(
        page,
        second_form,
        form_id="concern_form",
        name="Renamed by the second curator",
        _save="Save",
    )

    assert Concern.objects.get(pk=concern.pk).name == "Renamed by the first curator"
    assert status == 200
    assert f"{STALE} first@example.org changed this page at" in refused
    assert 'value="Renamed by the second curator"' in refused

    status, _location, _page = second.submit(page, refused, form_id="concern_form", _save="Save")
    assert status == 302
    assert Concern.objects.get(pk=concern.pk).name == "Renamed by the second curator"

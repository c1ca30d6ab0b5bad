"""A therapist's photo in a real browser: chosen on its own page (linked from
/profile/edit/), waiting for review, approved, then seen by a visitor on the card and the
profile (the site's own CSP allows it, and it loads)."""

from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.helpers import screenshot, sign_in, staff_signs_in
from tests.browser.test_accessibility import describe, run_axe
from tests.test_photos import camera_jpeg
from therapists.models import Photo


def loaded(image):
    """Waits until the browser has fetched and decoded the image (lazily loaded, so not at
    once); a blocked or broken one never gets a width, and the wait fails."""
    return image.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def assert_accessible(open_page, url, signed_in=None):
    # bypass_csp: axe is injected as an inline script (see test_accessibility.py); the
    # journey's own pages keep the policy, which must let the photos load.
    page = open_page(bypass_csp=True)
    if signed_in:
        sign_in(page, *signed_in)
    page.goto(url)
    violations = run_axe(page)
    assert not violations, describe(violations)


def test_a_photo_sent_then_approved_shows_on_card_and_profile(
    open_page, site, steven, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }
    picture = tmp_path / "me.jpg"
    picture.write_bytes(camera_jpeg())
    page = open_page()
    sign_in(page, steven, site.url)
    page.goto("/profile/edit/")
    page.get_by_label("Headline:", exact=True).fill("Typed before choosing a photo")
    with page.expect_navigation():
        page.get_by_role("button", name="Save, then send, change or remove your photo").click()
    expect(page.get_by_text("Your listing is saved.")).to_be_visible()
    page.get_by_label("Photo:", exact=True).set_input_files(picture)
    with page.expect_navigation():
        page.get_by_role("button", name="Send the photo for review").click()
    expect(page.get_by_text("Waiting for review: shown once staff approve it.")).to_be_visible()
    waiting = page.get_by_role("img", name="The photo you sent")
    assert loaded(waiting)
    screenshot(page, "photo-waiting")
    assert_accessible(open_page, "/profile/photo/", signed_in=(steven, site.url))

    visitor = open_page("phone")
    visitor.goto("/therapists/steven-su/")
    expect(visitor.locator(".profile-header .initials")).to_be_visible()

    # A staff member who may decide on photos approves it in the review queue.
    reviewer = User.objects.create_user("photos@example.org", password=PASSWORD, is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="change_photo"))
    staff = open_page()
    staff_signs_in(staff, "photos@example.org", PASSWORD)
    staff.goto("/admin/review/")
    with staff.expect_navigation():
        staff.locator("table.review-list").get_by_role("link", name="Steven Su").click()
    assert loaded(staff.get_by_role("img", name="Photo waiting: Steven Su"))
    with staff.expect_navigation():
        staff.get_by_role("button", name="Approve").click()
    expect(staff.locator(".messagelist")).to_contain_text("Steven Su")
    assert Photo.objects.get().status == "approved"

    visitor.goto("/therapists/?q=Steven")
    card_photo = visitor.locator(".card .photo")
    expect(card_photo).to_be_visible()
    assert loaded(card_photo)
    visitor.goto("/therapists/steven-su/")
    profile_photo = visitor.get_by_role("img", name="Photo of Steven Su")
    expect(profile_photo).to_be_visible()
    assert loaded(profile_photo)
    assert visitor.context.cookies() == []
    screenshot(visitor, "photo-approved-profile")
    assert_accessible(open_page, "/therapists/steven-su/")

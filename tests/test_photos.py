"""A therapist's photo: sent from its own page, /profile/photo/, checked and stripped by
Pillow, stored as square WebP files through the storage API, public (on cards and the
profile) only once approved; initials until then."""

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageCms

from tests.conftest import make_therapist, make_therapist_with_account, page_text
from tests.forms import form_on
from therapists import photos
from therapists.models import Photo, ReviewStatus, Therapist

EDIT = "/profile/edit/"
PHOTO_PAGE = "/profile/photo/"
RED, BLUE = (220, 20, 20), (20, 20, 220)
# A place the test photo claims it was taken: it must not reach any stored file.
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def media(settings, tmp_path):
    """Photos stored on a fresh disk folder, as the default settings store them."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }
    return tmp_path


@pytest.fixture
def therapist(db, media):
    return make_therapist_with_account("Fictional Portrait", "photo@example.org")


@pytest.fixture
def signed_in(client, therapist):
    client.force_login(therapist.user)
    return client


def encoded(image, kind, **options):
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def halves(width=400, height=300, top=RED, bottom=BLUE, mode="RGB"):
    """A picture whose top half is one colour and bottom half another."""
    image = Image.new(mode, (width, height), bottom)
    image.paste(Image.new(mode, (width, height // 2), top), (0, 0))
    return image


def camera_jpeg():
    """A landscape JPEG as a phone writes it when held upright: the pixels lie on their
    side and EXIF says to turn them (orientation 6); EXIF also holds where it was taken,
    and XMP, a colour profile and a comment ride along."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (37.0, 46.0, 30.0), 3: "W", 4: (122.0, 25.0, 9.0)})
    return encoded(
        halves(),
        "JPEG",
        exif=exif.tobytes(),
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret place</x:xmpmeta>",
        comment=b"taken at home",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        quality=95,
    )


def upload(content, name="me.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def send(client, content, **kwargs):
    """Sends a file from the photo form as the photo page draws it."""
    form = form_on(client.get(PHOTO_PAGE), action=PHOTO_PAGE)
    return client.post(form.action, {**dict(form.data()), "photo": upload(content, **kwargs)})


def stored_files(photo):
    return {size: default_storage.open(f"{photo.name}-{size}.webp").read() for size in Photo.SIZES}


def approve(photo):
    Photo.objects.filter(pk=photo.pk).update(status=ReviewStatus.APPROVED)
    Therapist.objects.filter(pk=photo.therapist_id).update(photo=photo)


def photo_of(therapist, image=None):
    """A photo stored for `therapist` through the same code the form uses."""
    return photos.store_photo(therapist, photos.clean_square(image or halves(300, 300)))


def test_it_stores_a_camera_photo_upright_square_and_without_its_metadata(signed_in, therapist):
    response = send(signed_in, camera_jpeg())
    assert response.status_code == 302
    assert response["Location"] == PHOTO_PAGE
    photo = therapist.photos.get()
    assert photo.status == ReviewStatus.PENDING
    assert photo.name.startswith("photos/") and len(photo.name) == len("photos/") + 32
    for size, content in stored_files(photo).items():
        for marker in (b"Exif", b"EXIF", b"XMP", b"xmpmeta", b"secret place", b"taken at home"):
            assert marker not in content, (size, marker)
        image = Image.open(io.BytesIO(content))
        assert image.format == "WEBP"
        assert image.size == (size, size)
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        # Turned upright, the pixels' top half is on the right: blue left, red right (as
        # stored, the top-left corner would be red and the bottom-right blue).
        rgb = image.convert("RGB")
        assert is_near(rgb.getpixel((size // 8, size // 8)), BLUE)
        assert is_near(rgb.getpixel((size * 7 // 8, size * 7 // 8)), RED)
    # Still not public: the listing shows initials and the photo page says it waits.
    therapist.refresh_from_db()
    assert therapist.photo is None
    waiting = page_text(signed_in.get(PHOTO_PAGE))
    assert "Waiting for review: shown once staff approve it." in waiting


def is_near(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_it_crops_from_the_centre(therapist):
    # Wide: red edges, blue middle square; the crop keeps only the middle.
    wide = Image.new("RGB", (900, 300), RED)
    wide.paste(Image.new("RGB", (300, 300), BLUE), (300, 0))
    photo = photo_of(therapist, wide)
    image = Image.open(io.BytesIO(stored_files(photo)[96])).convert("RGB")
    assert is_near(image.getpixel((2, 48)), BLUE) and is_near(image.getpixel((93, 48)), BLUE)


def test_it_keeps_a_png_transparency(signed_in, therapist):
    picture = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    picture.paste(Image.new("RGBA", (100, 100), (*RED, 255)), (100, 100))
    assert send(signed_in, encoded(picture, "PNG"), name="me.png").status_code == 302
    image = Image.open(io.BytesIO(stored_files(therapist.photos.get())[192]))
    assert image.mode == "RGBA"
    assert image.getpixel((2, 2))[3] == 0
    assert image.getpixel((96, 96))[3] == 255


def test_it_takes_webp_whatever_the_file_is_called(signed_in, therapist):
    webp = encoded(halves(300, 300), "WEBP")
    response = send(signed_in, webp, name="me.txt", content_type="text/plain")
    assert response.status_code == 302
    assert therapist.photos.count() == 1


def animated_webp():
    frames = [Image.new("RGB", (300, 300), colour) for colour in (RED, BLUE)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def test_it_keeps_the_first_frame_of_an_animation(signed_in, therapist):
    assert send(signed_in, animated_webp(), name="me.webp").status_code == 302
    image = Image.open(io.BytesIO(stored_files(therapist.photos.get())[96]))
    assert getattr(image, "n_frames", 1) == 1
    assert is_near(image.convert("RGB").getpixel((48, 48)), RED)


def png_header(width, height):
    """A PNG that claims `width` x `height` pixels: a few bytes that would decode to a huge
    picture (a decompression bomb)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


REFUSED = [
    pytest.param(encoded(halves(300, 300), "GIF"), "Choose a JPEG, PNG or WebP photo", id="a GIF"),
    pytest.param(b"just some words, not a picture\n" * 20, "not a JPEG, PNG or WebP", id="text"),
    pytest.param(
        encoded(halves(600, 600), "JPEG")[:2000], "not a JPEG, PNG or WebP", id="truncated"
    ),
    pytest.param(png_header(8000, 8000), "too many pixels", id="64 megapixels"),
    # Far past Pillow's own limit, which refuses it as the file is opened.
    pytest.param(png_header(40000, 40000), "too many pixels", id="a bomb"),
    pytest.param(encoded(halves(150, 400), "PNG"), "too small", id="too small"),
]


@pytest.mark.parametrize(("content", "reason"), REFUSED)
def test_it_refuses_what_is_not_a_photo_it_keeps_and_says_why(
    signed_in, therapist, media, content, reason
):
    response = send(signed_in, content)
    assert response.status_code == 400
    assert reason in page_text(response)
    assert_error_linked(response)
    assert not therapist.photos.exists()
    assert not any(media.rglob("*.webp"))


def assert_error_linked(response):
    body = response.content.decode()
    assert 'aria-describedby="id_photo_helptext id_photo_error"' in body
    assert 'id="id_photo_error"' in body
    assert 'href="#id_photo"' in body  # the error summary links to the field


def jpeg_of_exactly(size):
    """A valid JPEG of exactly `size` bytes, made long by comment segments."""
    jpeg = encoded(halves(300, 300), "JPEG")
    room = size - len(jpeg)
    segments = []
    while room > 0:
        body = min(room - 4, 65533)
        if room - (body + 4) in range(1, 5):  # leave room for a whole last segment
            body -= 8
        segments.append(b"\xff\xfe" + struct.pack(">H", body + 2) + b"x" * body)
        room -= body + 4
    content = jpeg[:2] + b"".join(segments) + jpeg[2:]
    assert len(content) == size
    return content


def test_it_takes_a_photo_of_exactly_ten_megabytes(signed_in, therapist, settings):
    assert settings.PHOTO_MAX_BYTES == 10 * 1024 * 1024
    response = send(signed_in, jpeg_of_exactly(settings.PHOTO_MAX_BYTES))
    assert response.status_code == 302
    assert therapist.photos.count() == 1


@pytest.mark.parametrize("extra", [1, 5 * 1024 * 1024])
def test_it_refuses_a_larger_file_with_the_page_and_a_clear_message(
    signed_in, therapist, settings, media, extra
):
    # One byte over is dropped as it arrives; far over, the request's length refuses it
    # before its body is read.
    response = send(signed_in, jpeg_of_exactly(settings.PHOTO_MAX_BYTES + extra))
    assert response.status_code == 413
    assert "That file is larger than 10 MB. Choose a smaller photo." in page_text(response)
    assert_error_linked(response)
    assert not therapist.photos.exists()
    assert not any(media.rglob("*"))


def test_it_asks_for_a_file_when_none_was_chosen(signed_in, therapist):
    form = form_on(signed_in.get(PHOTO_PAGE), action=PHOTO_PAGE)
    response = signed_in.post(form.action, dict(form.data()))
    assert response.status_code == 400
    assert "Choose a photo to send." in page_text(response)


def test_the_photo_page_draws_the_photo_form_and_the_edit_page_leads_to_it(signed_in):
    page = signed_in.get(PHOTO_PAGE)
    form = form_on(page, action=PHOTO_PAGE)
    assert form.method == "post"
    assert form.attrs["enctype"] == "multipart/form-data"
    body = page.content.decode()
    assert 'accept="image/jpeg,image/png,image/webp"' in body
    assert "up to 10 MB" in page_text(page)
    edit = signed_in.get(EDIT)
    # The listing's own form holds no file field: saving it never touches the photo. Its
    # second button saves it, then leads to the photo's page.
    assert "photo" not in form_on(edit, action=EDIT).names()
    assert 'name="then" value="photo"' in edit.content.decode()


def test_a_new_photo_replaces_the_one_waiting_and_the_shown_one_stays(
    signed_in, therapist, django_capture_on_commit_callbacks
):
    shown = photo_of(therapist)
    approve(shown)
    waiting = photo_of(therapist)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(signed_in, camera_jpeg()).status_code == 302
    assert not Photo.objects.filter(pk=waiting.pk).exists()
    for size in Photo.SIZES:
        assert not default_storage.exists(f"{waiting.name}-{size}.webp")
        assert default_storage.exists(f"{shown.name}-{size}.webp")
    therapist.refresh_from_db()
    assert therapist.photo == shown
    newest = therapist.photos.exclude(pk=shown.pk).get()
    assert newest.status == ReviewStatus.PENDING


def test_a_photo_sent_back_shows_its_reason(signed_in, therapist):
    photo = photo_of(therapist)
    Photo.objects.filter(pk=photo.pk).update(
        status=ReviewStatus.SENT_BACK, review_reason="Please send one showing your face."
    )
    text = page_text(signed_in.get(PHOTO_PAGE))
    assert "Please send one showing your face." in text
    assert "Waiting for review" not in text


def test_the_therapist_sees_their_own_waiting_photo_and_no_one_else_does(
    signed_in, therapist, client, django_assert_num_queries
):
    photo = photo_of(therapist)
    url = f"/profile/photo/{photo.pk}/192.webp"
    assert url in signed_in.get(PHOTO_PAGE).content.decode()
    # the session; the user; the photo, if the user's listing has it
    with django_assert_num_queries(3):
        response = signed_in.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == stored_files(photo)[192]

    other = make_therapist_with_account("Fictional Other", "other@example.org")
    client.force_login(other.user)
    assert client.get(url).status_code == 404


def test_the_therapist_removes_their_shown_photo_and_initials_come_back(
    signed_in, therapist, client, django_capture_on_commit_callbacks
):
    photo = photo_of(therapist)
    approve(photo)
    page = signed_in.get(PHOTO_PAGE)
    remove = form_on(page, action=f"/profile/photo/{photo.pk}/remove/")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(remove.action, dict(remove.data()), follow=True)
    assert "Your photo is removed" in page_text(response)
    therapist.refresh_from_db()
    assert therapist.photo is None
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(default_storage.exists(f"{photo.name}-{s}.webp") for s in Photo.SIZES)
    profile = client.get(therapist.get_absolute_url()).content.decode()
    assert 'class="initials"' in profile and "<img" not in profile


def test_removing_is_post_only(signed_in, therapist):
    photo = photo_of(therapist)
    assert signed_in.get(f"/profile/photo/{photo.pk}/remove/").status_code == 405
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_another_therapist_cannot_remove_or_replace_a_photo(therapist, client):
    photo = photo_of(therapist)
    approve(photo)
    intruder = make_therapist_with_account("Fictional Intruder", "other@example.org")
    client.force_login(intruder.user)
    assert client.post(f"/profile/photo/{photo.pk}/remove/").status_code == 404
    # Their upload is theirs: it never touches the first therapist's photo.
    assert send(client, camera_jpeg()).status_code == 302
    therapist.refresh_from_db()
    assert therapist.photo == photo
    assert list(therapist.photos.all()) == [photo]
    assert intruder.photos.count() == 1


def test_signed_out_nobody_sends_or_removes_a_photo(client, therapist):
    photo = photo_of(therapist)
    response = client.post("/profile/photo/", {"photo": upload(camera_jpeg())})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(f"/profile/photo/{photo.pk}/remove/").status_code == 302
    assert list(therapist.photos.all()) == [photo]


def test_the_upload_needs_the_forms_csrf_token(therapist):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(therapist.user)
    response = strict.post("/profile/photo/", {"photo": upload(camera_jpeg())})
    assert response.status_code == 403
    assert not therapist.photos.exists()


def test_deleting_a_photo_deletes_its_files(therapist, django_capture_on_commit_callbacks):
    photo = photo_of(therapist)
    names = [f"{photo.name}-{size}.webp" for size in Photo.SIZES]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        photos.delete_photo(photo)
    assert not any(default_storage.exists(name) for name in names)


def file_names(photo):
    return [f"{photo.name}-{size}.webp" for size in Photo.SIZES]


def test_deleting_the_listing_deletes_its_photos_files(
    therapist, django_capture_on_commit_callbacks
):
    shown = photo_of(therapist)
    approve(shown)
    waiting = photo_of(therapist)
    names = file_names(shown) + file_names(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        Therapist.objects.get(pk=therapist.pk).delete()
    assert not Photo.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_queryset_delete_deletes_the_files(therapist, django_capture_on_commit_callbacks):
    photo = photo_of(therapist)
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.filter(therapist=therapist).delete()
    assert not any(default_storage.exists(name) for name in file_names(photo))


def test_a_delete_rolled_back_keeps_row_and_files(therapist, django_capture_on_commit_callbacks):
    photo = photo_of(therapist)
    photo_id = photo.pk
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        photos.delete_photo(photo)
        raise RuntimeError("the rest of the change failed")
    assert callbacks == []
    assert Photo.objects.filter(pk=photo_id).exists()
    assert all(default_storage.exists(name) for name in file_names(photo))


class UndeletableStorage(FileSystemStorage):
    def delete(self, name):
        raise OSError(5, "Input/output error")


def test_a_store_failing_to_delete_is_logged_not_raised(
    therapist, media, settings, caplog, django_capture_on_commit_callbacks
):
    photo = photo_of(therapist)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.UndeletableStorage", "OPTIONS": {"location": media}},
    }
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.filter(pk=photo.pk).delete()
    assert not Photo.objects.filter(pk=photo.pk).exists()
    failures = [r.getMessage() for r in caplog.records if r.name == "therapists.photos"]
    assert len(failures) == len(Photo.SIZES)
    assert all(f"Photo {photo.pk}:" in message for message in failures)


# Serving


def test_it_serves_an_approved_photo_for_ever_cacheable(
    client, therapist, django_assert_num_queries
):
    photo = photo_of(therapist)
    approve(photo)
    url = photos.photo_url(photo.name, 192)
    assert url == f"/media/{photo.name}-192.webp"
    # the listed therapist showing this approved photo
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies
    assert b"".join(response.streaming_content) == stored_files(photo)[192]


def test_it_serves_no_photo_that_is_not_shown(client, therapist, django_assert_num_queries):
    waiting = photo_of(therapist)
    sent_back = photo_of(therapist)
    Photo.objects.filter(pk=sent_back.pk).update(status=ReviewStatus.SENT_BACK)
    replaced = photo_of(therapist)
    approve(replaced)
    shown = photo_of(therapist)
    approve(shown)  # `replaced` is approved too, but no longer shown
    for photo in (waiting, sent_back, replaced):
        with django_assert_num_queries(1):
            assert client.get(f"/media/{photo.name}-96.webp").status_code == 404
    assert client.get(f"/media/photos/{'0' * 32}-96.webp").status_code == 404
    assert client.get(f"/media/{shown.name}-97.webp").status_code == 404
    assert client.get(f"/media/{shown.name}-96.webp").status_code == 200
    Therapist.objects.filter(pk=therapist.pk).update(is_listed=False)
    assert client.get(f"/media/{shown.name}-96.webp").status_code == 404


# Display


def test_cards_and_profile_show_the_approved_photo_else_initials(client, therapist):
    photo_of(therapist)  # waiting: not shown
    listing = client.get("/therapists/").content.decode()
    assert "<img" not in listing and ">FP</span>" in listing
    photo = therapist.photos.get()
    approve(photo)
    listing = client.get("/therapists/").content.decode()
    small, large = photos.photo_url(photo.name, 96), photos.photo_url(photo.name, 192)
    assert (
        f'<img class="photo" src="{small}" srcset="{large} 2x" width="96" height="96" alt=""'
        ' loading="lazy" decoding="async">'
    ) in listing
    assert ">FP</span>" not in listing
    profile = client.get(therapist.get_absolute_url())
    body = profile.content.decode()
    assert photos.photo_url(photo.name, 384) in body
    assert 'alt="Photo of Fictional Portrait"' in body
    assert not profile.cookies
    for url in (small, large):
        assert client.get(url).status_code == 200


def test_the_photo_costs_no_query_on_listing_or_profile(
    client, db, media, django_assert_num_queries
):
    for number in range(3):
        therapist = make_therapist(f"Fictional Pictured {number}")
        approve(photo_of(therapist))
    # the search index's look at the change log; the cards with primary license, office,
    # insurance counts, license verification and the photo shown joined in; the cards'
    # kinds of therapy
    with django_assert_num_queries(3):
        response = client.get("/therapists/")
    assert response.content.count(b'<img class="photo"') == 3
    # the therapist with the photo shown; licenses with credentials; locations with cities;
    # live quotes with modalities; the terms (one query)
    with django_assert_num_queries(5):
        response = client.get(therapist.get_absolute_url())
    assert b'alt="Photo of Fictional Pictured 2"' in response.content


def test_the_photo_page_costs_one_more_query_for_the_photo_waiting(
    signed_in, therapist, django_assert_num_queries
):
    approve(photo_of(therapist))
    photo_of(therapist)
    # session; user; the listing with its photo shown; the photo waiting or sent back
    with django_assert_num_queries(4):
        response = signed_in.get(PHOTO_PAGE)
    assert "Waiting for review" in page_text(response)


# Storage settings


def settings_in(env):
    """directory.settings as a fresh process reads it with `env`."""
    code = (
        "import directory.settings as s, json; "
        "print(json.dumps(s.STORAGES['default'], default=str))"
    )
    base = {"SECRET_KEY": "x", "EMAIL_BACKEND": "console", "SITE_URL": "https://example.org"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **base, **env},
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_settings_store_on_disk_by_default_and_in_a_bucket_when_one_is_named(tmp_path):
    local = settings_in({"MEDIA_ROOT": str(tmp_path)})
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["OPTIONS"]["location"] == str(tmp_path)
    bucket = settings_in(
        {
            "AWS_STORAGE_BUCKET_NAME": "photos-bucket",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
        }
    )
    assert bucket["BACKEND"] == "storages.backends.s3.S3Storage"
    assert bucket["OPTIONS"]["bucket_name"] == "photos-bucket"
    assert bucket["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert bucket["OPTIONS"]["querystring_auth"] is False
    assert bucket["OPTIONS"]["object_parameters"] == {
        "CacheControl": "public, max-age=31536000, immutable"
    }


def test_item_4_an_account_sends_at_most_its_daily_photos_and_is_told_why(
    signed_in, therapist, settings
):
    settings.PHOTO_UPLOADS_PER_DAY = 2
    photo = encoded(halves(), "JPEG")
    for _ in range(2):
        assert send(signed_in, photo).status_code == 302

    refused = send(signed_in, photo)

    assert refused.status_code == 429
    assert "you have sent 2 photos today, the most we take" in page_text(refused)
    assert Photo.objects.filter(therapist=therapist).count() == 1  # the second replaced the first
    # Another account keeps its own allowance.
    other = make_therapist_with_account("Fictional Other Portrait", "other-photo@example.org")
    signed_in.force_login(other.user)
    assert send(signed_in, photo).status_code == 302

"""Therapists' photos: an upload checked by Pillow, stripped of its metadata (location
included), cropped square and stored as WebP files through Django's storage API.

Photo.name is the files' common name, f"{name}-{size}.webp" for each of Photo.SIZES. It is
random and never reused, so a file can be cached for ever and no one can guess a photo
that waits for review.
"""

import contextlib
import functools
import io
import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, UnidentifiedImageError

from therapists.models import Photo, ReviewStatus, Therapist

logger = logging.getLogger(__name__)

# What Pillow finds in the file, whatever its name or the browser's content type says.
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPT = "image/jpeg,image/png,image/webp"
WEBP_QUALITY = 82
# A form's other fields and the multipart framing around the file.
UPLOAD_OVERHEAD_BYTES = 64 * 1024


def storage_errors():
    """What a store raises when it takes no file: a disk's OSError, a bucket's botocore
    errors (neither an OSError)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # no bucket support installed: files go to disk
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


class StorageFailed(Exception):
    """The store took no file (a full disk, a bucket out of reach): nothing was kept."""


class PhotoRefused(ValueError):
    """The upload is not a photo this site keeps; the message says why, for the therapist."""


def limits():
    """The limits, in the words the form's help text and its errors use."""
    return {
        "megabytes": settings.PHOTO_MAX_BYTES // (1024 * 1024),
        "pixels": settings.PHOTO_MIN_SIDE,
    }


def daily_limit_message():
    return ngettext(
        "Not sent: you have sent %(count)s photo today, the most we take. Please send "
        "another tomorrow.",
        "Not sent: you have sent %(count)s photos today, the most we take. Please send "
        "another tomorrow.",
        settings.PHOTO_UPLOADS_PER_DAY,
    ) % {"count": settings.PHOTO_UPLOADS_PER_DAY}


def too_big_message():
    return _("That file is larger than %(megabytes)s MB. Choose a smaller photo.") % limits()


def upload_too_big(request):
    """Whether the request's own length says it holds more than a photo may be, read before
    any of its body is."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.PHOTO_MAX_BYTES + UPLOAD_OVERHEAD_BYTES


class PhotoSizeLimit(FileUploadHandler):
    """Drops the uploaded files as soon as they pass PHOTO_MAX_BYTES together, so files
    sent without an honest length are never stored whole; marks the request so the form
    can say why."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            self.request.photo_too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def square_image(upload):
    """The upload's first frame as a new, metadata-free square image, upright as taken.

    Raises PhotoRefused with the reason for anything else."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise PhotoRefused(too_big_message())
    not_an_image = PhotoRefused(
        _("That file is not a JPEG, PNG or WebP photo, or it is damaged. Choose another.")
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            check_header(image)
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            check_header(image)
            image.seek(0)  # an animation's first frame
            # A JPEG decodes straight to a smaller scale, big enough for the kept square:
            # a fraction of the memory and time a full-size phone photo takes.
            image.draft(None, (MASTER_SIDE, MASTER_SIDE))
            image.load()
            return clean_square(image)
    except PhotoRefused:
        raise
    except Image.DecompressionBombError:
        # Pillow's own limit, far above PHOTO_MAX_PIXELS: raised as the file is opened.
        raise too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise not_an_image from error


def too_many_pixels():
    return PhotoRefused(
        _("That picture has too many pixels to process. Choose one under %(pixels)s megapixels.")
        % {"pixels": settings.PHOTO_MAX_PIXELS // 1_000_000}
    )


def check_header(image):
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoRefused(_("Choose a JPEG, PNG or WebP photo; that file is another kind."))
    width, height = image.size
    if width * height * bytes_per_sample(image) > settings.PHOTO_MAX_PIXELS:
        raise too_many_pixels()
    if min(width, height) < settings.PHOTO_MIN_SIDE:
        raise PhotoRefused(
            _("That photo is too small. Choose one at least %(pixels)s pixels on each side.")
            % limits()
        )


def bytes_per_sample(image):
    """2 for a PNG of 16 bits a channel, which has twice the bytes to inflate and unfilter
    per pixel (so twice the time), else 1: read from the header, before any decoding."""
    rawmode = image.tile[0].args if image.format == "PNG" and image.tile else ""
    return 2 if isinstance(rawmode, str) and ";16" in rawmode else 1


SRGB = ImageCms.createProfile("sRGB")
# The square kept from an upload: twice the largest size shown, for a sharp resize.
MASTER_SIDE = 2 * max(Photo.SIZES)
ORIENTATION = 0x0112
# How to turn the pixels upright for each EXIF orientation (as ImageOps.exif_transpose).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def clean_square(image):
    """The centre square of the decoded `image`, at most MASTER_SIDE wide, in sRGB, upright.

    The full-size picture is never copied when it need not be: it is reduced (a fast box
    average) straight from its centre square to within twice the kept side, and only that
    small copy is resampled, colour-corrected and turned. Cropping the centre square and
    turning commute, so turning last gives the same picture for a fraction of the cost."""
    orientation = image.getexif().get(ORIENTATION)
    # A profile for RGB pixels only; others' (CMYK, grey) go with their conversion.
    icc = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode != mode:
        # A palette, grey or CMYK picture: the one full-size copy it costs (within the
        # pixel cap, see PHOTO_MAX_PIXELS).
        image = image.convert(mode)
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    box = (left, top, left + side, top + side)
    kept = min(side, MASTER_SIDE)
    factor = side // kept
    if factor > 1:
        # Pillow's own resize would first copy an RGBA picture whole (to premultiply it).
        image = image.reduce(factor, box=box)
        box = None
    square = image.resize((kept, kept), Image.Resampling.LANCZOS, box=box)
    if icc:
        # Colours as the camera meant them, in the one profile every browser assumes.
        with contextlib.suppress(ImageCms.PyCMSError, OSError):  # a broken profile: dropped
            square = ImageCms.profileToProfile(
                square, ImageCms.ImageCmsProfile(io.BytesIO(icc)), SRGB, outputMode=mode
            )
    if orientation in UPRIGHT:
        square = square.transpose(UPRIGHT[orientation])
    # A new image from the pixels alone: no EXIF (GPS included), XMP, ICC or comment
    # can travel with it into the stored files.
    return Image.frombytes(mode, square.size, square.tobytes())


def webp_files(square):
    """{size: WebP bytes} for each of Photo.SIZES."""
    files = {}
    for size in Photo.SIZES:
        resized = square.resize((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4, exif=b"", xmp=b"")
        files[size] = buffer.getvalue()
    return files


def file_name(name, size):
    return f"{name}-{size}.webp"


def store_photo(therapist, square):
    """Stores the square image as `therapist`'s photo waiting for review, replacing any
    other that is not the one shown (whose files go too); the shown photo stays until
    staff approve the new one."""
    files = webp_files(square)
    name = f"photos/{secrets.token_hex(16)}"
    stored = []
    try:
        try:
            for size, content in files.items():
                stored.append(default_storage.save(file_name(name, size), ContentFile(content)))
        except storage_errors() as error:
            raise StorageFailed from error
        with transaction.atomic():
            # Two uploads at once leave one photo waiting, not two.
            shown = Therapist.objects.select_for_update().values_list("photo_id", flat=True)
            shown_id = shown.get(pk=therapist.pk)
            for old in therapist.photos.exclude(pk=shown_id):
                delete_photo(old)
            return Photo.objects.create(therapist=therapist, name=name)
    except BaseException:
        for path in stored:
            # A store that failed may fail this too: the first error is the one to tell.
            with contextlib.suppress(*storage_errors()):
                default_storage.delete(path)
        raise


def delete_photo(photo):
    """Deletes the row; its files follow once that commits (delete_files_with_row)."""
    photo.delete()


def delete_files_with_row(sender, instance, **kwargs):
    """post_delete for Photo, however the row goes (this module, a listing deleted, the
    admin, a queryset): its files are deleted once the deletion commits, so a rollback
    keeps both row and files."""
    names = [file_name(instance.name, size) for size in Photo.SIZES]
    photo_id = instance.pk

    def delete_files():
        for path in names:
            try:
                default_storage.delete(path)
            except storage_errors() as error:
                # The row is gone, so no one is served the file: a store that failed leaves
                # an orphan to sweep, not a failed page (nor a failed delete of a listing).
                logger.warning("Photo %s: file %s not deleted: %r", photo_id, path, error)

    transaction.on_commit(delete_files, using=kwargs.get("using"))


def remove_photo(therapist, photo):
    """The therapist takes a photo down: the shown one (initials again) or one waiting."""
    with transaction.atomic():
        if therapist.photo_id == photo.pk:
            therapist.photo = None
            therapist.save(update_fields=["photo"])
        delete_photo(photo)


def open_photo(photo, size):
    """The stored WebP file of `photo` at `size`, whatever its status (for staff to review
    one waiting); the caller closes it."""
    if size not in Photo.SIZES:
        raise ValueError(f"No photo size {size}; sizes are {Photo.SIZES}.")
    return default_storage.open(file_name(photo.name, size), "rb")


def served_by_site():
    """On local disk the site serves approved photos itself (and only those); from a
    bucket, browsers fetch them from the bucket."""
    return isinstance(default_storage, FileSystemStorage)


def photo_url(name, size):
    if served_by_site():
        token = name.removeprefix("photos/")
        return reverse("photo", kwargs={"token": token, "size": size})
    return default_storage.url(file_name(name, size))


@functools.cache
def photo_origin():
    """The other host photos come from ("https://bucket.example.net"), or None."""
    if served_by_site():
        return None
    url = urlsplit(default_storage.url("photos/origin-96.webp"))
    return f"{url.scheme}://{url.netloc}"


@receiver(setting_changed)
def storage_changed(setting, **kwargs):
    if setting == "STORAGES":
        photo_origin.cache_clear()


def shown_photo_exists(token):
    """Whether `token` names the approved photo a listed therapist shows: one query."""
    return (
        Therapist.objects.listed()
        .filter(photo__name=f"photos/{token}", photo__status=ReviewStatus.APPROVED)
        .exists()
    )

"""A therapist's photo: sent and removed on its own page, /profile/photo/, and served once
approved. The page has no other form, so sending or removing a photo never drops what the
therapist typed in the listing's form (issue 20, item 15)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from kit import limits
from therapists import photos, profile_views
from therapists.forms import PhotoForm
from therapists.models import Photo, Therapist


def back_to_photo():
    return redirect("profile:photo")


@csrf_exempt  # checked by upload_photo_checked, once the size limit is in place
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def photo_page(request):
    """The photo page; a POST sends a photo. Too big a request is refused from its length,
    before its body is read; a file that grows past the limit anyway is dropped as it
    arrives (photos.PhotoSizeLimit)."""
    if request.method != "POST":
        return render_photo_page(request, own_listing(request), PhotoForm())
    if photos.upload_too_big(request):
        return photo_refused(request, status=413)
    request.upload_handlers.insert(0, photos.PhotoSizeLimit(request))
    return upload_photo_checked(request)


@csrf_protect
def upload_photo_checked(request):
    therapist = own_listing(request)
    # Counted before the picture is decoded, the costly part: an account (one fresh from
    # /join/ included) sends at most PHOTO_UPLOADS_PER_DAY a day.
    if not limits.authorize_photo_upload(request.user):
        form = PhotoForm({}, refusal=photos.daily_limit_message())
        return render_photo_page(request, therapist, form, status=429)
    form = PhotoForm(request.POST, request.FILES, too_big=getattr(request, "photo_too_big", False))
    if form.is_valid():
        try:
            photos.store_photo(therapist, form.square)
        except photos.StorageFailed:
            form.storage_failed()
            return render_photo_page(request, therapist, form, status=503)
        messages.success(request, _("Your photo is sent for review: shown once staff approve it."))
        return back_to_photo()
    return render_photo_page(request, therapist, form, status=413 if form.too_big else 400)


def photo_refused(request, status):
    form = PhotoForm({}, refusal=photos.too_big_message())
    return render_photo_page(request, own_listing(request), form, status=status)


def render_photo_page(request, therapist, photo_form, status=200):
    """One query besides the listing's: the photo waiting or sent back (the one shown comes
    with the listing, by select_related("photo"))."""
    context = {
        "therapist": therapist,
        "photo_form": photo_form,
        "latest_photo": therapist.photos.exclude(pk=therapist.photo_id).first(),
    }
    return render(request, "therapists/profile_photo.html", context, status=status)


def own_listing(request):
    return profile_views.own_listing(request, Therapist.objects.select_related("photo"))


@login_required
@require_POST
def remove_photo(request, pk):
    therapist = own_listing(request)
    photo = get_object_or_404(Photo, pk=pk, therapist=therapist)
    shown = photo.pk == therapist.photo_id
    photos.remove_photo(therapist, photo)
    if shown:
        messages.success(request, _("Your photo is removed; your listing shows your initials."))
    else:
        messages.success(request, _("That photo is withdrawn."))
    return back_to_photo()


@login_required
@require_http_methods(["GET", "HEAD"])
def own_photo(request, pk, size):
    """The signed-in therapist's own photo, whatever its status, for them alone: one query,
    as the edit page asks for it with each look."""
    photo = get_object_or_404(Photo, pk=pk, therapist__user=request.user)
    if size not in Photo.SIZES:
        raise Http404
    try:
        file = photos.open_photo(photo, size)
    except FileNotFoundError:
        raise Http404 from None
    return webp_response(file, "private, no-cache")


# Names never change (a new photo gets a new one): a browser may keep the file for ever.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_http_methods(["GET", "HEAD"])
def serve_photo(request, token, size):
    """An approved, shown photo of a listed therapist; any other name is a 404."""
    if not photos.served_by_site() or not photos.shown_photo_exists(token):
        raise Http404
    try:
        file = default_storage.open(photos.file_name(f"photos/{token}", int(size)), "rb")
    except FileNotFoundError:
        raise Http404 from None
    return webp_response(file, IMMUTABLE)


def webp_response(file, cache_control):
    response = FileResponse(file, content_type="image/webp")
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response

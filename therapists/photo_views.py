"""A therapist's photo: sent from /profile/edit/, removed there, and served once approved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from therapists import photos, profile_views
from therapists.forms import PhotoForm, ProfileForm
from therapists.models import Photo, Therapist
from therapists.profile_views import render_edit_page


def back_to_photo():
    """The edit page at its photo part, below the listing's long form."""
    return redirect(f"{reverse('profile:edit')}#photo")


@csrf_exempt  # checked by upload_photo_checked, once the size limit is in place
@login_required
@require_POST
def upload_photo(request):
    """Too big a request is refused from its length, before its body is read; a file that
    grows past the limit anyway is dropped as it arrives (photos.PhotoSizeLimit)."""
    if photos.upload_too_big(request):
        return photo_refused(request, status=413)
    request.upload_handlers.insert(0, photos.PhotoSizeLimit(request))
    return upload_photo_checked(request)


@csrf_protect
def upload_photo_checked(request):
    therapist = own_listing(request)
    form = PhotoForm(request.POST, request.FILES, too_big=getattr(request, "photo_too_big", False))
    if form.is_valid():
        try:
            photos.store_photo(therapist, form.square)
        except photos.StorageFailed:
            form.storage_failed()
            return edit_page(request, therapist, form, status=503)
        messages.success(request, _("Your photo is sent for review: shown once staff approve it."))
        return back_to_photo()
    return edit_page(request, therapist, form, status=413 if form.too_big else 400)


def photo_refused(request, status):
    form = PhotoForm({}, too_big=True)
    return edit_page(request, own_listing(request), form, status=status)


def edit_page(request, therapist, photo_form, status):
    return render_edit_page(
        request, therapist, ProfileForm(instance=therapist), photo_form, status=status
    )


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

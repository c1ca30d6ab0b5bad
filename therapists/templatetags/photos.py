from django import template
from django.utils.html import format_html

from therapists.models import Photo
from therapists.photos import photo_url

register = template.Library()


@register.simple_tag
def photo(therapist, size, alt=""):
    """The therapist's approved photo as an <img> of `size` pixels (twice that on sharper
    screens), or nothing: the template shows initials instead. Reads therapist.photo, so
    load it with the listing (select_related("photo")) or pay a query."""
    if therapist.photo_id is None:
        return ""
    name = therapist.photo.name
    larger = [s for s in Photo.SIZES if s > size][:1]
    srcset = format_html(' srcset="{} 2x"', photo_url(name, larger[0])) if larger else ""
    return format_html(
        '<img class="photo" src="{}"{} width="{}" height="{}" alt="{}" loading="lazy"'
        ' decoding="async">',
        photo_url(name, size),
        srcset,
        size,
        size,
        alt,
    )

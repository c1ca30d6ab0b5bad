from urllib.parse import quote

from django import template

register = template.Library()


@register.simple_tag
def profile_link(therapist, back=""):
    """The profile's address; from a listing, carrying that search for "Back to results"."""
    url = therapist.get_absolute_url()
    return f"{url}?back={quote(back, safe='')}" if back else url

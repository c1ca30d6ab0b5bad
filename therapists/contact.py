"""Writing to a therapist through the site (/therapists/<slug>/contact/)."""

from django.http import Http404


def contact(request, slug):
    raise Http404("The contact form is not built yet.")

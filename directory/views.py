from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from directory.forms import HomeSearchForm
from modalities.models import Modality


def home(request):
    return render(
        request,
        "directory/home.html",
        {
            "modalities": Modality.objects.published(),
            "search": HomeSearchForm(),
        },
    )


@never_cache
def healthz(request):
    """200 while the database answers, 503 otherwise: what a load balancer needs."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


# Pages that are private, per visitor, or endless combinations of answers.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/profile/", "/match/"]


def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")

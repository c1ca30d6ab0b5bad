from django.contrib.sitemaps.views import sitemap
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from directory.cache import cache_state
from directory.forms import HomeSearchForm
from modalities.models import Modality
from modalities.versioned_cache import cacheable_page, used_params


@cacheable_page()
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
    """200 while the database answers, 503 otherwise: what a load balancer needs.

    The body also names the cache's state, which never fails the check: pages are served
    without the cache, so a load balancer must not take the server out for it.
    """
    cache = f"cache: {cache_state()}\n"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n" + cache, status=503, content_type="text/plain")
    return HttpResponse("ok\ndatabase: ok\n" + cache, content_type="text/plain")


# Pages that are private, per visitor, or endless combinations of answers.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/profile/", "/match/"]


@cacheable_page()
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@cacheable_page("p")
def sitemap_page(request, **kwargs):
    """A page of a sitemap (Django's view); ?p= is its only parameter, written as 2, not 02."""
    response = sitemap(request, **kwargs)
    page = request.GET.get("p")
    if page and response.status_code == 200:  # the view has read p as a whole number
        used_params(request, [("p", str(int(page)))])
    return response

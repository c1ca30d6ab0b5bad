import sys

from django.contrib.sitemaps import views as sitemaps_views
from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
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


# How long a visitor (or crawler) is asked to wait when the database does not answer.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500: 503 "try again shortly" when the database is unreachable, 500 otherwise.

    Django calls it for any uncaught exception, in a view or in a middleware (sessions,
    axes), with that exception still in sys.exc_info(). The page is rendered without the
    request, so no context processor touches the session or the user: it needs no database.
    Only connection failures are "unavailable"; other database errors are bugs, hence 500.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


# The index reads no parameter; its sections' pages each point at a sitemap_page.
sitemap_index = cacheable_page()(sitemaps_views.index)


@cacheable_page("p")
def sitemap_page(request, **kwargs):
    """A page of a sitemap (Django's view); ?p= is its only parameter, written as 2, not 02."""
    response = sitemaps_views.sitemap(request, **kwargs)
    page = request.GET.get("p")
    if page and response.status_code == 200:  # the view has read p as a whole number
        used_params(request, [("p", str(int(page)))])
    return response

import sys

from django.contrib.sitemaps import views as sitemaps_views
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache

from directory.cache import cache_state
from directory.editions import EDITIONS, path_in_edition
from directory.forms import HomeSearchForm
from kit.queue import waiting_tasks
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

    The body also names the cache's state and the age of the oldest task waiting for the
    worker (unsent email), neither of which fails the check: pages are served without the
    cache, and a backlog of email is a worker to look at, not a site that is down, so a
    load balancer must not take the server out for either. The tasks' one query is also
    the database's check.
    """
    cache = f"cache: {cache_state()}\n"
    try:
        tasks = f"tasks: {waiting_tasks()}\n"
    except DatabaseError:
        return HttpResponse("database unavailable\n" + cache, status=503, content_type="text/plain")
    return HttpResponse("ok\ndatabase: ok\n" + cache + tasks, content_type="text/plain")


# Pages that are private, per visitor, or endless combinations of answers: in each edition.
PRIVATE_PAGES = ["/accounts/", "/profile/", "/match/"]
ROBOTS_DISALLOW = [
    "/admin/",
    *(path_in_edition(path, language) for language in EDITIONS for path in PRIVATE_PAGES),
]


@cacheable_page()
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


# How long a visitor (or crawler) is asked to wait when the database does not answer.
RETRY_AFTER_SECONDS = 30


def error_page(template_name, status):
    """The site's own error page, rendered without the request: no context processor
    touches the session or the user, so it needs no database, and nothing a bad request
    carries (an unknown Host, a forged cookie) is read to draw it."""
    return HttpResponse(loader.render_to_string(template_name), status=status)


def bad_request(request, exception):
    """handler400: a SuspiciousOperation (an unknown Host, a malformed cookie) or a
    BadRequest raised by a view."""
    return error_page("400.html", 400)


def permission_denied(request, exception):
    """handler403: a PermissionDenied raised by a view."""
    return error_page("403.html", 403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form posted from a stale page or without its cookie."""
    return error_page("403_csrf.html", 403)


def page_not_found(request, exception):
    """handler404: an unknown address, or an Http404 from a view (an unknown profile,
    city or kind of therapy). The exception's text is for the log, never for the page."""
    return error_page("404.html", 404)


def server_error(request):
    """handler500: 503 "try again shortly" when the database is unreachable, 500 otherwise.

    Django calls it for any uncaught exception, in a view or in a middleware (sessions,
    axes), with that exception still in sys.exc_info(). Only connection failures are
    "unavailable"; other database errors are bugs, hence 500.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = error_page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return error_page("500.html", 500)


# How long a browser keeps the answer to /favicon.ico: the icon's hashed static name
# changes when the icon does, so the redirect is temporary, and a day is soon enough.
FAVICON_MAX_AGE = 24 * 60 * 60


def favicon(request):
    """/favicon.ico, asked for by browsers and tools that ignore the pages' declared SVG
    icon (bookmarks, feed readers, some browsers' first visit): sent to that icon, rather
    than given a 404 that shows in the console and the server's log."""
    response = HttpResponseRedirect(static("img/favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


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

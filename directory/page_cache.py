"""Whole-page caching for anonymous visitors, invalidated by any edit of the content.

Only views that declare it are cached (modalities.versioned_cache.cacheable_page, or a
view class's `page_cache_params`), and only in a cache every process shares. The key is
the scheme, host, path, date and content version, plus the non-empty values of the GET
parameters the view declares, sorted: any other parameter (utm_source and the like) is no
reason for a new copy. A view with parameters reports the canonical ones its valid page
used, and the page is stored only when they are exactly the request's, so neither junk
parameters nor junk or oddly written values of known ones ever fill the cache. Requests
that carry a session (a signed-in therapist or curator) are never cached nor served from
cache.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from modalities.versioned_cache import shared_cache, versioned_key

KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag")


def declared_params(request):
    """The GET parameters the view declares it reads, or None if its pages are not cacheable."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return getattr(view, "page_cache_params", None)


def query_pairs(request, names=None, keep_empty=False):
    """The query's (name, value) pairs, sorted, without empty values (unless keep_empty);
    only `names` if given."""
    return sorted(
        (name, value)
        for name, values in request.GET.lists()
        if names is None or name in names
        for value in values
        if value or keep_empty
    )


def page_key(request, params):
    # The date is part of the key because the directory's fair order changes daily.
    return versioned_key(
        "page",
        request.scheme,
        request.get_host(),
        request.path,
        timezone.localdate(),
        query_pairs(request, params),
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = self.cacheable_params(request)
        key = None if params is None else page_key(request, params)
        if key is None:
            return self.get_response(request)
        cached = shared_cache().get(key)
        if cached is not None:
            return _rebuild(*cached)
        response = self.get_response(request)
        # A view that reads parameters may echo the whole query (pagination links keep it),
        # so its page is stored only when every parameter is one it used, written as it would.
        # Empty ones too: the page's links would carry them (issue: one canonical URL).
        expected = query_pairs(request, keep_empty=True) if params else []
        # Not reported means not known to be valid (an error page, say): not stored.
        used = getattr(request, "page_cache_params_used", [] if not params else None)
        if used == expected and _cacheable_response(response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            shared_cache().set(
                key,
                (response.status_code, response.content, headers),
                timeout=settings.PAGE_CACHE_SECONDS,
            )
        return response

    def cacheable_params(self, request):
        if (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            # Empty values make no page of their own: the listing redirects such an address
            # to the one without them, which a copy keyed without them must not answer.
            and all(value for _name, value in query_pairs(request, keep_empty=True))
        ):
            return declared_params(request)
        return None


def _cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


def _rebuild(status, content, headers):
    return HttpResponse(content, status=status, headers=headers)

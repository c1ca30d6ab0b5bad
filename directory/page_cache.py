"""Whole-page caching for anonymous visitors, invalidated by any edit of the content.

Anonymous GETs of public pages are served from the cache (Redis when REDIS_URL is set, so
every app server shares it). Any change to the directory's data moves a content version
that is part of every key, so the next visitor sees the change at once. Requests that
carry a session (a signed-in therapist or curator) are never cached nor served from cache.
"""

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from modalities.versioned_cache import versioned_key

# Pages for people who are signing in or signed in, and the health check: never cached.
PRIVATE_PREFIXES = ("/admin/", "/accounts/", "/profile/", "/healthz")
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag")


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(PRIVATE_PREFIXES)
    )


def _key(request):
    # The date is part of the key because the directory's fair order changes daily.
    return versioned_key("page", timezone.localdate(), request.get_host(), request.get_full_path())


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        cached = page_cache().get(key)
        if cached is not None:
            return _rebuild(*cached)
        response = self.get_response(request)
        if _cacheable_response(response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            page_cache().set(
                key,
                (response.status_code, response.content, headers),
                timeout=settings.PAGE_CACHE_SECONDS,
            )
        return response


def _cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


def _rebuild(status, content, headers):
    from django.http import HttpResponse

    return HttpResponse(content, status=status, headers=headers)

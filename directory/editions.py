"""The site's two editions: English at the root, Spanish under /es/.

Every page of one edition has the same address in the other, prefix aside (the patterns
are the same; only i18n_patterns' prefix differs), so a page's other-language version is
found by its path alone, without resolving it, on every page, error pages included.
"""

from django.conf import settings
from django.utils import translation

from modalities.translation import language_of

DEFAULT = settings.LANGUAGE_CODE
EDITIONS = dict(settings.LANGUAGES)


def path_in_edition(path, language):
    """The same page's path (query string and all) in the other edition."""
    current = language_of(path)
    if current != DEFAULT:
        path = path.removeprefix(f"/{current}") or "/"
    if language == DEFAULT:
        return path
    return f"/{language}{path}"


class UrlLanguageMiddleware:
    """Activates the language of the URL's edition, and nothing else's: no cookie, no
    Accept-Language, no redirect (unlike LocaleMiddleware), so one address is one page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of(request.path_info)
        request.LANGUAGE_CODE = language
        # Only for this request: the thread's next request, or the code that made this one
        # (a test), starts from the default again.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.views.generic import DetailView, TemplateView

from modalities.translation import language_of
from modalities.versioned_cache import used_params
from therapists.match_results import KEY_PATTERN
from therapists.models import License, Location, Quote, Therapist, in_edition_language
from therapists.search import Result, current_index, index_lock
from therapists.search.filterset import MAX_RADIUS, TherapistFilter
from therapists.search.listing import ListingPage
from therapists.terms import profile_terms
from therapists.zips import zip_point


def written(value):
    """A valid filter value as the directory's own links write it (a ticked box sends "on")."""
    if value is True:
        return ["on"]
    if not value:
        return []
    # Each value once: modality=a&modality=a is not worth a copy of its own.
    return sorted({str(item) for item in value}) if isinstance(value, list) else [str(value)]


def page_number(text):
    """The page asked for (1 if none), or None if it is not a page number."""
    if not text:
        return 1
    # isascii(): "²" is a digit to isdigit(), not to int().
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 10**6 else None


def clean_query(request):
    """The query string without its empty values ("?a=1&c=3", "" for none), if it has
    any; else None. The other parameters stay as they were, in their order."""
    if all(value for _name, values in request.GET.lists() for value in values):
        return None
    # Read again from the raw string: QueryDict groups repeated names, losing the order.
    # request.GET above has already applied Django's limit on the number of fields. Its
    # bytes are read as UTF-8, as QueryDict reads them (WSGI hands them over as Latin-1).
    raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "").decode("utf-8", "replace")
    pairs = parse_qsl(raw, keep_blank_values=True)
    if all(value for _name, value in pairs):
        return None
    kept = urlencode([(name, value) for name, value in pairs if value])
    return f"?{kept}" if kept else ""


class TherapistListView(TemplateView):
    """The directory: the filter form validates, the search index answers, one query
    loads the page's cards."""

    # The page cache keys the listing by these (directory.page_cache).
    page_cache_params = frozenset([*TherapistFilter.base_filters, "page"])
    template_name = "therapists/therapist_list.html"
    page_size = settings.DIRECTORY_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        # One address per search: a form sends its untouched fields empty (q=&near=), and
        # an empty field means no filter, so the address without them is the same page.
        # Permanent (301): the clean address follows from the query alone and will not
        # change, so browsers may skip the round trip next time and search engines keep one.
        if (clean := clean_query(request)) is not None:
            return HttpResponsePermanentRedirect(request.path + clean)
        return super().get(request, *args, **kwargs)

    def filter_data(self):
        """The GET parameters, without empty values: a field left empty, as a browser sends
        it (modality=), means no filter. Landing pages add their city and modality."""
        data = self.request.GET.copy()
        for name in list(data):
            data.setlist(name, [value for value in data.getlist(name) if value])
            if not data.getlist(name):
                del data[name]
        return data

    def check_path(self, filterset):
        """Landing pages: 404 for a city or modality we do not have."""

    def get_context_data(self, **kwargs):
        number = page_number(self.request.GET.get("page"))  # never fails: 404 after the path
        start = ((number or 1) - 1) * self.page_size
        with index_lock():
            index = current_index()
            filterset = TherapistFilter(self.filter_data() or None, vocabulary=index.vocabulary)
            self.check_path(filterset)
            if filterset.valid:
                result = index.search(
                    filterset.criteria(),
                    filterset.sort,
                    start,
                    start + self.page_size,
                    counts=True,
                    wider_miles=MAX_RADIUS,
                )
            else:
                result = Result(0, [], {})
            listing = ListingPage(filterset, result, self.request, index)
            listing.facet_groups, listing.nearby_cities  # noqa: B018 (read while locked)
        paginator = Paginator([], self.page_size)
        paginator.__dict__["count"] = result.total
        page_missing = number is None or (number > 1 and number > paginator.num_pages)
        cards = (
            Therapist.objects.cards(result.ids, result.distances, **card_search(filterset.chosen))
            if not page_missing
            else []
        )
        page = Page(cards, number or 1, paginator)
        self.report_params(filterset, page if not page_missing else None)
        return super().get_context_data(
            filter=filterset,
            listing=listing,
            canonical_path=listing.canonical,
            paginator=paginator,
            page_obj=page,
            is_paginated=paginator.num_pages > 1,
            therapist_list=cards,
            page_missing=page_missing,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if context["page_missing"]:
            response_kwargs["status"] = 404
        return super().render_to_response(context, **response_kwargs)

    def report_params(self, filterset, page):
        """Tells the page cache what this page was built from, if the filters were valid."""
        query = self.request.GET
        if not filterset.valid:
            return  # the page shows an error: not worth a copy
        chosen = filterset.form.cleaned_data if filterset.is_bound else {}
        if chosen.get("q"):
            return  # free text: each visitor's name search would be a copy of its own
        pairs = [(name, v) for name in query if name in chosen for v in written(chosen[name])]
        if query.get("page") and page is not None:
            pairs.append(("page", str(page.number)))
        used_params(self.request, pairs)


class LandingPageView(TherapistListView):
    """/therapists/<state>/<city>/[<modality>/]: the listing, named for search engines."""

    def filter_data(self):
        data = super().filter_data()
        data.setlist("city", [f"{self.kwargs['city']}-{self.kwargs['state']}".lower()])
        if "modality" in self.kwargs:
            data.setlist("modality", [self.kwargs["modality"]])
        return data

    def check_path(self, filterset):
        """404 unless the path is the landing page's own (lower case, the city's slug)."""
        vocabulary, data = filterset.vocabulary, filterset.data
        option = vocabulary.find("city", data["city"])
        city = vocabulary.cities.get(option.id) if option else None
        modality = self.kwargs.get("modality")
        if (
            city is None
            or (self.kwargs["state"], self.kwargs["city"]) != (city.state.lower(), city.path_name)
            or (modality and not vocabulary.find("modality", modality))
        ):
            raise Http404("No such city or modality.")


class TherapistDetailView(DetailView):
    # `back` gives the page a link of its own: such pages are never stored (see back_link).
    page_cache_params = frozenset(["back"])
    template_name = "therapists/therapist_detail.html"
    context_object_name = "therapist"
    queryset = (
        Therapist.objects.listed()
        .select_related("photo")
        .prefetch_related(
            Prefetch("licenses", queryset=License.objects.select_related("credential")),
            Prefetch("locations", queryset=Location.objects.select_related("city")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.live()
                .filter(modality__is_published=True)
                .select_related("modality"),
                to_attr="live_quotes",
            ),
        )
    )

    def get_context_data(self, **kwargs):
        back = results_link(self.request.GET.get("back"))
        if not self.request.GET.get("back"):
            # Without a back link the page is the bare profile, whatever else the query
            # holds: cached under the bare address. With one it would be a copy per search
            # (any name in `q`): never stored.
            used_params(self.request, [(n, v) for n, vs in self.request.GET.lists() for v in vs])
        licenses, locations = self.object.licenses.all(), self.object.locations.all()
        return super().get_context_data(
            terms=profile_terms(self.object),
            # Both languages came with the listing: one of each modality's, chosen here.
            quotes=in_edition_language(self.object.live_quotes),
            back_link=back,
            back_to_matches=bool(back and MATCH_RESULTS_PATH.fullmatch(back)),
            # Each once, the primary first (the prefetches' order).
            credentials=list(
                dict.fromkeys(license.credential.translated("name") for license in licenses)
            ),
            cities=list(dict.fromkeys(str(location.city) for location in locations)),
            verified=any(license.is_verified for license in licenses),
            **kwargs,
        )


def card_search(chosen):
    """What a listing's cards show first, from its valid filters (FilterBase.chosen): the
    kinds of therapy searched for, and the office that matched the place searched."""
    near = chosen.get("near")
    return {
        "modalities": chosen.get("modality") or (),
        "cities": chosen.get("city") or (),
        "state": chosen.get("state"),
        "near": zip_point(near) if near else None,
    }


# The listing pages a profile's "Back to results" may return to.
RESULTS_PAGES = {"list", "city", "city_modality"}
# Longer than any search of the directory's own: junk, and not worth echoing.
BACK_MAX_LENGTH = 1000
# The listing and its landing pages as the directory writes them (lower case, slugs): any
# other path, even one that resolves to them, is not one of our links.
RESULTS_PATH = re.compile(r"(?:/es)?/therapists/(?:[a-z]{2}/[a-z0-9-]+/(?:[a-z0-9-]+/)?)?")
# What the listing's own values are made of (slugs, numbers, a ZIP, "on", a state, a name),
# or nothing: any other value is junk the profile will not repeat.
BACK_VALUE = re.compile(r"[\w .,'’-]{0,100}")


# Find Your Match's results page, as match_views.results is addressed (no query).
MATCH_RESULTS_PATH = re.compile(rf"(?:/es)?/match/results/{KEY_PATTERN}/")


def results_link(back):
    """The listing address in a profile's `back` parameter, rewritten from its parts, or
    None unless it is a path of the directory's listing or landing pages on this site
    whose query holds only the listing's own parameters, or of Find Your Match's results
    (so never an open redirect)."""
    if back and MATCH_RESULTS_PATH.fullmatch(back):
        return back
    if not back or len(back) > BACK_MAX_LENGTH or not back.startswith("/") or "\\" in back:
        return None
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or parts.fragment or not RESULTS_PATH.fullmatch(parts.path):
        return None
    try:
        # In the edition the path names: /es/therapists/ resolves only in Spanish.
        with translation.override(language_of(parts.path)):
            match = resolve(parts.path)
    except Resolver404:
        return None
    if match.namespace != "therapists" or match.url_name not in RESULTS_PAGES:
        return None
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        return None
    if any(
        name not in TherapistListView.page_cache_params or not BACK_VALUE.fullmatch(value)
        for name, value in pairs
    ):
        return None
    query = urlencode([(name, value) for name, value in pairs if value])
    return f"{parts.path}?{query}" if query else parts.path

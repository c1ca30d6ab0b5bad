from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.views.generic import DetailView
from django_filters.views import FilterView

from modalities.versioned_cache import used_params
from therapists.facets import load_vocabulary
from therapists.filters import TherapistFilter
from therapists.listing import ListingPage
from therapists.models import License, Location, Quote, Therapist
from therapists.terms import profile_terms


def written(value):
    """A valid filter value as the directory's own links write it (a ticked box sends "on")."""
    if value is True:
        return ["on"]
    if not value:
        return []
    # Each value once: modality=a&modality=a is not worth a copy of its own.
    return sorted({str(item) for item in value}) if isinstance(value, list) else [str(value)]


class KnownCountPaginator(Paginator):
    """A paginator told the count, which the facet query has already computed."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


class TherapistListView(FilterView):
    # The page cache keys the listing by these (directory.page_cache).
    page_cache_params = frozenset([*TherapistFilter.base_filters, "page"])
    filterset_class = TherapistFilter
    queryset = Therapist.objects.listed().with_signature()
    paginate_by = settings.DIRECTORY_PAGE_SIZE
    template_name = "therapists/therapist_list.html"
    page_missing = False

    def filter_data(self):
        """The GET parameters, without empty values: a field left empty, as a browser sends
        it (modality=), means no filter. Landing pages add their city and modality."""
        data = self.request.GET.copy()
        for name in list(data):
            data.setlist(name, [value for value in data.getlist(name) if value])
            if not data.getlist(name):
                del data[name]
        return data

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.filter_data()
        kwargs["data"] = data or None
        kwargs["vocabulary"] = load_vocabulary(city_slugs=data.getlist("city"))
        return kwargs

    def get_paginator(self, queryset, per_page, **kwargs):
        return KnownCountPaginator(queryset, per_page, count=self.filterset.total)

    def paginate_queryset(self, queryset, page_size):
        """A page that does not exist gets the listing with a message and a 404 status."""
        paginator = self.get_paginator(queryset, page_size)
        try:
            page = paginator.page(self.request.GET.get(self.page_kwarg) or 1)
        except InvalidPage:
            self.page_missing = True
            return paginator, None, [], False
        return paginator, page, page.object_list, page.has_other_pages()

    def render_to_response(self, context, **response_kwargs):
        if self.page_missing:
            response_kwargs["status"] = 404
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # paginates, so it sets page_missing
        context["page_missing"] = self.page_missing
        context["listing"] = ListingPage(self.filterset, self.request)
        self.report_params(context["page_obj"])
        return context

    def report_params(self, page):
        """Tells the page cache what this page was built from, if the filters were valid."""
        filterset, query = self.filterset, self.request.GET
        if filterset.is_bound and not filterset.is_valid():
            return  # the page shows an error: not worth a copy
        chosen = filterset.form.cleaned_data if filterset.is_bound else {}
        if chosen.get("q"):
            return  # free text: each visitor's name search would be a copy of its own
        pairs = [(name, v) for name in query if name in chosen for v in written(chosen[name])]
        if query.get(self.page_kwarg) and page is not None:
            pairs.append((self.page_kwarg, str(page.number)))
        used_params(self.request, pairs)


class LandingPageView(TherapistListView):
    """/therapists/<state>/<city>/[<modality>/]: the listing, named for search engines."""

    def filter_data(self):
        data = super().filter_data()
        data.setlist("city", [f"{self.kwargs['city']}-{self.kwargs['state']}".lower()])
        if "modality" in self.kwargs:
            data.setlist("modality", [self.kwargs["modality"]])
        return data

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        vocabulary, data = kwargs["vocabulary"], kwargs["data"]
        if not vocabulary.find("city", data["city"]) or (
            "modality" in self.kwargs and not vocabulary.find("modality", data["modality"])
        ):
            raise Http404("No such city or modality.")
        return kwargs


class TherapistDetailView(DetailView):
    page_cache_params = frozenset()  # cacheable, and reads no GET parameter
    template_name = "therapists/therapist_detail.html"
    context_object_name = "therapist"
    queryset = Therapist.objects.listed().prefetch_related(
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

    def get_context_data(self, **kwargs):
        return super().get_context_data(terms=profile_terms(self.object), **kwargs)

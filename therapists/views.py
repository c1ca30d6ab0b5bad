from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Prefetch
from django.views.generic import DetailView
from django_filters.views import FilterView

from modalities.models import Modality
from therapists.filters import TherapistFilter
from therapists.models import License, Location, Quote, Therapist


class TherapistListView(FilterView):
    filterset_class = TherapistFilter
    queryset = Therapist.objects.listed().with_signature()
    paginate_by = settings.DIRECTORY_PAGE_SIZE
    template_name = "therapists/therapist_list.html"
    page_missing = False

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
        return context


class TherapistDetailView(DetailView):
    template_name = "therapists/therapist_detail.html"
    context_object_name = "therapist"
    queryset = Therapist.objects.listed().prefetch_related(
        Prefetch("licenses", queryset=License.objects.select_related("credential")),
        Prefetch("locations", queryset=Location.objects.select_related("city")),
        Prefetch("modalities", queryset=Modality.objects.published()),
        "concerns",
        "languages",
        Prefetch(
            "quotes",
            queryset=Quote.objects.live()
            .filter(modality__is_published=True)
            .select_related("modality"),
            to_attr="live_quotes",
        ),
    )

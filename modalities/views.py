from django.views.generic import DetailView, ListView

from modalities.models import Modality
from modalities.terms import modality_terms


class ModalityListView(ListView):
    """All published modalities; directory.modality_pages adds how many practise each."""

    page_cache_params = frozenset()  # cacheable, and reads no GET parameter
    template_name = "modalities/modality_list.html"
    context_object_name = "modalities"
    queryset = Modality.objects.published()


class ModalityDetailView(DetailView):
    """A modality's page; directory.modality_pages adds its specialists."""

    page_cache_params = frozenset()  # cacheable; a staff preview has a session, so never is
    template_name = "modalities/modality_detail.html"
    context_object_name = "modality"

    def get_queryset(self):
        # Staff preview unpublished pages at their public address; everyone else gets 404.
        modalities = Modality.objects.all()
        if not self.request.user.is_staff:
            modalities = modalities.published()
        return modalities

    def get_context_data(self, **kwargs):
        return super().get_context_data(terms=modality_terms(self.object), **kwargs)

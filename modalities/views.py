from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import DetailView, ListView

from modalities.models import Modality
from modalities.terms import modality_terms
from modalities.versioned_cache import remember


class ModalityListView(ListView):
    page_cache_params = frozenset()  # cacheable, and reads no GET parameter
    template_name = "modalities/modality_list.html"
    context_object_name = "modalities"
    queryset = Modality.objects.published().annotate(
        specialist_count=Count("therapists", filter=Q(therapists__is_listed=True))
    )


class ModalityDetailView(DetailView):
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
        # Specialists are reached through reverse relations: this app never imports therapists.
        return super().get_context_data(
            terms=modality_terms(self.object),
            quotes=self.object.quotes.live().daily_sample(
                timezone.localdate(), settings.MODALITY_SPECIALISTS_SHOWN
            ),
            specialist_count=remember(
                "specialists", [self.object.pk], self.object.therapists.listed().count
            ),
            **kwargs,
        )

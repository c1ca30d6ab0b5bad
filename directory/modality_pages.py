"""The modality pages with their specialists, counted and sampled by the search index.

Here, in the project, because the modalities app never imports the therapists app.
"""

from django.conf import settings
from django.urls import path

from modalities import views
from therapists.search import current_index, index_lock


class ModalityListView(views.ModalityListView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with index_lock():
            index = current_index()
            for modality in context["modalities"]:
                modality.specialist_count = index.specialists(modality.pk)
        return context


class ModalityDetailView(views.ModalityDetailView):
    def get_context_data(self, **kwargs):
        with index_lock():
            index = current_index()
            count = index.specialists(self.object.pk)
            # A fair sample that changes each day: the first in the day's order.
            sample = index.quoted_specialists(self.object.pk, settings.MODALITY_SPECIALISTS_SHOWN)
        quotes = self.object.quotes.live().of_listings(sample) if sample else []
        return super().get_context_data(specialist_count=count, quotes=quotes, **kwargs)


app_name = "modalities"
urlpatterns = [
    path("", ModalityListView.as_view(), name="list"),
    path("<slug:slug>/", ModalityDetailView.as_view(), name="detail"),
]

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from modalities.models import Modality
from therapists.filters import TherapistFilter


def home(request):
    return render(
        request,
        "directory/home.html",
        {
            "modalities": Modality.objects.published(),
            "search": TherapistFilter(queryset=None).form,
        },
    )


@never_cache
def healthz(request):
    """200 while the database answers, 503 otherwise: what a load balancer needs."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")

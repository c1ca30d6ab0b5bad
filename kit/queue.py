"""The task queue's state, for /healthz: how long the oldest task due to run has waited."""

from django.db.models import Case, F, Min, When
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


def oldest_waiting_seconds():
    """Seconds since the oldest task due to run (READY) became due, or None if none is.

    One query, on the queue's partial index of READY tasks. A task queued to run at once
    is due since it was queued; one queued for later (a retried email) since its time came,
    so a retry's planned wait is never counted as a backlog.
    """
    now = timezone.now()
    due_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min(due_since))["oldest"]
    return None if oldest is None else max(0, int((now - oldest).total_seconds()))


def waiting_tasks():
    """The queue in a few words: "none waiting" or "oldest waiting 12 s"."""
    seconds = oldest_waiting_seconds()
    return "none waiting" if seconds is None else f"oldest waiting {seconds} s"

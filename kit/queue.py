"""The task queue's state, for /healthz: how long the oldest task due to run has waited, and
how many wait to be tried again."""

from django.db.models import Case, Count, F, Min, Q, When
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def queue_state():
    """(seconds since the oldest task due to run (READY) became due, or None if none is;
    how many wait to be tried again later), in one query on the queue's partial index of
    READY tasks (its `ready()` leaves out the planned ones, which are counted here).

    A task queued to run at once is due since it was queued; one queued for later (a
    retried email) since its time came, so a retry's planned wait is never counted as a
    backlog; but retries are counted, so a mail server down for hours shows.
    """
    now = timezone.now()
    due_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    planned = Q(run_after__gt=now) & ~Q(run_after=get_date_max())
    state = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        oldest=Min(due_since, filter=~planned), retrying=Count("pk", filter=planned)
    )
    oldest = state["oldest"]
    seconds = None if oldest is None else max(0, int((now - oldest).total_seconds()))
    return seconds, state["retrying"]


def waiting_tasks():
    """The queue in a few words: "none waiting" or "oldest waiting 12 s", and how many
    wait to be tried again ("; 3 to retry")."""
    seconds, retrying = queue_state()
    words = "none waiting" if seconds is None else f"oldest waiting {seconds} s"
    return f"{words}; {retrying} to retry" if retrying else words

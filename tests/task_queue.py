"""The task queue as production runs it, for tests: the database backend (tests/settings.py
runs tasks as they are queued) and its worker, run until nothing is due."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings, transactional_db):
    """Tasks are rows in the database until a worker runs them. Transactional: the worker
    commits and closes its connection between tasks as in production, which a test kept
    inside one transaction would not survive."""
    settings.TASKS = DATABASE_QUEUE


def run_worker():
    """`manage.py db_worker` as deployed, until no task is due; then it exits."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def waiting():
    """The tasks not yet run (READY), due or planned for later."""
    return DBTaskResult.objects.filter(status="READY")


def make_retries_due():
    """Moves every planned retry to now, as if its wait had passed."""
    waiting().exclude(run_after__gt=timezone.now() + datetime.timedelta(days=3650)).update(
        run_after=timezone.now() - datetime.timedelta(seconds=1)
    )

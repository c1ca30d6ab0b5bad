"""The task queue's rows hold queued emails whole, sign-in links included: django-tasks-db's
admin page would show them to staff, so the admin has none (`/healthz` shows the backlog)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)

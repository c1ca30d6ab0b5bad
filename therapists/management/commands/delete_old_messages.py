from django.conf import settings
from django.core.management.base import BaseCommand

from therapists.models import ContactMessage, GuardedRequest


class Command(BaseCommand):
    help = (
        "Delete contact messages older than MESSAGE_RETENTION_DAYS: they hold health "
        "information, kept no longer than that; and the join and claim forms' counts, "
        "once past the day they count. Run it daily."
    )

    def handle(self, *args, **options):
        deleted, _ = ContactMessage.objects.due_for_deletion().delete()
        days = settings.MESSAGE_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} contact messages older than {days} days.")
        deleted, _ = GuardedRequest.objects.due_for_deletion().delete()
        self.stdout.write(f"Deleted {deleted} join and claim counts older than two days.")

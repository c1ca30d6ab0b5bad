from django.conf import settings
from django.core.management.base import BaseCommand

from therapists.models import ContactMessage


class Command(BaseCommand):
    help = (
        "Delete contact messages older than MESSAGE_RETENTION_DAYS: they hold health "
        "information, kept no longer than that. Run it daily."
    )

    def handle(self, *args, **options):
        deleted, _ = ContactMessage.objects.due_for_deletion().delete()
        days = settings.MESSAGE_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} contact messages older than {days} days.")

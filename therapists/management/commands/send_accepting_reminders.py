from django.core.management.base import BaseCommand

from therapists.accepting import send_reminders
from therapists.models import ACCEPTING_REMINDER_DAYS


class Command(BaseCommand):
    help = (
        "Ask each listing that says it accepts new clients, unconfirmed and not reminded for "
        f"{ACCEPTING_REMINDER_DAYS} days, to confirm it by a signed link. Run it daily."
    )

    def handle(self, *args, **options):
        queued = send_reminders()
        self.stdout.write(f"Queued {queued} accepting reminders; the task worker sends them.")

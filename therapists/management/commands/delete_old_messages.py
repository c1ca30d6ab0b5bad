from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from kit.limits import delete_expired
from therapists.match_results import MatchResult
from therapists.models import ContactMessage, Therapist


class Command(BaseCommand):
    help = (
        "Delete contact messages older than MESSAGE_RETENTION_DAYS: they hold health "
        "information, kept no longer than that; the rate limits' counts (kit.limits), "
        "once past the day they count; and Find Your Match's results past their day. Run "
        "it daily."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        due = ContactMessage.objects.due_for_deletion(now)
        # Their reply times leave the window of "Usually replies within N days".
        replied_by = set(
            due.filter(replied_at__isnull=False).values_list("therapist_id", flat=True)
        )
        deleted, _ = due.delete()
        for therapist in Therapist.objects.filter(pk__in=replied_by):
            ContactMessage.objects.update_reply_days(therapist, now)
        days = settings.MESSAGE_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} contact messages older than {days} days.")
        deleted = delete_expired(now)
        self.stdout.write(f"Deleted {deleted} rate limit counts older than two days.")
        deleted, _ = MatchResult.objects.expired(now).delete()
        self.stdout.write(f"Deleted {deleted} Find Your Match results older than a day.")

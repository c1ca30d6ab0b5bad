from django.core.management.base import BaseCommand
from django.utils import timezone

from therapists.models import Therapist


class Command(BaseCommand):
    help = "Reshuffle the directory's fair order for today. Run it daily, just after midnight."

    def handle(self, *args, **options):
        rotated = Therapist.objects.rotate(timezone.localdate())
        self.stdout.write(f"Rotated {rotated} listings.")

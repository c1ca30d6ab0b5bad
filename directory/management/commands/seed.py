from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.commands import loaddata
from django.utils import timezone

from modalities.models import AgeGroup, Concern, Format, Modality
from modalities.seed_edits import name_the_site
from therapists.models import Credential, Language, Therapist

FIXTURES = ["vocabulary", "ipt"]
# With DEBUG on (make run), fictional listings besides the seed's ten, so that a newcomer
# sees every filter and every modality page at work. One fixed seed, so a second run finds
# them and adds nothing.
DEMO_THERAPISTS = 300
DEMO_SEED = 1


class Command(BaseCommand):
    help = (
        "Load the seeded IPT page and the starter vocabulary; with DEBUG on, also "
        f"{DEMO_THERAPISTS} fictional demo therapists. Safe to run again."
    )

    def handle(self, *args, **options):
        call_command(LoadMissing(), *FIXTURES, verbosity=options["verbosity"])
        # loaddata saves raw, so the seeded listings take their place in today's order here.
        Therapist.objects.rotate(timezone.localdate())
        # Every curated text with a history, so each has a first version to restore.
        for model in (Modality, Concern, Format, AgeGroup, Credential, Language):
            recorded = record_unversioned_state(model)
            if recorded and options["verbosity"]:
                self.stdout.write(
                    f"Recorded {recorded} {model._meta.verbose_name_plural} in history."
                )
        # After the seeded version is recorded, so the original stays in the page's history.
        if name_the_site() and options["verbosity"]:
            self.stdout.write("Named this site in the IPT overview (a curator's edit).")
        # Never in production: demo listings are fiction, and only a developer wants them.
        if settings.DEBUG:
            call_command(
                "seed_demo",
                therapists=DEMO_THERAPISTS,
                seed=DEMO_SEED,
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )


class LoadMissing(loaddata.Command):
    """loaddata that adds the fixtures' rows the database lacks and leaves the others as they
    are: running the seed again (every `make run`, every deploy) keeps what curators edited,
    the accounts linked to seeded listings, and adds no history."""

    def save_obj(self, obj):
        if type(obj.object)._base_manager.filter(pk=obj.object.pk).exists():
            return False
        return super().save_obj(obj)


def record_unversioned_state(model):
    """Adds a history version for each row whose current state history does not hold yet.

    loaddata saves "raw", which django-simple-history does not record; without this a
    seeded page would have no first version for curators to compare with or restore.
    """
    fields = [field.attname for field in model.history.model.tracked_fields]
    latest = {}
    for version in model.history.order_by("id", "history_date", "history_id"):
        latest[version.id] = version
    unrecorded = [
        row
        for row in model.objects.all()
        if row.pk not in latest
        or any(getattr(row, name) != getattr(latest[row.pk], name) for name in fields)
    ]
    model.history.bulk_history_create(unrecorded, default_change_reason="Loaded from the seed")
    return len(unrecorded)

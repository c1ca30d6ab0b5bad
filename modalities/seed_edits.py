"""A curator's edit of the seeded IPT page: the site says its own name.

The seed (fixtures/seed/ipt-modality-page.txt, fixtures/ipt.json) stays word for word as
it was written for the site this product grew from, whose name its overview ends with.
Our page says this site's name there instead (as templates/base.html names it), recorded
in the page's history as a curator's edit after the seeded version, so the original stays
visible and restorable. Made by a data migration on databases seeded before, and by
`manage.py seed` after it loads the page on a new one.
"""

import time

from django.utils import timezone

from modalities.models import Modality

IPT_SLUG = "interpersonal-therapy"
CHANGE_REASON = "Curator's edit: the site's own name in place of the seed's"
SEED_REASON = "Loaded from the seed"
# field -> (the seed's sentence, ours): exactly one sentence changes in each language.
SITE_NAME_EDITS = {
    "overview": (
        "Reach out to one of TherapyDen’s interpersonal therapy specialists today.",
        "Reach out to one of the Therapist Directory’s interpersonal therapy specialists today.",
    ),
    "overview_es": (
        "Comuníquese hoy mismo con uno de los especialistas en terapia interpersonal de "
        "TherapyDen.",
        "Comuníquese hoy mismo con uno de los especialistas en terapia interpersonal del "
        "Directorio de Terapeutas.",
    ),
}


def with_site_name(modality):
    """{field: edited text} for the fields of `modality` that still hold the seed's sentence."""
    return {
        field: getattr(modality, field).replace(seeds, ours)
        for field, (seeds, ours) in SITE_NAME_EDITS.items()
        if seeds in getattr(modality, field)
    }


def name_the_site():
    """Makes the edit with the live model: a save that django-simple-history records (and
    that tells the caches). Does nothing where it is made already, so running it again
    adds no history."""
    modality = Modality.objects.filter(slug=IPT_SLUG).first()
    edits = with_site_name(modality) if modality else {}
    if not edits:
        return False
    for field, text in edits.items():
        setattr(modality, field, text)
    modality._change_reason = CHANGE_REASON
    modality.save()
    return True


def name_the_site_in_migration(apps, schema_editor):
    """The same edit with a migration's models, which have no history signals: the history
    rows are written here (the seeded version first, where history has none), and the
    content version moves so that no cached page keeps the old text."""
    Modality = apps.get_model("modalities", "Modality")
    History = apps.get_model("modalities", "HistoricalModality")
    modality = Modality.objects.filter(slug=IPT_SLUG).first()
    edits = with_site_name(modality) if modality else {}
    if not edits:
        return
    fields = [field.attname for field in Modality._meta.concrete_fields]
    now = timezone.now()
    if not History.objects.filter(id=modality.pk).exists():
        History.objects.create(
            **{name: getattr(modality, name) for name in fields},
            history_date=modality.updated_at or now,
            history_type="+",
            history_change_reason=SEED_REASON,
        )
    for field, text in edits.items():
        setattr(modality, field, text)
    modality.updated_at = now
    Modality.objects.filter(pk=modality.pk).update(**edits, updated_at=now)
    History.objects.create(
        **{name: getattr(modality, name) for name in fields},
        history_date=now,
        history_type="~",
        history_change_reason=CHANGE_REASON,
    )
    ContentVersion = apps.get_model("modalities", "ContentVersion")
    ContentVersion.objects.update(number=time.time_ns())

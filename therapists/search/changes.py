"""The search index's change log, written in the transaction of each change.

Every change that can alter what the directory lists or counts appends an entry: a
listing's own fields, its links, licenses, locations, live quotes, its listing or
unlisting (kind "therapist", with its id); a term of the vocabulary (kind "vocabulary");
the day's new order or a change too wide to name (kind "everything"). Each process's
index applies the entries it has not seen before it answers (therapists.search.index).
"""

import random

from django.apps import apps
from django.db import connections, transaction
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from modalities.models import AgeGroup, Concern, Format, Modality
from therapists.models import (
    City,
    Credential,
    InsurancePlan,
    Language,
    License,
    ListingChange,
    ListingChangeCounter,
    Location,
    Quote,
    Therapist,
    rows_updated,
)

Kind = ListingChange.Kind
VOCABULARY_MODELS = [Modality, Concern, Format, AgeGroup, Credential, Language, InsurancePlan, City]
# Columns no listing shows or filters by: saving only these records nothing.
PRIVATE_FIELDS = {
    Therapist: frozenset({"user", "updated_at"}),
    Quote: frozenset(Quote.DRAFT_FIELDS),
}


class Recorded:
    """An on_commit callback that does nothing: its presence in the connection's list of
    callbacks says which entries the current transaction has written already. Django
    drops it with the entries when the transaction, or the savepoint it was added in,
    rolls back."""

    def __init__(self, entries):
        self.entries = entries

    def __call__(self):
        pass


def recorded_in_transaction(connection):
    if not connection.in_atomic_block:
        return set()
    return {
        entry
        for _savepoints, callback, _robust in connection.run_on_commit
        if isinstance(callback, Recorded)
        for entry in callback.entries
    }


def entries_seen(connection):
    """An index has read the log through this connection, uncommitted entries included:
    a later change in the same transaction needs an entry of its own."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, Recorded):
            callback.entries.clear()


def record(kind, therapist_ids=(None,), using="default"):
    """Appends entries to the log, once per transaction for each (kind, therapist)."""
    connection = connections[using]
    entries = list(dict.fromkeys((kind, therapist_id) for therapist_id in therapist_ids))
    entries = [entry for entry in entries if entry not in recorded_in_transaction(connection)]
    if not entries:
        return
    counter = connection.ops.quote_name(ListingChangeCounter._meta.db_table)
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            # The row stays locked until this transaction ends: numbers commit in order.
            sql = f"UPDATE {counter} SET number = number + %s WHERE id = 1 RETURNING number"
            cursor.execute(sql, [len(entries)])
            row = cursor.fetchone()
            if row is None:  # the tables were emptied (flush): start again after the log
                newest = ListingChange.objects.using(using).aggregate(n=Max("number"))["n"]
                ListingChangeCounter.objects.using(using).create(pk=1, number=newest or 0)
                cursor.execute(sql, [len(entries)])
                row = cursor.fetchone()
            last = row[0]
        ListingChange.objects.using(using).bulk_create(
            ListingChange(
                number=last - len(entries) + 1 + offset,
                token=random.getrandbits(62),
                kind=kind,
                therapist_id=therapist_id,
            )
            for offset, (kind, therapist_id) in enumerate(entries)
        )
        transaction.on_commit(Recorded(set(entries)), using=using)


def forget_entries_before(number, using="default"):
    """Compaction: a process holding an older entry sees `number` ("everything") first."""
    ListingChange.objects.using(using).filter(number__lt=number).delete()


def latest_number(using="default"):
    return ListingChangeCounter.objects.using(using).values_list("number", flat=True).get(pk=1)


# Signal receivers ------------------------------------------------------------------------


def listing_saved(sender, instance, update_fields=None, using="default", **kwargs):
    private = PRIVATE_FIELDS.get(sender._meta.concrete_model, frozenset())
    if update_fields is not None and set(update_fields) <= private:
        return
    record(Kind.THERAPIST, [instance.pk], using)


def listing_deleted(sender, instance, using="default", **kwargs):
    record(Kind.THERAPIST, [instance.pk], using)


def part_changed(sender, instance, update_fields=None, using="default", **kwargs):
    """A license, location or quote: its listing changed."""
    private = PRIVATE_FIELDS.get(sender._meta.concrete_model, frozenset())
    if update_fields is not None and set(update_fields) <= private:
        return
    record(Kind.THERAPIST, [instance.therapist_id], using)


def links_changed(action, instance, reverse, pk_set, using="default", **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        record(Kind.THERAPIST, [instance.pk], using)
    elif pk_set:
        record(Kind.THERAPIST, sorted(pk_set), using)
    elif action == "post_clear":
        record(Kind.EVERYTHING, using=using)  # which listings were linked is gone


def vocabulary_changed(sender, using="default", created=False, **kwargs):
    deleted = kwargs.get("signal") is post_delete
    if deleted or (sender._meta.concrete_model is City and not created):
        # A term deleted takes its links with it, and sends no signal for them; a city
        # moved to another state has its listings filed under the old one.
        record(Kind.EVERYTHING, using=using)
    else:
        record(Kind.VOCABULARY, using=using)


def part_moving(sender, instance, raw=False, using="default", **kwargs):
    """A license, location or quote given to another listing: the old one changes too."""
    if instance._state.adding or instance.pk is None:
        return
    previous = (
        sender._meta.concrete_model.objects.using(using)
        .filter(pk=instance.pk)
        .values_list("therapist_id", flat=True)
        .first()
    )
    if previous is not None and previous != instance.therapist_id:
        record(Kind.THERAPIST, [previous], using)


def rows_changed(sender, therapist_ids=None, using="default", **kwargs):
    if therapist_ids is None:
        record(Kind.EVERYTHING, using=using)
        # Every process reads everything again from this entry on: older ones are spent.
        forget_entries_before(latest_number(using), using)
    elif therapist_ids:
        record(Kind.THERAPIST, sorted(therapist_ids), using)


def connect():
    """Connects the receivers to each model and to its proxies (Django sends a proxy's
    own class as the sender: LicenseToRecheck, PendingQuote)."""
    for model in apps.get_models():
        concrete = model._meta.concrete_model
        if concrete is Therapist:
            post_save.connect(listing_saved, sender=model, weak=False)
            post_delete.connect(listing_deleted, sender=model, weak=False)
        elif concrete in (License, Location, Quote):
            pre_save.connect(part_moving, sender=model, weak=False)
            post_save.connect(part_changed, sender=model, weak=False)
            post_delete.connect(part_changed, sender=model, weak=False)
        elif concrete in VOCABULARY_MODELS:
            post_save.connect(vocabulary_changed, sender=model, weak=False)
            post_delete.connect(vocabulary_changed, sender=model, weak=False)
    for field in Therapist._meta.local_many_to_many:
        m2m_changed.connect(links_changed, sender=field.remote_field.through, weak=False)
    rows_updated.connect(rows_changed, weak=False)

"""The vocabulary terms a page lists about one object, read in a single UNION ALL query.

A profile lists its modalities, concerns, languages, formats, ages and insurance plans; a
modality page its concerns, formats, ages and references. Prefetching each would cost a
query apiece; these helpers read them all at once.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import CharField, F, IntegerField, Value
from django.urls import reverse

from modalities.translation import in_edition, with_abbreviation


@dataclass(frozen=True)
class Term:
    kind: str
    slug: str
    english: str
    spanish: str | None = None  # None: a name that is not a curated text (a plan's, a title)
    abbreviation: str = ""
    position: int = 0

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the page's language (modalities.translation)."""
        if self.spanish is None:
            return self.english
        return in_edition(self.english, self.spanish)

    @property
    def full_name(self):
        return with_abbreviation(self.name, self.abbreviation)

    def get_absolute_url(self):
        """The modality page of a modality term."""
        return reverse("modalities:detail", kwargs={"slug": self.slug})


def _text(value):
    return Value(value, output_field=CharField())


def linked(instance, relation, kind, *, abbreviation=False, position=False, **filters):
    """One part of the union: the terms linked to `instance` through the many-to-many
    `relation`, as rows (kind, slug, name, name_es, abbreviation, position)."""
    field = instance._meta.get_field(relation)
    target = field.m2m_reverse_field_name()
    translated = any(f.name == "name_es" for f in field.related_model._meta.fields)
    return (
        field.remote_field.through.objects.filter(
            **{field.m2m_field_name(): instance},
            **{f"{target}__{k}": v for k, v in filters.items()},
        )
        .order_by()
        .values_list(
            _text(kind),
            f"{target}__slug",
            f"{target}__name",
            F(f"{target}__name_es") if translated else Value(None, output_field=CharField()),
            F(f"{target}__abbreviation") if abbreviation else _text(""),
            F(f"{target}__position") if position else Value(0, output_field=IntegerField()),
        )
    )


def rows(queryset, kind, slug, name, position="position"):
    """A part of the union from any queryset, naming which fields stand for slug and name."""
    return queryset.order_by().values_list(
        _text(kind),
        slug,
        name,
        Value(None, output_field=CharField()),
        _text(""),
        F(position) if position else Value(0, output_field=IntegerField()),
    )


def load_terms(*parts):
    """{kind: [Term, ...]} sorted by position then name in the page's language, from one
    query."""
    terms = defaultdict(list)
    for row in parts[0].union(*parts[1:], all=True):
        terms[row[0]].append(Term(*row))
    for found in terms.values():
        found.sort(key=lambda term: (term.position, term.name))
    return terms


def modality_terms(modality):
    """A modality page's concerns, formats, ages and references (slug holds the link)."""
    return load_terms(
        linked(modality, "concerns", "concerns"),
        linked(modality, "formats", "formats", position=True),
        linked(modality, "age_groups", "ages", position=True),
        rows(modality.references.all(), "references", "url", "title"),
    )

"""Texts kept in English and Spanish side by side: `name` and `name_es` in one row.

Both live in the same row so that the Spanish text shares the English text's history,
difference and restore (django-simple-history records the row). A page shows the text of
its edition's language, and the English one, marked as such, where no Spanish text exists
yet. Therapists' own words use the same columns and the same fallback.
"""

from django.conf import settings
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import get_language_from_path, pgettext_lazy

ENGLISH, SPANISH = "en", "es"
# The languages a text may be written in, as a page names them ("Written in English").
# In the middle of a sentence, hence a context of their own: Spanish writes them in lower case.
TEXT_LANGUAGES = {
    ENGLISH: pgettext_lazy("written in", "English"),
    SPANISH: pgettext_lazy("written in", "Spanish"),
}


def language_of(path):
    """The edition a path belongs to: 'es' for /es/..., the default language otherwise."""
    return get_language_from_path(path) or settings.LANGUAGE_CODE


def edition_language():
    """The language of the page being drawn: 'es' on the Spanish edition, else 'en'."""
    return SPANISH if (translation.get_language() or "").startswith(SPANISH) else ENGLISH


class InLanguage(str):
    """A text that knows the language it is written in."""

    language = ENGLISH

    def __new__(cls, text, language):
        text = super().__new__(cls, text)
        text.language = language
        return text

    @property
    def is_fallback(self):
        """True where the page is in another language than this text (mark it so)."""
        return self.language != edition_language()


def in_edition(english, spanish):
    """The edition's text: the Spanish one on the Spanish edition when there is one; on
    either edition the other language's where the edition's is empty (a therapist who
    wrote only in Spanish)."""
    if spanish and (edition_language() == SPANISH or not english):
        return InLanguage(spanish, SPANISH)
    return InLanguage(english or "", ENGLISH)


def with_abbreviation(name, abbreviation):
    """'Interpersonal Therapy (IPT)', in the name's language; the name alone without one."""
    if abbreviation and abbreviation != name:
        return InLanguage(f"{name} ({abbreviation})", getattr(name, "language", ENGLISH))
    return name


class TranslatedFields:
    """For a model with `<field>` in English and `<field>_es` in Spanish for each field in
    `translated_fields`: `obj.translated("name")`, `{{ obj.tr.name }}` in templates, and
    str(obj) is the name in the edition's language."""

    translated_fields = ("name",)

    def translated(self, field):
        return in_edition(getattr(self, field), getattr(self, f"{field}_es", ""))

    @property
    def tr(self):
        return _Translated(self)

    def __str__(self):
        return self.translated("name")


class _Translated:
    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, field):
        if field not in self._obj.translated_fields:
            raise AttributeError(field)
        return self._obj.translated(field)


def _interpolate(text, values):
    return text % values


_lazy_interpolate = lazy(_interpolate, str)


def interpolate_lazy(text, **values):
    """`_("Up to %(limit)s characters") % {...}` for import time (a form's help text): put
    together when shown, in the page's language, not once in the language at start-up."""
    return _lazy_interpolate(text, values)

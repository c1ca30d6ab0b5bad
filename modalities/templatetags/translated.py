"""Marks a text shown in another language than its page's (modalities.translation)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from modalities.translation import TEXT_LANGUAGES

register = template.Library()


@register.filter
def lang_attr(text):
    """' lang="en"' for a text in another language than the page, so screen readers switch."""
    if getattr(text, "is_fallback", False):
        return format_html(' lang="{}"', text.language)
    return ""


@register.filter
def in_its_language(text):
    """The text, wrapped in a <span lang="en"> where it is in another language than the page
    (for names in a sentence or a list, where no element of their own carries lang)."""
    if getattr(text, "is_fallback", False):
        return format_html('<span lang="{}">{}</span>', text.language, text)
    return text


@register.simple_tag
def written_in(text):
    """'Written in English' (on the Spanish edition: 'Escrito en inglés') for a text in
    another language than the page; nothing otherwise."""
    if not getattr(text, "is_fallback", False):
        return ""
    label = gettext("Written in %(language)s") % {"language": TEXT_LANGUAGES[text.language]}
    return format_html('<span class="written-in">{}</span>', label)

"""A page's canonical address and its address in each edition (hreflang)."""

from django import template
from django.utils.html import format_html, format_html_join

from directory.editions import DEFAULT, EDITIONS, language_of, path_in_edition

register = template.Library()


@register.simple_tag(takes_context=True)
def edition_links(context, path):
    """<link rel=canonical> to `path`, and rel=alternate to it in every edition, x-default
    (the English edition) included. Nothing on pages drawn without the request (errors)."""
    request = context.get("request")
    if request is None:
        return ""
    origin = f"{request.scheme}://{request.get_host()}"
    alternates = [(code, path_in_edition(path, code)) for code in EDITIONS]
    alternates.append(("x-default", path_in_edition(path, DEFAULT)))
    return format_html(
        '<link rel="canonical" href="{}{}">\n  {}',
        origin,
        path,
        format_html_join(
            "\n  ",
            '<link rel="alternate" hreflang="{}" href="{}{}">',
            ((code, origin, url) for code, url in alternates),
        ),
    )


@register.simple_tag(takes_context=True)
def page_path(context):
    """The page's own address: the one its view names canonical (the directory's filters,
    checked), else its path without the query; "" for a page drawn without the request."""
    request = context.get("request")
    return context.get("canonical_path") or (request.path if request else "")


@register.simple_tag
def other_editions(path):
    """[{code, name, url}] of the page at `path` (its canonical address, so only parameters
    the page validated) in each other edition, for the language switch."""
    if not path:
        return []
    current = language_of(path)
    return [
        {"code": code, "name": name, "url": path_in_edition(path, code)}
        for code, name in EDITIONS.items()
        if code != current
    ]

"""A page's canonical address and its address in each edition (hreflang)."""

from django import template
from django.utils.html import format_html, format_html_join

from directory.editions import DEFAULT, EDITIONS, in_edition

register = template.Library()


@register.simple_tag(takes_context=True)
def edition_links(context, path):
    """<link rel=canonical> to `path`, and rel=alternate to it in every edition, x-default
    (the English edition) included. Nothing on pages drawn without the request (errors)."""
    request = context.get("request")
    if request is None:
        return ""
    origin = f"{request.scheme}://{request.get_host()}"
    alternates = [(code, in_edition(path, code)) for code in EDITIONS]
    alternates.append(("x-default", in_edition(path, DEFAULT)))
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

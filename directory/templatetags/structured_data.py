"""JSON-LD for search engines: {% person_ld therapist modalities %}, {% modality_ld modality %}."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from modalities.structured_data import modality_data
from therapists.structured_data import person_data

register = template.Library()

# As django.utils.html.json_script escapes: text a user typed ("</script>", "<!--")
# can never end the element or start markup inside it.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter(is_safe=True)
def ld_json(data):
    """A dict as a <script type="application/ld+json"> data block, which browsers never run."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def person_ld(context, therapist, modalities):
    return ld_json(person_data(context["request"], therapist, modalities))


@register.simple_tag(takes_context=True)
def modality_ld(context, modality):
    return ld_json(modality_data(context["request"], modality))

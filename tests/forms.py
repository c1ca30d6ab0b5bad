"""Forms read from a page's HTML and sent as a browser sends them.

A test that builds its own query ({"near": "90012"}) proves only that the view reads that
query; a person sends what the form holds: every field, the untouched ones with their
default values (`modality=` for "Any kind of therapy"), in the page's order, to the form's
action. `forms_on(response)` reads the forms; `form.data()` is what a browser would send
from it untouched, `form.data(near="90012")` after a person typed or chose those values,
refusing any a person could not have chosen (an option the select does not offer).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

# Inputs whose value a person types; a browser sends them as they are, even empty.
TYPED = {"text", "search", "email", "tel", "url", "number", "password", "date", "hidden", ""}
NEVER_SENT = {"submit", "button", "reset", "image", "file"}


@dataclass
class Control:
    """One named field of a form, as the page draws it."""

    tag: str  # input, select or textarea
    type: str  # the input's type; "select" or "textarea" for those
    name: str
    value: str = ""  # an input's value or a textarea's text
    checked: bool = False
    multiple: bool = False
    disabled: bool = False
    options: list = field(default_factory=list)  # [(value, selected, disabled)] of a select

    def sent(self):
        """The values a browser sends for this control untouched."""
        if self.disabled or self.type in NEVER_SENT:
            return []
        if self.type in {"checkbox", "radio"}:
            return [self.value or "on"] if self.checked else []
        if self.tag != "select":
            return [self.value]
        chosen = [value for value, selected, disabled in self.options if selected and not disabled]
        if chosen or self.multiple:
            return chosen if self.multiple else chosen[-1:]
        # A single select with no option marked selected shows, and sends, its first one.
        enabled = [value for value, _selected, disabled in self.options if not disabled]
        return enabled[:1]

    def offers(self, value):
        """Whether a person could make this control send `value`."""
        if self.tag == "select":
            return any(value == option and not disabled for option, _, disabled in self.options)
        if self.type in {"checkbox", "radio"}:
            return value == (self.value or "on")
        return self.type not in NEVER_SENT


@dataclass
class Form:
    action: str
    method: str
    attrs: dict
    controls: list = field(default_factory=list)

    def names(self):
        return list(dict.fromkeys(control.name for control in self.controls))

    def data(self, **chosen):
        """(name, value) pairs the browser sends, in the page's order, after a person set
        each field named in `chosen` to its value (a list for several checkboxes)."""
        wanted = {
            name: list(value) if isinstance(value, list) else [value]
            for name, value in chosen.items()
        }
        for name, values in wanted.items():
            controls = [control for control in self.controls if control.name == name]
            assert controls, f"the form has no field {name!r}; it has {self.names()}"
            for value in values:
                assert any(control.offers(value) for control in controls), (
                    f"a person cannot make {name!r} send {value!r}"
                )
        pairs = []
        for control in self.controls:
            if control.name not in wanted:
                pairs += [(control.name, value) for value in control.sent()]
            elif control.type in {"checkbox", "radio"}:
                if (control.value or "on") in wanted[control.name]:
                    pairs.append((control.name, control.value or "on"))
            elif control.tag == "select" and control.multiple:
                pairs += [(control.name, value) for value in wanted[control.name]]
            elif wanted[control.name]:
                # One typed value or chosen option per control of that name, in order.
                pairs.append((control.name, wanted[control.name].pop(0)))
        return pairs

    def submit(self, client, page_url, **chosen):
        """Sends the form from the page at `page_url` as a browser does, following
        redirects; the final response, whose `.request` says where it ended."""
        target = urljoin(page_url, self.action or page_url)
        path = urlsplit(target).path
        body = urlencode(self.data(**chosen))
        if self.method == "post":
            return client.post(
                path, body, content_type="application/x-www-form-urlencoded", follow=True
            )
        return client.get(f"{path}?{body}", follow=True)


class _FormsParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._option, self._textarea = (
            [],
            None,
            None,
            None,
            None,
        )

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = Form(
                action=attrs.get("action", ""),
                method=attrs.get("method", "get").lower(),
                attrs=attrs,
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name, disabled = attrs.get("name"), "disabled" in attrs
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            self._form.controls.append(
                Control(
                    "input",
                    kind,
                    name,
                    attrs.get("value", ""),
                    checked="checked" in attrs,
                    disabled=disabled,
                )
            )
        elif tag == "select" and name:
            self._select = Control(
                "select", "select", name, multiple="multiple" in attrs, disabled=disabled
            )
            self._form.controls.append(self._select)
        elif tag == "option" and self._select:
            # An option with no value attribute sends its text.
            self._option = [attrs.get("value"), "selected" in attrs, disabled, []]
        elif tag == "textarea" and name:
            self._textarea = Control("textarea", "textarea", name, disabled=disabled)
            self._form.controls.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the newline that follows the opening tag.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None

    def _end_option(self):
        if self._option and self._select:
            value, selected, disabled, text = self._option
            value = " ".join("".join(text).split()) if value is None else value
            self._select.options.append((value, selected, disabled))
        self._option = None

    def handle_data(self, data):
        if self._textarea:
            self._textarea.value += data
        elif self._option:
            self._option[3].append(data)


def forms_on(response):
    """Every form on the page, in order."""
    parser = _FormsParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser.forms


def form_on(response, **attrs):
    """The one form on the page whose attributes include `attrs` (id="...", role="search")."""
    found = [
        form
        for form in forms_on(response)
        if all(form.attrs.get(name) == value for name, value in attrs.items())
    ]
    assert len(found) == 1, f"{len(found)} forms with {attrs} on the page"
    return found[0]

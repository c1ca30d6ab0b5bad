"""A minimal browser over real HTTP for live-server tests: a cookie jar, signing in through
the site's own login forms, and forms read from the page and sent back as a browser would."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Every <form> on a page: its attributes and the fields a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "fields": []}
            self.forms.append(self._form)
        if self._form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._form["fields"].append(
                [name, attrs.get("value", "on" if kind in {"checkbox", "radio"} else "")]
            )
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self._form["fields"].append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # The HTML parser drops one newline right after <textarea>.
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select["options"] if selected]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = [self._select["options"][0][0]]
            self._form["fields"].extend([self._select["name"], value] for value in chosen)
            self._select = None
        elif tag == "form":
            self._form = None


def page_forms(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_fields(html, form_id=None, having=None):
    """[(name, value), ...] of the form with that id (or the first one having a field of
    that name), as a browser submits it."""
    for form in page_forms(html):
        names = {name for name, _value in form["fields"]}
        if (form_id and form["attrs"].get("id") == form_id) or (having and having in names):
            return [tuple(field) for field in form["fields"]]
    raise AssertionError(f"No form {form_id or having} on the page")


def replace(fields, **changes):
    """The fields with each named one set to a new value (a list for several values)."""
    kept = [(name, value) for name, value in fields if name not in changes]
    for name, value in changes.items():
        kept += [(name, item) for item in (value if isinstance(value, list) else [value])]
    return kept


class _LocalhostIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Sends Secure cookies to http://localhost, as Chromium and Firefox do: the production
    settings mark the session and CSRF cookies Secure, and the live server speaks plain HTTP."""

    def return_ok_secure(self, cookie, request):
        host = urllib.parse.urlsplit(request.get_full_url()).hostname
        return host in {"localhost", "127.0.0.1"} or super().return_ok_secure(cookie, request)

    def set_ok(self, cookie, request):
        return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor with cookies of their own; answers are (status, location, html)."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar(policy=_LocalhostIsSecure())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def open(self, path, data=None):
        request = urllib.request.Request(urllib.parse.urljoin(self.base_url, path), data=data)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Location"), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location"), error.read().decode()

    def get(self, path):
        status, location, html = self.open(path)
        assert status == 200, (path, status, location)
        return html

    def post(self, path, fields):
        return self.open(path, urllib.parse.urlencode(fields, doseq=True).encode())

    def submit(self, path, html, form_id=None, having=None, **changes):
        """Sends the page's form back with `changes`, as a person filling it in would."""
        return self.post(path, replace(form_fields(html, form_id, having), **changes))

    def sign_in(self, login_path, username, password):
        """Signs in through the login page's own form, CSRF token and all."""
        html = self.get(login_path)
        status, location, page = self.submit(
            login_path, html, having="password", username=username, password=password
        )
        assert status == 302, (status, page[-2000:])
        return location

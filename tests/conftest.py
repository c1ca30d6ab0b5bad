"""Small builders for test data; every name here is fictional."""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils.text import slugify

from modalities.models import Concern, Modality

# The cache tests' fixtures: a real Redis on a free port, and a cache where nothing listens.
from tests.redis_server import dead_cache, redis_cache, redis_server  # noqa: F401
from therapists.models import City, Credential, License, Location, Quote, Therapist

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed" / "ipt-modality-page.txt"


def seed_page():
    """(overview, [(quote, name, credential, city, state), ...]) read from the seed text."""
    blocks = [block.strip() for block in SEED.read_text(encoding="utf-8").split("\n\n")]
    blocks = [block for block in blocks if block]
    start = blocks.index("Meet the specialists") + 1
    specialists = []
    for quote, signature in zip(blocks[start::2], blocks[start + 1 :: 2], strict=True):
        name, credential, city, state = re.fullmatch(
            r"— (.+), (.+) in (.+), ([A-Z]{2})", signature
        ).groups()
        specialists.append((quote, name, credential, city, state))
    return blocks[1], specialists


# The one sentence of the seeded IPT overview that the page says otherwise: the seed names
# the site it was written for, the page names this one (a curator's edit, recorded after
# the seeded version; modalities.seed_edits). The seed file itself stays word for word.
SITE_NAME_SENTENCES = {
    "en": (
        "Reach out to one of TherapyDen’s interpersonal therapy specialists today.",
        "Reach out to one of the Therapist Directory’s interpersonal therapy specialists today.",
    ),
    "es": (
        "uno de los especialistas en terapia interpersonal de TherapyDen.",
        "uno de los especialistas en terapia interpersonal del Directorio de Terapeutas.",
    ),
}


def as_shown(seeded_text, language="en"):
    """A seeded IPT overview as the page shows it: exactly that one sentence changed."""
    seeds, ours = SITE_NAME_SENTENCES[language]
    assert seeded_text.count(seeds) == 1
    return seeded_text.replace(seeds, ours)


@pytest.fixture
def seeded(db):
    """The seeded IPT page and the starter vocabulary, loaded as `make run` loads them."""
    call_command("seed", verbosity=0)


@pytest.fixture
def steven_with_account(seeded):
    """The seed's Steven Su once he has joined: linked to an account, so his listing takes
    messages (the seed's listings have none)."""
    user = User.objects.create_user("steven@example.org", "steven@example.org")
    Therapist.objects.filter(slug="steven-su").update(user=user)
    return Therapist.objects.get(slug="steven-su")


def make_modality(name="Sample Modality", abbreviation="", **fields):
    fields.setdefault("overview", f"{name} is a fictional approach used in tests.")
    return Modality.objects.create(
        name=name, abbreviation=abbreviation, slug=slugify(name), **fields
    )


def make_concern(name="Sample concern"):
    return Concern.objects.create(name=name, slug=slugify(name))


def make_city(name="Springfield", state="IL"):
    city, _ = City.objects.get_or_create(
        slug=slugify(f"{name} {state}"), defaults={"name": name, "state": state}
    )
    return city


def make_credential(name="Licensed Sample Counselor", abbreviation="LSC"):
    credential, _ = Credential.objects.get_or_create(
        slug=slugify(name), defaults={"name": name, "abbreviation": abbreviation}
    )
    return credential


def make_therapist(
    name="Fictional Therapist",
    *,
    city=None,
    credential=None,
    modalities=(),
    quote=None,
    account=False,
    **fields,
):
    """A listed therapist with a primary license and location; `quote` goes on each modality.

    `account`: linked to an account of its own (<slug>@example.org), as a therapist who has
    joined: only such a listing takes messages; without one it is unclaimed, as the seed's."""
    if account and "user" not in fields:
        address = f"{slugify(name)}@example.org"
        fields["user"] = User.objects.create_user(address, address)
    therapist = Therapist.objects.create(display_name=name, slug=slugify(name), **fields)
    city = city or make_city()
    License.objects.create(
        therapist=therapist,
        credential=credential or make_credential(),
        state=city.state,
        is_primary=True,
    )
    Location.objects.create(therapist=therapist, city=city, is_primary=True)
    therapist.modalities.set(modalities)
    for modality in modalities:
        if quote is not None:
            Quote.objects.create(therapist=therapist, modality=modality, text=quote)
    return therapist


class _TextAndLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.links, self._href = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._link_text = dict(attrs).get("href"), []

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, squash("".join(self._link_text))))
            self._href = None

    def handle_data(self, data):
        self.text.append(data)
        if self._href is not None:
            self._link_text.append(data)


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def parse(response):
    parser = _TextAndLinks()
    parser.feed(response.content.decode())
    return parser


def page_text(response):
    """The page as a person reads it: tags gone, entities decoded, whitespace collapsed."""
    return squash(unescape(" ".join(parse(response).text)))


def page_links(response):
    """(href, link text) for every link on the page."""
    return parse(response).links


CARD_NAME = re.compile(r'<h3><a href="(?:/es)?/therapists/[^"]+"[^>]*>([^<]+)</a>')


def card_names(response):
    """The names on the page's cards, in order (each card's heading links to the profile)."""
    return [unescape(name) for name in CARD_NAME.findall(response.content.decode())]


def admin_form_data(response):
    """What the browser would send back unchanged: the change form and its inlines."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if field.field.disabled or value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


# Suites the CI log names with their counts, so a reader sees each kind of proof ran.
NAMED_SUITES = {
    "browser journeys": "tests/browser/test_journeys.py",
    "accessibility with axe-core": "tests/browser/test_accessibility.py",
    "privacy in the browser": "tests/browser/test_privacy.py",
    "security headers and settings": "tests/test_security.py",
    "login throttling": "tests/test_login_throttling.py",
    "property-based bad input": "tests/test_bad_input.py",
}


def pytest_terminal_summary(terminalreporter):
    reports = {
        outcome: [report.nodeid for report in terminalreporter.stats.get(outcome, [])]
        for outcome in ("passed", "failed", "error", "skipped")
    }
    terminalreporter.section("named suites")
    for label, path in NAMED_SUITES.items():
        counts = ", ".join(
            f"{sum(node.startswith(path) for node in nodes)} {outcome}"
            for outcome, nodes in reports.items()
            if any(node.startswith(path) for node in nodes) or outcome == "passed"
        )
        terminalreporter.write_line(f"- {label} ({path}): {counts}")


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, db):
    """pytest-django's, with the search index brought up to date before the block: a page's
    pinned queries are its own (the index's one look at the change log among them), not the
    index's reading of the data the test has just made."""
    from contextlib import contextmanager

    from therapists.search import current_index

    @contextmanager
    def pinned(*args, **kwargs):
        current_index()
        with django_assert_num_queries(*args, **kwargs) as context:
            yield context

    return pinned


# Shared by the inbox and photo tests: a listing its own account may edit.
def make_therapist_with_account(name, email, **fields):
    """A listed therapist whose account (user name and address `email`) may edit it."""
    return make_therapist(name, user=User.objects.create_user(email, email), **fields)

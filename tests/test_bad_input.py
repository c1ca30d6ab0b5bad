"""Bad input never breaks a page, never comes back unescaped, and a refused form changes
nothing: hypothesis sends generated query strings, paths and form posts through the
Django test client to the directory, its landing pages, Find Your Match and the
therapist's own forms.

Every example runs in a savepoint that is rolled back afterwards, so each starts from the
seed whatever the one before it saved, and a database error (PostgreSQL refuses a NUL
character in a query parameter) cannot poison the examples after it.
"""

from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from modalities.models import AgeGroup, Concern, Format, Modality
from tests.conftest import page_text
from therapists.models import City, Credential, InsurancePlan, Language, Quote, Therapist

# Derandomized so CI runs the same examples every time; no example database on disk.
# The examples are spread so the file runs in well under two minutes on two cores.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DIRECTORY = "/therapists/"
MATCH = "/match/"
EDIT = "/profile/edit/"
QUOTE = "/profile/quotes/interpersonal-therapy/"

# Generated values ------------------------------------------------------------------------

SQL = [
    "' OR 1=1 --",
    "'; DROP TABLE therapists_therapist; --",
    '" OR ""="',
    "1) OR (1=1",
    "' UNION SELECT NULL, NULL --",
    "%",
    "_",
    "%_%",
    "\\",
    "\\%",
]
HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    "<b>bold</b>",
    "<!--",
    "javascript:alert(1)",
    "&lt;script&gt;",
]
NUMBERS = [
    "0",
    "-0",
    "1",
    "-1",
    "100",
    "101",
    "2000",
    "2001",
    "1.5",
    "-2.5",
    "1e3",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "+5",
    " 7 ",
    "1_000",
    "١٢٠",
    "𝟗𝟎",
    "²",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 40,
]
ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "90\x00012",
    "\u202eevil\u202c",
    "שלום עולם",
    "مرحبا بالعالم",
    "👩‍⚕️🧠🏳️‍🌈",
    "e\u0301\u0302\u0303\u0304",
    "Z\u0364\u0351\u0307a\u0308\u0316l\u036e\u0312g\u030co\u0319",
    "\u200b",
    "\ufeff",
    "\ufdfa",
    "İstanbul",
    "Straße",
    "\r\n",
    "\t",
    "%00",
    "%zz",
    "+",
    "&",
    "=",
    "#",
    "?",
    "/",
    "..",
    "../../etc/passwd",
    "\\x00",
    "None",
    "null",
    "true",
    "on",
]
FIXED = [*SQL, *HTML, *NUMBERS, *ODD]
# Written raw, so the raw form of these in a page is markup a browser would run.
PAYLOADS = [payload for payload in HTML if "<" in payload]

# Any text a browser can send (UTF-8 has no lone surrogates).
any_text = st.text(st.characters(codec="utf-8"), max_size=30)
short_nasty = st.one_of(
    st.sampled_from(FIXED),
    any_text,
    st.lists(st.one_of(st.sampled_from(FIXED), any_text), min_size=2, max_size=4).map("".join),
)


def long_text(max_size=10_000):
    """Up to `max_size` characters, built by repetition: cheap to generate and to shrink."""
    return st.builds(
        lambda piece, size: (piece * (size // len(piece) + 1))[:size],
        short_nasty.filter(bool),
        st.integers(1000, max_size),
    )


nasty = st.one_of(short_nasty, short_nasty, long_text())


def values(valid):
    """Half of the time a value the page knows, so the checks behind it run too."""
    return st.one_of(st.sampled_from(valid), nasty)


def pairs(field_values, unknown_keys=()):
    """(key, value) pairs: known keys with their values, any key repeated, unknown keys."""
    known = st.sampled_from(sorted(field_values)).flatmap(
        lambda key: st.tuples(st.just(key), field_values[key])
    )
    strange = st.tuples(st.one_of(st.sampled_from(list(unknown_keys) or [""]), any_text), nasty)
    return st.lists(st.one_of(known, known, known, strange), max_size=10)


UNKNOWN_KEYS = ["utm_source", "fbclid", "page[]", "modality[]", "", "csrfmiddlewaretoken", "sort"]
# Broken escapes and separators, appended to a query string as a browser might send them.
RAW_TAILS = ["", "", "&", "&&=", "&=x", "&%zz=%", "&a=%E0%A4%A", "&%00=%00", "&x", "&;=;"]


def encoded(pairs, tail=""):
    return urlencode(pairs, quote_via=quote) + tail


# The properties ----------------------------------------------------------------------------


def sent(pairs):
    """Every string the request carried, keys and values."""
    return [text for pair in pairs for text in pair]


def assert_safe(response, strings, markup):
    """Not a server error, and no generated markup comes back unescaped.

    A value holding `<` or `"` may appear raw only where the page has the same text as
    its own markup (`markup`: the same pages rendered without generated input), as a
    lone `"` does.
    """
    event(f"HTTP {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500
    body = response.content.decode()
    for payload in PAYLOADS:
        if any(payload in text for text in strings) and payload not in markup:
            assert payload not in body
    for text in strings:
        for candidate in {text, text.strip()}:
            if ("<script" in candidate or "onerror=" in candidate) and set(candidate) & set(
                "<>\"'&"
            ):
                assert candidate not in body
            if set(candidate) & set('<"') and candidate not in markup:
                assert candidate not in body


def listing(therapist):
    """Every column and relation of a listing, and its quotes."""
    therapist = Therapist.objects.get(pk=therapist.pk)
    relations = [field.name for field in Therapist._meta.many_to_many]
    return (
        Therapist.objects.filter(pk=therapist.pk).values().get(),
        {
            name: sorted(obj.pk for obj in objects)
            for name, objects in model_to_dict(therapist, fields=relations).items()
        },
        list(Quote.objects.filter(therapist=therapist).order_by("pk").values()),
    )


def in_savepoint(check):
    """Runs check() and rolls back whatever it wrote."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@pytest.fixture
def own_markup(client):
    """markup(request, ...): the pages' own bodies for those requests, read once per test.

    A request is a URL to GET or a (URL, data) pair to POST.
    """
    bodies = {}

    def markup(*requests):
        for request in requests:
            if repr(request) not in bodies:
                response = (
                    client.get(request) if isinstance(request, str) else client.post(*request)
                )
                bodies[repr(request)] = response.content.decode()
        return "\n".join(bodies[repr(request)] for request in requests)

    return markup


# The vocabulary the pages know, read from the seed --------------------------------------


# Directory parameter, and the profile form's field, for each list of the vocabulary.
LISTS = {
    Modality: ("modality", "modalities"),
    Concern: ("concern", "concerns"),
    Language: ("language", "languages"),
    InsurancePlan: ("insurance", "insurance_plans"),
    Format: ("format", "formats"),
    AgeGroup: ("age", "age_groups"),
    Credential: ("credential", None),
    City: ("city", None),
}


@pytest.fixture
def vocabulary(seeded):
    """Slugs by directory parameter, and ids (as posted) by profile form field."""
    known = {}
    for model, (param, field) in LISTS.items():
        rows = model.objects.order_by("pk").values_list("pk", "slug")
        known[param] = [slug for _pk, slug in rows]
        if field:
            known[field] = [str(pk) for pk, _slug in rows]
    return known


ZIPS = ["90012", "92831", "30303", "02903", "98057", "21204", "10001", "00000", "9001"]
STATES = ["CA", "GA", "RI", "MD", "WA", "NY", "ca", "XX"]
FLAGS = ["on", "true", "1", "false", "0", "", "yes"]


# The directory ------------------------------------------------------------------------------


def directory_fields(vocabulary):
    fields = {param: values(vocabulary[param]) for param, _field in LISTS.values()}
    fields.update(
        gender=values(["woman", "man", "non-binary"]),
        state=values(STATES),
        near=values(ZIPS),
        radius=values(["1", "10", "25", "100", "0", "101"]),
        fee_max=values(["0", "100", "150", "2000", "2001"]),
        q=values(["Su", "steven", "STEVEN SU", "josé", "Wang-Hall"]),
        order=values(["name", "distance"]),
        page=values(["1", "2", "0", "99"]),
    )
    for flag in ["telehealth", "in_person", "accepting", "sliding_scale", "verified"]:
        fields[flag] = values(FLAGS)
    return fields


@settings(FUZZ, max_examples=600)
@given(data=st.data())
def test_it_survives_any_directory_query(client, vocabulary, own_markup, data):
    markup = own_markup(
        DIRECTORY,
        f"{DIRECTORY}?city=nowhere-zz&fee_max=-1&page=99",
        f"{DIRECTORY}?near=00000&radius=0&state=ZZ",
    )
    query = data.draw(pairs(directory_fields(vocabulary), UNKNOWN_KEYS), label="query")
    tail = data.draw(st.sampled_from(RAW_TAILS), label="tail")

    def check():
        response = client.get(f"{DIRECTORY}?{encoded(query, tail)}")
        assert_safe(response, sent(query), markup)

    in_savepoint(check)


# The landing pages ---------------------------------------------------------------------------


def segment(valid):
    return st.one_of(st.sampled_from(valid), short_nasty, long_text(2000))


# Half of the paths name a city of the seed, so the listing behind them runs too.
landing_places = st.one_of(
    st.sampled_from([("ca", "los-angeles"), ("ca", "long-beach"), ("ga", "atlanta")]),
    st.tuples(segment(["ca", "CA", "ga", "zz"]), segment(["los-angeles", "nowhere"])),
)


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_it_survives_any_landing_page_path(client, vocabulary, own_markup, data):
    markup = own_markup(
        "/therapists/ca/los-angeles/",
        "/therapists/ca/los-angeles/interpersonal-therapy/",
        "/therapists/zz/nowhere/",
    )
    parts = list(data.draw(landing_places, label="state and city"))
    if data.draw(st.booleans(), label="with modality"):
        parts.append(data.draw(segment(vocabulary["modality"]), label="modality"))
    query = data.draw(pairs(directory_fields(vocabulary), UNKNOWN_KEYS), label="query")
    path = DIRECTORY + "".join(f"{quote(part, safe='')}/" for part in parts)

    def check():
        response = client.get(f"{path}?{encoded(query)}" if query else path)
        assert_safe(response, [*parts, *sent(query)], markup)

    in_savepoint(check)


# Find Your Match ------------------------------------------------------------------------------


def match_fields(vocabulary):
    return {
        "concerns": values(vocabulary["concern"]),
        "zip_code": values([*ZIPS, "90012-1234", " 90012 "]),
        "state": values(STATES),
        "language": values(vocabulary["language"]),
        "gender": values(["woman", "man", "non-binary"]),
        "budget": values(["0", "120", "2000"]),
        "insurance": values(vocabulary["insurance"]),
        "modality": values(vocabulary["modality"]),
    }


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_it_survives_any_link_to_find_your_match(client, vocabulary, own_markup, data):
    markup = own_markup(MATCH)
    query = data.draw(
        pairs({"modality": values(vocabulary["modality"])}, UNKNOWN_KEYS), label="query"
    )

    def check():
        response = client.get(f"{MATCH}?{encoded(query)}")
        assert_safe(response, sent(query), markup)

    in_savepoint(check)


def post(client, url, form, multipart):
    """The form as a browser posts it: urlencoded, or multipart, keys in the given order."""
    if multipart:
        grouped = {}
        for key, value in form:
            grouped.setdefault(key, []).append(value)
        return client.post(url, grouped)
    return client.post(url, encoded(form), content_type="application/x-www-form-urlencoded")


@settings(FUZZ, max_examples=350)
@given(data=st.data())
def test_it_survives_any_answers_to_find_your_match(client, vocabulary, own_markup, data):
    markup = own_markup(
        MATCH,
        (MATCH, {"zip_code": "9001", "budget": "-1"}),
        (MATCH, {"state": "CA"}),
    )
    form = data.draw(pairs(match_fields(vocabulary), UNKNOWN_KEYS), label="form")
    multipart = data.draw(st.booleans(), label="multipart")

    def check():
        response = post(client, MATCH, form, multipart)
        assert_safe(response, sent(form), markup)

    in_savepoint(check)


# A therapist's own forms ----------------------------------------------------------------------


@pytest.fixture
def steven(client, seeded, django_user_model):
    """Steven Su of the seed, signed in; he practises Interpersonal Therapy."""
    user = django_user_model.objects.create_user("steven.su@example.org", "steven.su@example.org")
    Therapist.objects.filter(slug="steven-su").update(user=user)
    client.force_login(user)
    return Therapist.objects.get(slug="steven-su")


def profile_fields(vocabulary):
    fields = {
        "pronouns": values(["he/him", "she/her", "they/them"]),
        "headline": values(["Calm, practical help."]),
        "bio": values(["I work with adults.\n\nSessions are fifty minutes."]),
        "gender": values(["woman", "man", "non-binary", ""]),
        "session_fee": values(["0", "140", "2000", ""]),
        "email": values(["office@example.org", "", "not-an-email"]),
        "phone": values(["(555) 010-0100", "+1 555 010 0100", ""]),
        "website": values(["example.org/practice", "https://example.org", ""]),
    }
    for flag in ["accepting_new_clients", "telehealth", "in_person", "sliding_scale"]:
        fields[flag] = values(FLAGS)
    for _param, relation in LISTS.values():
        if relation:
            fields[relation] = values([*vocabulary[relation], "0", "-1", "999999"])
    return fields


def after_success(client, response, therapist):
    """What a saved edit shows: the pages that render the saved values."""
    yield client.get(response.url)
    yield client.get(therapist.get_absolute_url())


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_it_survives_any_profile_edit_and_a_refused_one_changes_nothing(
    client, vocabulary, steven, own_markup, data
):
    markup = own_markup(
        EDIT,
        "/profile/",
        steven.get_absolute_url(),
        (EDIT, {"session_fee": "-1", "email": "x", "website": "<"}),
    )
    form = data.draw(pairs(profile_fields(vocabulary), UNKNOWN_KEYS), label="form")
    multipart = data.draw(st.booleans(), label="multipart")

    def check():
        before = listing(steven)
        response = post(client, EDIT, form, multipart)
        assert_safe(response, sent(form), markup)
        if response.status_code == 302:
            for page in after_success(client, response, steven):
                assert_safe(page, sent(form), markup)
        else:
            assert listing(steven) == before

    in_savepoint(check)


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_it_survives_any_quote_and_a_refused_one_changes_nothing(
    client, vocabulary, steven, own_markup, data
):
    markup = own_markup(
        QUOTE,
        "/profile/",
        (QUOTE, {"text": "Fictional words.", "action": "preview"}),
        (QUOTE, {"text": "", "action": "submit"}),
    )
    fields = {
        "text": values(["Fictional words on how I practise this, for review.", "  ", ""]),
        "action": values(["preview", "submit", "withdraw"]),
    }
    form = data.draw(pairs(fields, UNKNOWN_KEYS), label="form")
    multipart = data.draw(st.booleans(), label="multipart")

    def check():
        before = listing(steven)
        response = post(client, QUOTE, form, multipart)
        assert_safe(response, sent(form), markup)
        if response.status_code == 302:
            assert_safe(client.get(response.url), sent(form), markup)
        else:
            assert listing(steven) == before

    in_savepoint(check)


# What the examples above found, pinned --------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["city=los-angeles-ca%00", "city=%00&city=los-angeles-ca", "city=a%00b&state=CA"]
)
def test_it_answers_a_nul_in_a_city_as_an_unknown_city(client, seeded, query):
    # PostgreSQL refuses a NUL character in a query parameter: this was a 500 there.
    response = client.get(f"{DIRECTORY}?{query}")
    assert response.status_code == 200
    assert "We have no city called" in page_text(response)


def test_it_answers_a_nul_in_a_landing_page_path_with_not_found(client, seeded):
    assert client.get("/therapists/ca%00/los-angeles/").status_code == 404


@pytest.mark.parametrize("pk", ["9223372036854775808", "-9223372036854775809", "9" * 40])
def test_it_refuses_an_id_beyond_64_bits_and_changes_nothing(client, steven, pk):
    # SQLite raises OverflowError on it in the IN (...) query that checks the ids.
    before = listing(steven)
    response = client.post(EDIT, {"modalities": ["1", pk], "concerns": [pk]})
    assert response.status_code == 200
    assert f"Select a valid choice. {pk} is not one of the available choices." in page_text(
        response
    )
    assert listing(steven) == before

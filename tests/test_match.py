"""Find Your Match: the questions, the ranking and its reasons, and privacy of the answers."""

import datetime
import itertools
import re
from html import unescape
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import (
    card_names,
    make_city,
    make_concern,
    make_credential,
    make_modality,
    make_therapist,
    page_links,
    page_text,
    squash,
)
from therapists.match import MatchForm, find_matches
from therapists.match_results import MatchResult
from therapists.models import InsurancePlan, Language, License, Therapist
from therapists.search import current_index, index_lock

MATCH = "/match/"
CRISIS = "If you are in crisis, in the US call or text 988; in an emergency, call 911."
# Distances from ZIP 90012 (34.0614, -118.2385): Los Angeles 3.7 miles, Sacramento
# about 360, Portland about 830; none near the 25-mile radius.
LOS_ANGELES = ("Los Angeles", "CA", 34.0365, -118.2949)
SACRAMENTO = ("Sacramento", "CA", 38.5816, -121.4944)
PORTLAND = ("Portland", "OR", 45.5152, -122.6784)


def city_at(name, state, latitude, longitude):
    city = make_city(name, state)
    city.latitude, city.longitude = latitude, longitude
    city.save()
    return city


def accepting(**fields):
    """Fields of a therapist who confirmed today that they accept new clients."""
    return {"accepting_new_clients": True, "accepting_confirmed_on": timezone.localdate(), **fields}


def not_accepting(**fields):
    return {
        "accepting_new_clients": False,
        "accepting_confirmed_on": timezone.localdate(),
        **fields,
    }


def names(response):
    """The names on the result cards, best match first."""
    return card_names(response)


def answer(client, answers):
    """Sends the answers as the form does, and follows its 303 to the results page as a
    browser does; the response remembers the answers, for reasons()."""
    response = client.post(MATCH, answers, follow=True)
    response.answers = answers
    return response


def shown_reasons(response):
    """The reason lines under the cards, as a person reads them."""
    return [
        squash(unescape(re.sub(r"<[^>]+>", "", line)))
        for line in re.findall(r'<p class="reasons">(.*?)</p>', response.content.decode(), re.S)
    ]


def reasons(response):
    """Each match's reasons as the ranking counted them, having checked that the results
    page says how many of the needs each meets (not which: the answers are not kept)."""
    with index_lock():
        index = current_index()
        form = MatchForm(response.answers, vocabulary=index.vocabulary)
        matches = find_matches(form.cleaned_data, index) if form.is_valid() else []
    counted, lines = [], []
    for match in matches:
        if match.needs:
            need = "need" if match.needs == 1 else "needs"
            counted.append(f"Matches {len(match.met)} of your {match.needs} {need}")
        if match.met:
            lines.append(f"{counted[-1]}: {', '.join(match.met)}")
        elif match.needs:
            lines.append(counted[-1])
        if match.unmet:
            lines.append(f"Does not meet: {', '.join(match.unmet)}")
    assert shown_reasons(response) == counted
    return lines


def plain(response):
    """The page's text with tags removed and nothing added between them."""
    return squash(unescape(re.sub(r"<[^>]+>", "", response.content.decode())))


def error_summary(response):
    body = response.content.decode()
    found = re.search(
        r'<div class="notice notice-error" id="error-summary">(.*?)</div>', body, re.S
    )
    if not found:
        return ""
    return squash(unescape(re.sub(r"<[^>]+>", "", re.sub(r"</?(h2|ul|li)>", " ", found[1]))))


@pytest.fixture
def vocabulary(db):
    return {
        "depression": make_concern("Depression"),
        "grief": make_concern("Grief"),
        "spanish": Language.objects.create(name="Spanish", slug="spanish"),
        "plan": InsurancePlan.objects.create(name="Fictional Health Plan", slug="fictional-plan"),
        "modality": make_modality("Sample Modality"),
    }


def test_it_ranks_who_meets_every_need_above_who_meets_fewer_and_says_why(client, vocabulary):
    los_angeles = city_at(*LOS_ANGELES)
    v = vocabulary
    # Made worst first, so the ids cannot put the best first by accident.
    fewest = make_therapist("Fictional Few", city=los_angeles, session_fee=200, **not_accepting())
    fewest.concerns.set([v["depression"]])
    some = make_therapist(
        "Fictional Some",
        city=los_angeles,
        session_fee=300,
        sliding_scale=True,
        modalities=[v["modality"]],
        **not_accepting(),
    )
    some.concerns.set([v["depression"]])
    some.languages.set([v["spanish"]])
    every = make_therapist(
        "Fictional Every",
        city=los_angeles,
        session_fee=100,
        modalities=[v["modality"]],
        **accepting(),
    )
    every.concerns.set([v["depression"]])
    every.languages.set([v["spanish"]])

    response = answer(
        client,
        {
            "concerns": ["depression"],
            "zip_code": "90012",
            "language": "spanish",
            "budget": "120",
            "modality": "sample-modality",
            "accepting": "on",
        },
    )
    assert response.status_code == 200
    assert names(response) == ["Fictional Every", "Fictional Some", "Fictional Few"]
    assert reasons(response) == [
        "Matches 6 of your 6 needs: Depression, Spanish, near 90012, up to $120 a session, "
        "Sample Modality, accepting new clients",
        # The sliding scale counts as within the budget.
        "Matches 5 of your 6 needs: Depression, Spanish, near 90012, up to $120 a session, "
        "Sample Modality",
        "Does not meet: accepting new clients",
        "Matches 2 of your 6 needs: Depression, near 90012",
        "Does not meet: Spanish, up to $120 a session, Sample Modality, accepting new clients",
    ]


def test_it_counts_gender_insurance_and_stale_availability_as_needs(client, vocabulary):
    sacramento = city_at(*SACRAMENTO)
    make_therapist(
        "Fictional Stale",
        city=sacramento,
        telehealth=True,
        gender="man",
        **accepting(accepting_confirmed_on=timezone.localdate() - datetime.timedelta(days=91)),
    )
    insured = make_therapist(
        "Fictional Insured", city=sacramento, telehealth=True, gender="woman", **accepting()
    )
    insured.insurance_plans.set([vocabulary["plan"]])
    response = answer(
        client,
        {"state": "CA", "gender": "woman", "insurance": "fictional-plan", "accepting": "on"},
    )
    assert names(response) == ["Fictional Insured", "Fictional Stale"]
    assert reasons(response) == [
        "Matches 4 of your 4 needs: gender: Woman, telehealth in California, "
        "takes Fictional Health Plan, accepting new clients",
        "Matches 1 of your 4 needs: telehealth in California",
        "Does not meet: gender: Woman, takes Fictional Health Plan, accepting new clients",
    ]


def test_it_reads_like_the_example_online_in_a_state(client, vocabulary):
    therapist = make_therapist(
        "Fictional Online",
        city=city_at(*SACRAMENTO),
        telehealth=True,
        session_fee=110,
        **not_accepting(),
    )
    therapist.concerns.set([vocabulary["depression"]])
    therapist.languages.set([vocabulary["spanish"]])
    response = answer(
        client,
        {"concerns": ["depression"], "state": "CA", "language": "spanish", "budget": "120"},
    )
    # Four answers, four needs: availability is a need only when asked for.
    assert reasons(response) == [
        "Matches 4 of your 4 needs: Depression, Spanish, telehealth in California, "
        "up to $120 a session",
    ]


def test_it_finds_from_zip_90012_who_is_near_or_online_with_a_california_license(client, db):
    los_angeles, sacramento, portland = (
        city_at(*LOS_ANGELES),
        city_at(*SACRAMENTO),
        city_at(*PORTLAND),
    )
    make_therapist("Fictional Angeleno", city=los_angeles, telehealth=False)
    make_therapist("Fictional Hidden Angeleno", city=los_angeles, is_listed=False)
    make_therapist("Fictional Sacramento Office", city=sacramento, telehealth=False)
    make_therapist("Fictional Sacramento Online", city=sacramento, telehealth=True)
    elsewhere = make_therapist("Fictional Nevada License", city=sacramento, telehealth=True)
    elsewhere.licenses.update(state="NV")
    make_therapist("Fictional Portland Online", city=portland, telehealth=True)

    response = answer(client, {"zip_code": "90012"})
    assert response.status_code == 200
    assert sorted(names(response)) == ["Fictional Angeleno", "Fictional Sacramento Online"]
    assert sorted(reasons(response)) == [
        "Matches 1 of your 1 need: near 90012",
        "Matches 1 of your 1 need: telehealth in California",
    ]


def test_it_finds_online_therapists_licensed_in_the_chosen_state(client, db):
    los_angeles, portland = city_at(*LOS_ANGELES), city_at(*PORTLAND)
    make_therapist("Fictional Office Only", city=los_angeles, telehealth=False)
    make_therapist("Fictional Los Angeles Online", city=los_angeles, telehealth=True)
    make_therapist("Fictional Oregon Only", city=portland, telehealth=True)
    two_states = make_therapist("Fictional Two Licenses", city=portland, telehealth=True)
    License.objects.create(therapist=two_states, credential=make_credential(), state="CA")

    response = answer(client, {"state": "CA"})
    assert sorted(names(response)) == ["Fictional Los Angeles Online", "Fictional Two Licenses"]
    assert "near" not in " ".join(reasons(response))


def test_it_shows_at_most_ten_matches(client, db):
    city = city_at(*LOS_ANGELES)
    for number in range(12):
        make_therapist(f"Fictional Person {number:02}", city=city)
    response = answer(client, {"zip_code": "90012"})
    assert len(names(response)) == 10
    assert "The 10 therapists who meet the most of your needs" in page_text(response)


def test_it_orders_equal_matches_differently_from_day_to_day(db):
    city = city_at(*LOS_ANGELES)
    for number in range(12):
        make_therapist(f"Fictional Person {number:02}", city=city)
    make_therapist("Fictional Best", city=city, **accepting())
    start = datetime.date(2026, 11, 25)

    def matches_on(day):
        Therapist.objects.rotate(day)  # rotate_listings on that day
        with index_lock():
            index = current_index()
            form = MatchForm({"zip_code": "90012", "accepting": "on"}, vocabulary=index.vocabulary)
            assert form.is_valid()
            return [m.therapist.display_name for m in find_matches(form.cleaned_data, index)]

    days = [matches_on(start + datetime.timedelta(n)) for n in range(7)]
    assert all(day[0] == "Fictional Best" for day in days)
    assert len({tuple(day) for day in days}) > 1
    assert days[0] == matches_on(start)


def test_it_says_when_no_one_serves_the_place_yet(client, db):
    make_therapist("Fictional Far Away", city=city_at(*PORTLAND))
    response = answer(client, {"zip_code": "90012"})
    assert response.status_code == 200
    assert names(response) == []
    assert (
        "No listed therapist sees clients within 25 miles of 90012, or offers telehealth "
        "with a license in California, yet."
    ) in page_text(response)


@pytest.mark.parametrize("zip_code", ["00000", "99999"])
def test_it_explains_a_zip_code_it_cannot_find(client, db, zip_code):
    response = answer(client, {"zip_code": zip_code})
    assert response.status_code == 200
    assert error_summary(response) == (
        f"Please correct the following Your ZIP code: We could not find the ZIP code "
        f"“{zip_code}”. Check it, or choose online sessions in a state instead."
    )
    assert "Your matches" not in page_text(response)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"zip_code": "9001"}, "Your ZIP code: Enter your ZIP code as 5 digits, like 90012."),
        (
            {"zip_code": "90012", "state": "CA"},
            "Or your state, for online sessions only: Give a ZIP code or a state, not both: "
            "with a ZIP code we already include telehealth in its state.",
        ),
    ],
)
def test_it_asks_for_a_place_clearly(client, db, answers, message):
    response = answer(client, answers)
    assert response.status_code == 200
    assert error_summary(response) == f"Please correct the following {message}"


def test_it_accepts_a_zip_plus_four(client, db):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    response = answer(client, {"zip_code": " 90012-1234 "})
    assert names(response) == ["Fictional Angeleno"]
    assert reasons(response) == ["Matches 1 of your 1 need: near 90012"]


FIELDS = {
    "concerns": "What would you like help with?",
    "zip_code": "Your ZIP code",
    "radius": "How far you can travel",
    "state": "Or your state, for online sessions only",
    "language": "Language for your sessions",
    "gender": "Therapist's gender",
    "budget": "Most you can pay per session (USD)",
    "insurance": "Your insurance plan",
    "modality": "Kind of therapy",
}
BAD_VALUES = {
    "very long": "9" * 5000 + "x" * 5000,
    "markup": '<script>alert("x")</script><b>',
    "unicode": "Ünïcødé ☃ 𝟗𝟎𝟎𝟏𝟐",
    "null character": "90\x00012",
    "repeated keys": ["sample-modality", "<script>alert(1)</script>"],
}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bad", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_it_refuses_bad_values_in_every_field_without_reflecting_them(
    client, vocabulary, field, bad
):
    make_therapist("Fictional Online", city=city_at(*SACRAMENTO), telehealth=True)
    # Otherwise valid answers: the place is the state unless the ZIP is under test.
    answers = {"state": "CA", field: bad} if field != "state" else {"state": bad}
    response = answer(client, answers)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "<script" not in body
    assert "<b>" not in body
    assert f"{FIELDS[field]}:" in error_summary(response)
    assert "Fictional Online" not in body


def test_it_treats_unicode_digits_in_the_budget_as_the_number_they_are(client, vocabulary):
    make_therapist("Fictional Online", city=city_at(*SACRAMENTO), telehealth=True, session_fee=90)
    response = answer(client, {"state": "CA", "budget": "١٢٠"})
    assert response.status_code == 200
    assert "up to $120 a session" in reasons(response)[0]


@pytest.mark.parametrize("budget", ["-1", "2001", "12.5", "1e3"])
def test_it_explains_a_budget_it_cannot_use(client, db, budget):
    response = answer(client, {"state": "CA", "budget": budget})
    assert response.status_code == 200
    assert "Most you can pay per session (USD):" in error_summary(response)


def test_it_ignores_an_unknown_or_hostile_modality_in_the_link(client, db):
    make_modality("Sample Modality")
    response = client.get(MATCH, {"modality": "<script>alert(1)</script>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script" not in body
    assert "alert(1)" not in body
    assert " selected" not in body.split('name="modality"')[1].split("</select>")[0].replace(
        '<option value="" selected>', ""
    )


def test_it_preselects_the_modality_named_in_the_link(client, db):
    make_modality("Sample Modality")
    make_modality("Other Modality")
    response = client.get(MATCH, {"modality": "sample-modality"})
    assert response.status_code == 200
    assert '<option value="sample-modality" selected>Sample Modality</option>' in (
        response.content.decode()
    )
    assert '<option value="other-modality">Other Modality</option>' in response.content.decode()


def test_it_asks_with_labels_fieldsets_and_a_post_form_that_keeps_answers_out_of_urls(
    client, vocabulary
):
    response = client.get(MATCH)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<form class="form" method="post" action="/match/"', body)
    assert 'method="get"' not in body
    assert "csrfmiddlewaretoken" not in body
    for legend in [
        "What would you like help with?",
        "Where would you like to see a therapist?",
        "Your preferences (all optional)",
        "Paying for sessions (optional)",
    ]:
        assert re.search(rf"<legend[^>]*>{re.escape(legend)}", unescape(body))
    for field in FIELDS.keys() - {"concerns"}:
        assert f'<label for="id_{field}">{FIELDS[field]}' in unescape(body)
    assert '<label for="id_accepting">Accepting new clients now' in body
    assert re.search(r'<option value=""( selected)?>Not sure</option>', body)
    assert '<input type="checkbox" name="concerns" value="depression"' in body


@pytest.mark.parametrize("answers", [None, {"zip_code": "90012"}, {"zip_code": "00000"}])
def test_it_shows_the_crisis_notice_near_the_top_and_keeps_the_page_accessible(client, db, answers):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    response = client.get(MATCH) if answers is None else answer(client, answers)
    assert CRISIS in plain(response)
    body = response.content.decode()
    # Right under the introduction: before any result, error or question.
    assert body.index('<a href="tel:988">') < body.index("<h2")
    assert body.count("<h1") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])", body)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert "<script" not in body
    assert " style=" not in body


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.parametrize("answers", [{"zip_code": "90012", "concerns": ["grief"]}, {}])
def test_it_keeps_only_the_ranking_and_sets_no_cookie(client, vocabulary, answers):
    therapist = make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    before = row_counts()
    shown = client.get(MATCH)
    assert not shown.cookies
    assert "Set-Cookie" not in shown
    response = client.post(MATCH, answers)
    assert response.status_code == 303
    assert not response.cookies
    assert "Set-Cookie" not in response
    results = client.get(response["Location"])
    assert "Set-Cookie" not in results
    assert results["Cache-Control"] == "private, max-age=86400"
    assert Session.objects.count() == 0
    # Two rows more: the ranking, with no word of the answers, and the count of results
    # kept for the network today (a keyed hash of it, kit.limits).
    assert row_counts() == {**before, "therapists.MatchResult": 1, "kit.RateLimit": 1}
    kept = MatchResult.objects.get()
    met, needs = (1, 2) if answers else (0, 0)  # near 90012, not grief
    assert (kept.ranking, kept.needs) == ([[therapist.pk, met]], needs)
    assert response["Location"] == f"/match/results/{kept.key}/"
    assert not client.cookies


def test_it_links_each_match_to_the_profile_with_a_way_back(client, db):
    therapist = make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    response = answer(client, {"zip_code": "90012"})
    results = response.request["PATH_INFO"]
    back = quote(results, safe="")
    assert (f"{therapist.get_absolute_url()}?back={back}", "Fictional Angeleno") in page_links(
        response
    )


@pytest.mark.parametrize("candidates", [2, 15])
def test_it_costs_the_same_queries_however_many_candidates(
    client, vocabulary, django_assert_num_queries, candidates
):
    city = city_at(*LOS_ANGELES)
    for number in range(candidates):
        therapist = make_therapist(
            f"Fictional Person {number:02}", city=city, modalities=[vocabulary["modality"]]
        )
        therapist.concerns.set([vocabulary["depression"], vocabulary["grief"]])
        therapist.languages.set([vocabulary["spanish"]])
        therapist.insurance_plans.set([vocabulary["plan"]])
    answers = {
        "concerns": ["depression", "grief"],
        "zip_code": "90012",
        "language": "spanish",
        "gender": "woman",
        "budget": "150",
        "insurance": "fictional-plan",
        "modality": "sample-modality",
    }
    # The search index's look at the change log (its vocabulary checks the answers and
    # shows the form again; its bitmaps rank the candidates); the matches' cards with
    # licenses and locations joined in; the cards' kinds of therapy; the results past
    # their day deleted; the network's count of kept results (one statement that makes or counts
    # its day's row); the ranking kept.
    with django_assert_num_queries(6):
        response = client.post(MATCH, answers)
    assert response.status_code == 303
    # The ranking kept; the cards; their kinds of therapy.
    with django_assert_num_queries(3):
        results = client.get(response["Location"])
    assert len(names(results)) == min(candidates, 10)


FULL_ANSWERS = {
    "concerns": ["depression", "grief"],
    "zip_code": "90012",
    "language": "spanish",
    "gender": "woman",
    "budget": "150",
    "insurance": "fictional-plan",
    "modality": "sample-modality",
}


@pytest.mark.parametrize(
    "answers",
    [FULL_ANSWERS, {"zip_code": "90012"}, {"state": "CA"}],
    ids=["every field", "only a zip code", "only a state"],
)
def test_it_costs_the_same_queries_however_many_answers(
    client, vocabulary, django_assert_num_queries, answers
):
    city = city_at(*LOS_ANGELES)
    for number in range(3):
        make_therapist(f"Fictional Person {number:02}", city=city, telehealth=True)
    # The search index's look at the change log; the matches' cards; their kinds of
    # therapy; the network's count of kept results (one statement that makes or counts
    # its day's row); the results past their day deleted; the
    # ranking kept.
    with django_assert_num_queries(6):
        response = client.post(MATCH, answers)
    assert len(names(client.get(response["Location"]))) == 3


@pytest.mark.parametrize(
    "answers",
    [
        {**FULL_ANSWERS, "state": "CA"},
        {**FULL_ANSWERS, "language": "no-such-language", "modality": "no-such-modality"},
        {"concerns": ["no-such-concern"], "zip_code": "00000"},
    ],
    ids=["a place given twice", "unknown choices", "unknown concern and zip"],
)
def test_it_checks_and_shows_answers_with_errors_in_one_query(
    client, vocabulary, django_assert_num_queries, answers
):
    # Only the search index's look at the change log: its vocabulary checks the choices.
    with django_assert_num_queries(1):
        response = answer(client, answers)
    assert response.status_code == 200
    assert error_summary(response)


def test_it_shows_the_questions_in_one_query(client, vocabulary, django_assert_num_queries):
    # The search index's look at the change log; its vocabulary gives every list.
    with django_assert_num_queries(1):
        response = client.get(MATCH, {"modality": "sample-modality"})
    assert '<option value="sample-modality" selected>Sample Modality</option>' in (
        response.content.decode()
    )

"""Find Your Match's results have an address of their own, a GET, kept a day without the
answers: Back from a profile, and the profile's "Back to your matches", return to them."""

import io
import re
from urllib.parse import unquote

from django.core.management import call_command
from django.utils import timezone

from directory.page_cache import declared_params
from tests.conftest import page_links, page_text
from tests.test_match import LOS_ANGELES, city_at, make_therapist, names
from therapists.match_results import KEPT_FOR, KEY_PATTERN, MatchResult

ANSWERS = {"zip_code": "90012", "budget": "90", "gender": "woman"}


def profile_link_on(results, name):
    return next(href for href, text in page_links(results) if text == name)


def test_item_14_the_answers_lead_by_a_303_to_results_a_profile_leads_back_to(client, db):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    sent = client.post("/match/", ANSWERS)
    # A 303: what Back returns to is the GET that follows, never the form sent again.
    assert sent.status_code == 303
    location = sent["Location"]
    # Its address is a random key, with no word of the answers.
    assert re.fullmatch(rf"/match/results/{KEY_PATTERN}/", location)

    results = client.get(location)
    assert results.status_code == 200
    assert names(results) == ["Fictional Angeleno"]
    # Back is a GET of the same address: the same results, as often as it is asked.
    assert names(client.get(location)) == ["Fictional Angeleno"]

    profile_url = profile_link_on(results, "Fictional Angeleno")
    assert unquote(profile_url) == f"/therapists/fictional-angeleno/?back={location}"
    profile = client.get(profile_url)
    assert (location, "Back to your matches") in page_links(profile)
    assert not client.cookies


def test_item_14_the_spanish_edition_keeps_its_way_back_to_the_matches(client, db):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    location = client.post("/es/match/", ANSWERS)["Location"]
    assert location.startswith("/es/match/results/")
    results = client.get(location)
    assert names(results) == ["Fictional Angeleno"]
    profile = client.get(profile_link_on(results, "Fictional Angeleno"))
    assert (location, "Volver a sus terapeutas recomendados") in page_links(profile)


def test_it_keeps_the_results_page_out_of_the_sites_page_cache_and_private(client, db):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    location = client.post("/match/", ANSWERS)["Location"]
    response = client.get(location)
    assert response["Cache-Control"] == f"private, max-age={int(KEPT_FOR.total_seconds())}"
    assert declared_params(response.wsgi_request) is None


def test_it_says_plainly_when_the_matches_are_gone_and_offers_the_questions(client, db):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    location = client.post("/match/", ANSWERS)["Location"]
    MatchResult.objects.update(created_at=timezone.now() - KEPT_FOR)
    for address in (location, "/match/results/nosuchkeyatallxxxxxxxx/", "/match/results/%00/"):
        gone = client.get(address)
        assert gone.status_code == 410, address
        assert "These matches are no longer kept" in page_text(gone)
        assert ("/match/", "Find Your Match") in page_links(gone)


def test_it_deletes_results_past_their_day_daily_and_as_it_writes(client, db):
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    client.post("/match/", ANSWERS)
    MatchResult.objects.update(created_at=timezone.now() - KEPT_FOR)
    client.post("/match/", ANSWERS)
    assert MatchResult.objects.count() == 1  # the old one went as the new one was kept
    MatchResult.objects.update(created_at=timezone.now() - KEPT_FOR)
    out = io.StringIO()
    call_command("delete_old_messages", stdout=out)
    assert not MatchResult.objects.exists()
    assert "Deleted 1 Find Your Match results older than a day." in out.getvalue()


def test_a_network_past_its_daily_kept_results_gets_its_matches_shown_not_kept(
    client, db, settings
):
    # Anonymous posts cannot fill the table: past the allowance, nothing more is kept.
    settings.MATCH_RESULTS_PER_ADDRESS = 2
    make_therapist("Fictional Angeleno", city=city_at(*LOS_ANGELES))
    assert [client.post("/match/", ANSWERS).status_code for _ in range(2)] == [303, 303]

    shown = client.post("/match/", ANSWERS)

    assert shown.status_code == 200
    assert "Fictional Angeleno" in names(shown)
    assert "no-store" in shown["Cache-Control"]
    assert MatchResult.objects.count() == 2

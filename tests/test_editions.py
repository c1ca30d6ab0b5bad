"""The Spanish edition: /es/ pages, chosen by the URL alone, translated whole, paired with
their English pages, in the sitemap, and as cheap as the English ones."""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format, number_format

from directory.editions import path_in_edition
from tests.conftest import make_therapist, page_text, squash
from tests.forms import form_on
from therapists.models import City, Therapist
from therapists.search import current_index

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True)
def quick_forms(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 0


@pytest.fixture
def site(seeded):
    """The seeded IPT page and its ten specialists, and the pages a visitor reaches."""
    listed = Therapist.objects.listed().order_by("slug")
    therapist = listed.first()
    city = therapist.locations.get(is_primary=True).city
    return {
        "therapist": therapist,
        "paths": [
            "/",
            "/modalities/",
            "/modalities/interpersonal-therapy/",
            "/therapists/",
            "/therapists/?modality=interpersonal-therapy&state=CA",
            "/therapists/?q=nobody-has-this-name",
            city.landing_url(),
            city.landing_url("interpersonal-therapy"),
            therapist.get_absolute_url(),
            f"/therapists/{therapist.slug}/contact/",
            f"/therapists/{therapist.slug}/claim/",
            "/match/",
            "/join/",
            "/accounts/login/",
            "/accounts/password_reset/",
        ],
    }


def spanish(path):
    return path_in_edition(path, "es")


# The language comes from the URL alone ---------------------------------------------------


def test_the_spanish_edition_is_spanish_and_the_root_stays_english_whatever_the_browser_asks(
    client, site
):
    spanish_home = client.get("/es/")
    assert spanish_home.status_code == 200
    assert '<html lang="es">' in spanish_home.content.decode()
    assert spanish_home["Content-Language"] == "es"
    # A Spanish-speaking browser, even one holding Django's language cookie, gets the page
    # its address names: no redirect, no guess.
    client.cookies["django_language"] = "es"
    english_home = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert english_home.status_code == 200
    assert '<html lang="en">' in english_home.content.decode()
    assert english_home["Content-Language"] == "en"


def test_no_spanish_page_sets_a_cookie_for_a_visitor_but_a_forms_csrf_token(client, site):
    for path in site["paths"]:
        client.cookies.clear()
        response = client.get(spanish(path))
        assert response.status_code == 200, path
        holds_a_form_to_send = 'method="post"' in response.content.decode()
        assert set(response.cookies) <= ({"csrftoken"} if holds_a_form_to_send else set()), path


def test_every_page_links_to_its_other_edition_keeping_the_search(client, site):
    english = client.get("/therapists/?modality=interpersonal-therapy&state=CA")
    assert 'href="/es/therapists/?modality=interpersonal-therapy&amp;state=CA"' in (
        english.content.decode()
    )
    spanish_page = client.get("/es/therapists/?modality=interpersonal-therapy&state=CA")
    assert 'href="/therapists/?modality=interpersonal-therapy&amp;state=CA"' in (
        spanish_page.content.decode()
    )


def test_links_forms_and_redirects_on_a_spanish_page_stay_in_the_spanish_edition(client, site):
    page = client.get("/es/")
    hrefs = re.findall(r'<(?:a|form)\b[^>]*(?:href|action)="(/[^"]*)"', page.content.decode())
    internal = [h for h in hrefs if not h.startswith(("/static/", "/media/"))]
    # The one way out is the link to the English edition.
    assert [h for h in internal if not h.startswith("/es/")] == ["/"]


# hreflang ------------------------------------------------------------------------------


def alternates(response):
    body = response.content.decode()
    canonical = unescape(re.search(r'<link rel="canonical" href="([^"]+)">', body)[1])
    pairs = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', body)
    return canonical, {language: unescape(href) for language, href in pairs}


def test_hreflang_pairs_point_at_each_other(client, site):
    for path in site["paths"]:
        english_canonical, english = alternates(client.get(path))
        assert english["en"] == english_canonical == english["x-default"], path
        spanish_response = client.get(english["es"].removeprefix("http://testserver"))
        assert spanish_response.status_code == 200, path
        spanish_canonical, spanish_pairs = alternates(spanish_response)
        assert spanish_canonical == english["es"], path
        assert spanish_pairs["en"] == english_canonical, path
        assert spanish_pairs["es"] == spanish_canonical, path


def test_the_sitemap_lists_both_editions(client, site):
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-therapists.xml" in index
    assert "/sitemap-therapists-es.xml" in index
    therapist = site["therapist"]
    english = client.get("/sitemap-therapists.xml").content.decode()
    spanish_section = client.get("/sitemap-therapists-es.xml").content.decode()
    assert f"<loc>http://testserver/therapists/{therapist.slug}/</loc>" in english
    assert f"<loc>http://testserver/es/therapists/{therapist.slug}/</loc>" in spanish_section
    assert "/es/" not in english
    cities = client.get("/sitemap-cities-es.xml").content.decode()
    assert re.search(r"<loc>http://testserver/es/therapists/[a-z]{2}/[a-z-]+/</loc>", cities)


# The translations ------------------------------------------------------------------------


def test_every_message_is_translated_and_none_is_fuzzy_or_left_over():
    catalog = polib.pofile(str(CATALOG))
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []


def test_the_compiled_translations_are_those_of_the_catalog():
    # `make install` compiles them; a .po edited since would otherwise not be served.
    def entry(e):
        return (e.msgctxt, e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))

    catalog = polib.pofile(str(CATALOG))
    compiled = polib.mofile(str(CATALOG.with_suffix(".mo")))
    assert {entry(e) for e in compiled if e.msgid} == {
        entry(e) for e in catalog.translated_entries()
    }


def test_every_source_message_is_in_the_catalog():
    """A string marked for translation but never added to the .po shows in English."""
    catalog = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(CATALOG))}
    for text in english_interface_strings():
        assert (None, text) in catalog, text


TRANSLATE_TAG = re.compile(
    r"""\{%\s*translate\s+(["'])(.+?)\1(?:\s+context\s+(["']).+?\3)?\s*%\}"""
)
BLOCK_TAG = re.compile(
    r"\{%\s*blocktranslate\s+trimmed\s*%\}(.+?)\{%\s*endblocktranslate\s*%\}", re.S
)


def english_interface_strings():
    """The English interface's texts, read from the public templates: every
    {% translate "..." %}, and every trimmed {% blocktranslate %} without a variable."""
    found = set()
    for template in (ROOT / "templates").rglob("*.html"):
        if "admin" in template.parts:
            continue
        source = template.read_text(encoding="utf-8")
        found.update(match[2] for match in TRANSLATE_TAG.finditer(source))
        for match in BLOCK_TAG.finditer(source):
            if "{{" not in match[1] and "{%" not in match[1]:
                found.add(squash(match[1]))
    return found


def telling_strings():
    """The English strings whose Spanish differs and that could not pass for Spanish: more
    than one word (a lone "Email" or "Total" proves nothing)."""
    with translation.override("es"):
        return sorted(
            text
            for text in english_interface_strings()
            if len(text.split()) > 1 and translation.gettext(text) != text
        )


class VisibleText(HTMLParser):
    """What a person reads and hears: text and the labels screen readers speak, without
    what is marked lang="en" (a therapist's own English words, labelled as such)."""

    SPOKEN = ("aria-label", "alt", "title", "placeholder")

    def __init__(self):
        super().__init__()
        self.parts, self.stack, self.english_depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        english = attrs.get("lang") == "en"
        if tag not in {"meta", "link", "input", "img", "br", "hr", "source"}:
            self.stack.append(english)
            self.english_depth += english
        if not english and not self.english_depth:
            self.parts.extend(attrs[name] or "" for name in self.SPOKEN if name in attrs)
            if tag == "input" and attrs.get("type") in {"submit", "button"}:
                self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag not in {"meta", "link", "input", "img", "br", "hr", "source"} and self.stack:
            self.english_depth -= self.stack.pop()

    def handle_data(self, data):
        if not self.english_depth:
            self.parts.append(data)


def visible_text(response):
    parser = VisibleText()
    parser.feed(response.content.decode())
    return squash(unescape(" ".join(parser.parts)))


def test_no_spanish_page_shows_a_string_of_the_english_interface(client, site):
    english = telling_strings()
    assert len(english) > 200  # the list is read from the templates, not typed here
    pages = [spanish(path) for path in site["paths"]]
    pages.append("/es/no-such-page/")
    responses = [(path, client.get(path)) for path in pages]
    # Find Your Match's answers, from its untouched form.
    match_form = form_on(client.get("/es/match/"), method="post")
    responses.append(("/es/match/ answered", match_form.submit(client, "/es/match/")))
    for path, response in responses:
        assert response.status_code in {200, 404}, path
        text = visible_text(response)
        shown = [string for string in english if string in text]
        assert shown == [], f"{path} shows English: {shown}"


def test_the_crisis_notice_is_in_spanish_with_988s_spanish_line(client, site):
    text = visible_text(client.get("/es/"))
    assert "988" in text
    assert "español" in text


def test_dates_and_numbers_are_written_the_spanish_way():
    import datetime

    day = datetime.date(2026, 12, 2)
    with translation.override("es"):
        assert date_format(day, "DATE_FORMAT") == "2 de diciembre de 2026"
        assert date_format(day, "YEAR_MONTH_FORMAT") == "diciembre de 2026"
        assert number_format(1234.5, 1, force_grouping=True) == "1,234.5"
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "December 2, 2026"


def test_a_spanish_profile_shows_its_dates_in_spanish(client, db):
    import datetime

    therapist = make_therapist(
        "Ada Fictional", accepting_confirmed_on=datetime.date.today(), accepting_new_clients=True
    )
    page = visible_text(client.get(spanish(therapist.get_absolute_url())))
    with translation.override("es"):
        today = date_format(datetime.date.today(), "SHORT_DATE_FORMAT")
    assert f"Perfil actualizado el {today}" in page


# Emails ----------------------------------------------------------------------------------


def test_a_join_from_the_spanish_edition_is_answered_in_spanish_with_spanish_links(client, db):
    from tests.conftest import make_city, make_credential, make_modality

    city = make_city("Los Angeles", "CA")
    credential = make_credential()
    modality = make_modality("Interpersonal Therapy", "IPT")
    page = client.get("/es/join/")
    form = form_on(page, method="post")
    response = form.submit(
        client,
        "/es/join/",
        display_name="Noa Fictional",
        email="noa@example.org",
        credential=str(credential.pk),
        license_state="CA",
        license_number="LMFT 12345",
        city=str(city.pk),
        modalities=[str(modality.pk)],
    )
    assert response.status_code == 200
    [message] = mail.outbox
    assert "/es/join/confirm/" in message.body
    assert re.search(r"[áéíóúñ¿¡]", message.subject + message.body)
    # Confirming there makes a listing whose later notices are in Spanish.
    link = re.search(r"https?://[^/\s]+(/es/join/confirm/[^/\s]+/)", message.body)[1]
    confirm_page = client.get(link)
    password = "a-long-enough-fictional-passphrase"
    form_on(confirm_page, method="post").submit(
        client, link, new_password1=password, new_password2=password
    )
    assert Therapist.objects.get(display_name="Noa Fictional").language == "es"


def test_staff_decisions_reach_a_spanish_speaking_therapist_in_spanish(db, django_user_model):
    from therapists.contact import notify_message_waiting

    therapist = make_therapist("Ada Fictional", language="es", contact_email="ada@example.org")
    with translation.override("en"):  # the curator's admin is in English
        notify_message_waiting(therapist)
    [message] = mail.outbox
    assert "/es/profile/" in message.body
    assert re.search(r"[áéíóúñ¿¡]", message.subject + message.body)


# Cost ------------------------------------------------------------------------------------


def queries_of(client, path):
    current_index()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(context.captured_queries)


def test_each_page_costs_the_same_queries_in_both_editions(client, site):
    for path in site["paths"]:
        client.get(path)  # the index is built, the process warm
        client.get(spanish(path))
        assert queries_of(client, spanish(path)) == queries_of(client, path), path


def test_a_city_without_a_spanish_name_keeps_its_own(client, site):
    # Cities are names, written the same in both editions.
    city = City.objects.filter(locations__isnull=False).first()
    assert city.name in visible_text(client.get(spanish(city.landing_url())))


def test_a_therapist_chooses_the_language_of_our_emails_on_their_edit_page(client, db):
    from tests.conftest import make_therapist_with_account

    therapist = make_therapist_with_account("Ada Fictional", "ada@example.org")
    client.force_login(therapist.user)
    page = client.get("/es/profile/edit/")
    assert "Idioma de nuestros correos para usted" in visible_text(page)
    response = form_on(page, action="/es/profile/edit/").submit(
        client, "/es/profile/edit/", language="es"
    )
    assert response.redirect_chain[-1][0] == "/es/profile/"
    therapist.refresh_from_db()
    assert therapist.language == "es"
    assert therapist.bio == ""  # nothing else written


@pytest.mark.parametrize(
    "search",
    ["/es/therapists/?modality=interpersonal-therapy&state=CA", "/es/therapists/ca/fullerton/"],
)
def test_a_spanish_profile_leads_back_to_the_same_spanish_search(client, seeded, search):
    listing = client.get(search)
    card = re.search(r'<article class="card">.*?</article>', listing.content.decode(), re.S)[0]
    profile_url = unescape(re.search(r'<h3><a href="([^"]+)"', card)[1])
    assert profile_url.startswith("/es/therapists/")
    profile = client.get(profile_url)
    back = re.search(r'<p class="back"><a href="([^"]*)">([^<]+)</a></p>', profile.content.decode())
    with translation.override("es"):
        assert back[2] == translation.gettext("Back to results")
    assert visible_text(client.get(unescape(back[1]))) == visible_text(listing)


def test_a_sent_back_claim_is_told_in_the_claimants_edition_not_the_listings(db):
    from django.contrib.auth.models import User

    from therapists import review
    from therapists.models import Application

    listing = make_therapist("Ada Fictional", language="en", contact_email="ada@example.org")
    staff = User.objects.create_user("staff@example.org", "staff@example.org", is_staff=True)
    claims = [
        Application.objects.create(
            kind=Application.Kind.CLAIM,
            therapist=listing,
            email=f"claimant.{language}@example.org",
            evidence=Application.Evidence.ADDRESS_CONFIRMED,
            language=language,
        )
        for language in ("es", "en")
    ]
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        review.send_back_claim(claims[0], staff, "Falta una prueba.")
    [spanish_notice] = mail.outbox
    assert spanish_notice.to == ["claimant.es@example.org"]
    assert f"/es/therapists/{listing.slug}/" in spanish_notice.body
    assert re.search(r"[áéíóúñ¿¡]", spanish_notice.body)


def test_an_email_language_that_is_no_editions_falls_back_to_english_links(db):
    from therapists.notifications import notify, site_link

    therapist = make_therapist("Ada Fictional", contact_email="ada@example.org")
    Therapist.objects.filter(pk=therapist.pk).update(language="fr")
    therapist.refresh_from_db()
    assert notify(therapist, "photo_approved", link=site_link("profile:edit"))
    assert "/profile/edit/" in mail.outbox[0].body
    assert "/fr/" not in mail.outbox[0].body


def test_a_spanish_search_refuses_unknown_values_in_spanish(client, seeded):
    """Messages put together at import time (each facet's "We have no ... called ...")
    must still be written in the page's language."""
    from therapists.search.facets import FACETS

    english = client.get("/therapists/", {"language": "zz-unknown"})
    assert "We have no" in page_text(english)
    for facet in FACETS:
        response = client.get("/es/therapists/", {facet.param: "zz-unknown"})
        assert response.status_code in {200, 400}, facet.param
        text = visible_text(response)
        assert "We have no" not in text and "Choose" not in text, (facet.param, text[:300])

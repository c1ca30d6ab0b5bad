"""Issue 14's journeys on the Spanish edition, in a real browser:

1. a Spanish-speaking visitor goes from /es/ (the home page's search, as a person uses it)
   to a message the therapist holds, on a desktop and on a phone, and by keyboard only;
2. the header's language link leads from a filtered Spanish listing to the same search in
   English and back, the two pages naming each other in their hreflang links;
3. a therapist signs in on /es/ and writes the Spanish version of a quote, previews it and
   sends it for review; staff approve it in the review queue, and the Spanish modality page
   shows it (the English page keeps the English quote).

Every page on the way is checked for what makes it the Spanish edition (its address under
/es/, `<html lang="es">`, Spanish words where a person reads them) and, under the site's own
Content-Security-Policy, for axe-core's WCAG rules and a quiet console.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, VIEWPORTS
from tests.browser.helpers import (
    ContactForm,
    assert_message_held_for,
    assert_no_axe_violations,
    assert_results_first,
    press_and_follow,
    profile_slug,
    screenshot,
    serve_axe,
    squash,
    staff_signs_in,
    tab_to,
    type_the_message,
    watch,
    write_the_message,
)
from therapists.models import Quote

# The contact form's words as locale/es/LC_MESSAGES/django.po gives them.
SPANISH_CONTACT = ContactForm(
    name="Su nombre",
    email="Su correo electrónico",
    myself="Para mí",
    message="Su mensaje",
    send="Envíe su mensaje",
    sent="Su mensaje se envió",
)
SENDER = {
    "name": "Cliente Ficticio",
    "email": "cliente.ficticio@example.org",
    "text": "Me gustaría hablar de un cambio en el trabajo. ¿Tiene horario por las tardes?",
}


@pytest.fixture(autouse=True)
def quick_form(settings):
    settings.CONTACT_FORM_MIN_SECONDS = 1  # the contact form's wait, as in the English journeys


@pytest.fixture
def open_spanish_page(open_page):
    """open_spanish_page(viewport) -> (page, what it has reported), axe served from the
    site's origin so the pages keep their Content-Security-Policy."""

    def open_spanish_page(viewport="desktop"):
        page = open_page(viewport)
        serve_axe(page)
        return page, watch(page)

    return open_spanish_page


def assert_quiet(seen):
    console = [f"{kind}: {text} ({url})" for kind, text, url in seen["console"]]
    assert not console, "\n".join(console)
    assert not seen["failed"], "\n".join(seen["failed"])
    broken = [f"{r.status} {r.url}" for r in seen["responses"] if r.status >= 400]
    assert not broken, "\n".join(broken)


# Spanish runs about a fifth longer than English: what a longer label would push out of
# the 390 px screen, or out of its own button.
OVERFLOWS = """() => {
    const found = [];
    const root = document.documentElement;
    // Not innerWidth: a phone widens its layout viewport to fit what overflows.
    const page = root.scrollWidth - root.clientWidth;
    if (page > 0) found.push(`the page scrolls sideways by ${page} px`);
    for (const el of document.querySelectorAll('button, a.button, summary, input, select')) {
        if (el.offsetParent && el.scrollWidth > el.clientWidth + 1) {
            found.push(`<${el.tagName.toLowerCase()}> ${(el.innerText || el.name).trim()}`);
        }
    }
    return found;
}"""


def assert_spanish_page(page, seen, name):
    """The page is the Spanish edition's, passes axe and has said nothing in the console."""
    assert urlsplit(page.url).path.startswith("/es/"), page.url
    expect(page.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, f"es-{name}")
    overflowing = page.evaluate(OVERFLOWS)
    assert not overflowing, "\n".join(overflowing)
    assert_no_axe_violations(page, from_origin=True)
    assert_quiet(seen)


def search_from_the_home_page(page, seen, viewport, journey, choose):
    """At /es/, `choose` picks a place in the search form; "Cualquier tipo de terapia"
    stays as it is. Returns the first result's card."""
    assert page.goto("/es/").ok
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_spanish_page(page, seen, f"{journey}-{viewport}-0-home")
    search = page.get_by_role("search", name="Buscar un terapeuta")
    expect(search.get_by_label("Tipo de terapia")).to_have_value("")
    expect(search.get_by_label("Tipo de terapia").locator("option:checked")).to_have_text(
        "Cualquier tipo de terapia"
    )
    choose(search)
    with page.expect_navigation():
        search.get_by_role("button", name="Buscar").click()
    assert "modality=" not in page.url
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ terapeutas?$"))).to_be_visible()
    card = assert_results_first(page, viewport)
    assert_spanish_page(page, seen, f"{journey}-{viewport}-1-results")
    return card


def from_card_to_message(page, seen, card, viewport, journey):
    """Ver perfil -> the profile's Contactar -> the form, filled by its Spanish labels, sent."""
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile("^Ver perfil")).click()
    slug = profile_slug(page)
    expect(page.get_by_role("link", name="Volver a los resultados")).to_be_visible()
    assert_spanish_page(page, seen, f"{journey}-{viewport}-2-profile")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Contactar")).first.click()
    assert urlsplit(page.url).path == f"/es/therapists/{slug}/contact/"
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Escribir a "))
    assert_spanish_page(page, seen, f"{journey}-{viewport}-3-contact")
    write_the_message(page, SENDER, SPANISH_CONTACT)
    assert urlsplit(page.url).path.startswith(f"/es/therapists/{slug}/contact/")
    assert_message_held_for(page, slug, SENDER, SPANISH_CONTACT)
    assert_spanish_page(page, seen, f"{journey}-{viewport}-4-sent")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_takes_a_spanish_speaker_from_a_zip_code_to_a_message_sent(open_spanish_page, viewport):
    page, seen = open_spanish_page(viewport)
    card = search_from_the_home_page(
        page,
        seen,
        viewport,
        "zip",
        lambda search: search.get_by_label("Código postal").fill("90012"),
    )
    assert "near=90012" in page.url
    expect(card).to_contain_text(re.compile(r"a [\d.,]+ millas"))
    from_card_to_message(page, seen, card, viewport, "zip")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_takes_a_spanish_speaker_from_a_state_to_a_message_sent(open_spanish_page, viewport):
    page, seen = open_spanish_page(viewport)
    card = search_from_the_home_page(
        page,
        seen,
        viewport,
        "state",
        lambda search: search.get_by_label("o estado").select_option(label="California"),
    )
    assert page.url.endswith("/es/therapists/?state=CA")
    expect(page.get_by_role("heading", level=1)).to_have_text("Terapeutas en California")
    from_card_to_message(page, seen, card, viewport, "state")


def test_it_takes_a_spanish_speaker_on_the_keyboard_from_a_zip_code_to_a_message_sent(
    open_spanish_page,
):
    page, seen = open_spanish_page("desktop")
    assert page.goto("/es/").ok
    assert_spanish_page(page, seen, "keyboard-desktop-0-home")
    tab_to(page, page.get_by_label("Código postal"))
    page.keyboard.type("90012")
    tab_to(page, page.get_by_role("button", name="Buscar"))
    press_and_follow(page)
    assert "near=90012" in page.url and "modality=" not in page.url
    card = assert_results_first(page, "desktop")
    assert_spanish_page(page, seen, "keyboard-desktop-1-results")

    # The skip link takes the keyboard to the results.
    page.keyboard.press("Control+Home")
    page.evaluate("document.activeElement.blur()")
    tab_to(page, page.get_by_role("link", name="Ir a los resultados"), limit=5)
    page.keyboard.press("Enter")
    tab_to(page, card.get_by_role("link", name=re.compile("^Ver perfil")), limit=10)
    press_and_follow(page)
    slug = profile_slug(page)
    assert_spanish_page(page, seen, "keyboard-desktop-2-profile")
    tab_to(page, page.get_by_role("link", name=re.compile("^Contactar")).first)
    press_and_follow(page)
    assert_spanish_page(page, seen, "keyboard-desktop-3-contact")

    type_the_message(page, SENDER, SPANISH_CONTACT)
    assert_message_held_for(page, slug, SENDER, SPANISH_CONTACT)
    assert_spanish_page(page, seen, "keyboard-desktop-4-sent")


# 2. The language switch ------------------------------------------------------------------

SPANISH_SEARCH = "/es/therapists/?modality=interpersonal-therapy&state=CA"
ENGLISH_SEARCH = "/therapists/?modality=interpersonal-therapy&state=CA"


def alternates(page):
    """{hreflang: the path and query it points at} of the page's alternate links."""
    links = page.locator('head link[rel="alternate"][hreflang]')
    found = {}
    for index in range(links.count()):
        href = urlsplit(links.nth(index).get_attribute("href"))
        found[links.nth(index).get_attribute("hreflang")] = f"{href.path}?{href.query}"
    return found


def results_heading(page):
    heading = page.locator("#results-heading")
    expect(heading).to_be_visible()
    return heading.inner_text()


def follow_the_header_link(page, name):
    link = page.get_by_role("banner").get_by_role("link", name=name, exact=True)
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value.ok, navigation.value.status


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_switches_a_filtered_search_between_spanish_and_english_and_back(
    open_spanish_page, viewport
):
    page, seen = open_spanish_page(viewport)
    assert page.goto(SPANISH_SEARCH).ok
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Especialistas en Terapia Interpersonal en California"
    )
    spanish_count = results_heading(page)
    assert re.fullmatch(r"\d+ terapeutas", spanish_count), spanish_count
    assert_spanish_page(page, seen, f"switch-{viewport}-0-spanish")
    assert alternates(page) == {
        "en": ENGLISH_SEARCH,
        "es": SPANISH_SEARCH,
        "x-default": ENGLISH_SEARCH,
    }

    follow_the_header_link(page, "English")
    assert page.url.endswith(ENGLISH_SEARCH) and "/es/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Interpersonal Therapy therapists in California"
    )
    # The same search: the same number of results, the filters still chosen.
    assert results_heading(page) == spanish_count.replace("terapeutas", "therapists")
    # On a phone the filters fold behind "Filters": chosen, though out of sight.
    chosen = page.get_by_role(
        "checkbox", name=re.compile("^Interpersonal Therapy"), include_hidden=True
    )
    expect(chosen).to_be_checked()
    assert alternates(page) == {
        "en": ENGLISH_SEARCH,
        "es": SPANISH_SEARCH,
        "x-default": ENGLISH_SEARCH,
    }
    screenshot(page, f"es-switch-{viewport}-1-english")

    follow_the_header_link(page, "Español")
    assert page.url.endswith(SPANISH_SEARCH)
    assert results_heading(page) == spanish_count
    assert_spanish_page(page, seen, f"switch-{viewport}-2-spanish-again")


# 3. A therapist's quote in Spanish -----------------------------------------------------

SPANISH_QUOTE = (
    "La terapia interpersonal ayuda a ver cómo las relaciones y el ánimo se influyen "
    "mutuamente, y a encontrar maneras nuevas de pedir apoyo."
)
IPT = "interpersonal-therapy"
REVIEWER = "revisora@example.org"


def click_and_follow(page, locator):
    with page.expect_navigation() as navigation:
        locator.click()
    assert navigation.value.ok, (page.url, navigation.value.status)


def spanish_quote_status(page):
    """The dashboard's block on the IPT quote in Spanish."""
    block = page.locator(f"#quote-{IPT}-es")
    expect(block.get_by_role("heading", level=4)).to_have_text("En español")
    return block


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_lets_a_therapist_write_their_quote_in_spanish_and_staff_put_it_live(
    open_spanish_page, open_page, steven, viewport
):
    page, seen = open_spanish_page(viewport)
    assert page.goto("/es/accounts/login/").ok
    assert_spanish_page(page, seen, f"quote-{viewport}-0-login")
    page.get_by_label("Correo electrónico").fill("steven@example.org")
    page.get_by_label("Contraseña").fill(PASSWORD)
    click_and_follow(page, page.get_by_role("button", name="Iniciar sesión"))
    assert urlsplit(page.url).path == "/es/profile/"
    block = spanish_quote_status(page)
    assert_spanish_page(page, seen, f"quote-{viewport}-1-dashboard")

    click_and_follow(
        page, block.get_by_role("link", name=re.compile("^Escribir su comentario en español"))
    )
    assert urlsplit(page.url).path == f"/es/profile/quotes/{IPT}/es/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^Su comentario en español sobre ")
    )
    field = page.get_by_role("textbox", name="Su comentario en español")
    expect(field).to_have_attribute("lang", "es")
    assert_spanish_page(page, seen, f"quote-{viewport}-2-form")
    field.fill(SPANISH_QUOTE)
    click_and_follow(page, page.get_by_role("button", name="Vista previa"))
    preview = page.get_by_role("region", name="Vista previa, tal como aparecerá")
    expect(preview.locator("blockquote")).to_have_attribute("lang", "es")
    assert SPANISH_QUOTE in squash(preview.inner_text())
    assert_spanish_page(page, seen, f"quote-{viewport}-3-preview")

    click_and_follow(page, page.get_by_role("button", name="Enviar para revisión"))
    assert urlsplit(page.url).path == "/es/profile/"
    expect(page.get_by_role("status")).to_contain_text("Enviado a revisión.")
    block = spanish_quote_status(page)
    expect(block.locator(".status")).to_have_text("Pendiente de revisión")
    expect(block.locator("blockquote")).to_have_attribute("lang", "es")
    expect(block).to_contain_text(f"Su borrador: {SPANISH_QUOTE}")
    # The English quote is another row: still live, untouched.
    expect(page.locator(f"#quote-{IPT}-en .status")).to_have_text("Publicado")
    assert_spanish_page(page, seen, f"quote-{viewport}-4-pending")
    spanish = Quote.objects.get(therapist__slug="steven-su", modality__slug=IPT, language="es")
    assert (spanish.draft, spanish.draft_status) == (SPANISH_QUOTE, "pending")

    # Staff review it in the admin (in English), on a desktop.
    reviewer = User.objects.create_user(REVIEWER, REVIEWER, PASSWORD, is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_quote"))
    staff = open_page("desktop")
    serve_axe(staff)
    staff_signs_in(staff, REVIEWER, PASSWORD)
    assert staff.goto(reverse("admin:review_queue")).ok
    row = staff.locator("table.review-list tbody tr", has_text="in Spanish")
    expect(row).to_have_count(1)
    expect(row.locator("td.review-text").first).to_have_attribute("lang", "es")
    assert_no_axe_violations(staff, from_origin=True)
    click_and_follow(staff, row.get_by_role("link", name="Steven Su"))
    expect(staff.locator(".review-language")).to_have_text("Written in Spanish")
    assert_no_axe_violations(staff, from_origin=True)
    click_and_follow(staff, staff.get_by_role("button", name="Approve"))
    expect(staff.locator(".messagelist")).to_be_visible()

    visitor, visitor_seen = open_spanish_page(viewport)
    assert visitor.goto(f"/es/modalities/{IPT}/").ok
    specialists = visitor.get_by_role("region", name="Conozca a los especialistas")
    steven_says = specialists.locator("figure.quote", has_text="Steven Su")
    expect(steven_says.locator("blockquote")).to_have_text(SPANISH_QUOTE)
    assert_spanish_page(visitor, visitor_seen, f"quote-{viewport}-5-modality")
    assert visitor.goto(f"/modalities/{IPT}/").ok
    english = visitor.get_by_role("region", name="Meet the specialists")
    expect(english.locator("figure.quote", has_text="Steven Su")).not_to_contain_text(SPANISH_QUOTE)

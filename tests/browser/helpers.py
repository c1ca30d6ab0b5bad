"""What the browser tests share: keyboard steps, screenshots, axe-core, the console, the
listing's first result, the contact form, signing in, emails, the join form, the page types."""

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from therapists.models import ContactMessage

ROOT = Path(__file__).resolve().parents[2]
# Git-ignored; CI keeps them as artefacts.
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


# axe-core ---------------------------------------------------------------------------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


# Never one of the site's addresses: the test's route answers it with axe-core, so a page
# keeps its Content-Security-Policy (script-src 'self') and its console stays meaningful.
AXE_URL = "/__tests__/axe.min.js"


def serve_axe(page):
    """Lets run_axe(page, from_origin=True) load axe-core as a script of the site's own."""
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE))


def run_axe(page, *, from_origin=False):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)", pytrace=False)
    if from_origin:
        page.add_script_tag(url=AXE_URL)
    else:
        page.add_script_tag(path=AXE)
    return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {json.dumps(node['target'])}: {node['html'][:160]}")
            for line in node["failureSummary"].splitlines():
                lines.append(f"      {line}")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, from_origin=False):
    """For a page opened with bypass_csp=True (axe is an injected script), or one that
    serve_axe prepared, with from_origin=True."""
    violations = run_axe(page, from_origin=from_origin)
    assert not violations, describe(violations)


# The console -------------------------------------------------------------------------


def watch(page):
    """What the page reports from now on: console messages worth a look, failed requests,
    and every response."""
    seen = {"console": [], "failed": [], "responses": []}
    page.on(
        "console",
        lambda message: (
            message.type in {"error", "warning"}
            and seen["console"].append((message.type, message.text, message.location.get("url")))
        ),
    )
    page.on("pageerror", lambda error: seen["console"].append(("pageerror", str(error), "")))
    page.on(
        "requestfailed",
        lambda request: seen["failed"].append(f"{request.url}: {request.failure}"),
    )
    page.on("response", lambda response: seen["responses"].append(response))
    return seen


# Keyboard ---------------------------------------------------------------------------


def has_focus(locator):
    return locator.evaluate("element => element === document.activeElement")


def focused(page):
    """A short description of the focused element, for failure messages."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const name = el.getAttribute('aria-label') || el.innerText || el.value || '';
            const id = el.id ? '#' + el.id : '';
            return `<${el.tagName.toLowerCase()}${id}> ${name.trim().slice(0, 60)}`;
        }"""
    )


def tab_to(page, locator, *, backwards=False, limit=400):
    """Presses Tab (or Shift+Tab) until `locator` has the focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if has_focus(locator):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {locator}; at {focused(page)}")


def press_and_follow(page, key="Enter"):
    """Presses `key` on the focused link or button and waits for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    assert response is not None and response.ok, (page.url, response and response.status)
    return response


# From the listing to a message sent ---------------------------------------------------

# Where the first result's top edge must be: on the first screen of a 1280 x 800 desktop,
# within one and a half screens of a 390 x 844 phone.
FIRST_RESULT_LIMIT = {"desktop": 800, "phone": 1266}


def first_result(page):
    card = page.locator("#results article").first
    expect(card).to_be_visible()
    top = card.evaluate("card => card.getBoundingClientRect().top + window.scrollY")
    return card, top


def assert_results_first(page, viewport):
    card, top = first_result(page)
    assert top < FIRST_RESULT_LIMIT[viewport], f"the first result starts at {top:.0f} px"
    return card


def profile_slug(page):
    return re.fullmatch(r".*/therapists/([\w-]+)/(\?.*)?", page.url)[1]


@dataclass(frozen=True)
class ContactForm:
    """The contact form's words in one edition, as a person reads them on the page."""

    name: str = "Your name"
    email: str = "Your email address"
    myself: str = "Myself"
    message: str = "Your message"
    send: str = "Send your message"
    sent: str = "Your message is sent"


ENGLISH_CONTACT = ContactForm()


def write_the_message(page, sender, words=ENGLISH_CONTACT):
    """Fills the contact form with the mouse and sends it, as most people would."""
    page.get_by_label(words.name).fill(sender["name"])
    page.get_by_label(words.email).fill(sender["email"])
    page.get_by_role("radio", name=re.compile(f"^{re.escape(words.myself)}")).check()
    page.get_by_label(words.message).fill(sender["text"])
    page.get_by_role("checkbox").check()
    page.wait_for_timeout(1100)
    with page.expect_navigation():
        page.get_by_role("button", name=words.send).click()


def type_the_message(page, sender, words=ENGLISH_CONTACT):
    """Fills the contact form and sends it with the keyboard only (Tab, Space, Enter)."""
    tab_to(page, page.get_by_label(words.name))
    page.keyboard.type(sender["name"])
    tab_to(page, page.get_by_label(words.email))
    page.keyboard.type(sender["email"])
    myself = page.get_by_role("radio", name=re.compile(f"^{re.escape(words.myself)}"))
    tab_to(page, myself)
    page.keyboard.press("Space")
    assert myself.is_checked()
    tab_to(page, page.get_by_label(words.message))
    page.keyboard.type(sender["text"])
    consent = page.get_by_role("checkbox")
    tab_to(page, consent)
    page.keyboard.press("Space")
    assert consent.is_checked()
    page.wait_for_timeout(1100)
    tab_to(page, page.get_by_role("button", name=words.send))
    press_and_follow(page)


def assert_message_held_for(page, slug, sender, words=ENGLISH_CONTACT):
    expect(page.get_by_role("heading", level=1)).to_have_text(words.sent)
    message = ContactMessage.objects.get(email=sender["email"])
    assert message.therapist.slug == slug
    assert message.text == sender["text"]


# Signing in without the form, for tests about the pages behind it ----------------------


def sign_in(page, user, base_url):
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


# Emails and the join form --------------------------------------------------------------


def staff_signs_in(page, username, password):
    """Signs in at /admin/ as a staff member would."""
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.locator("#content-main")).to_be_visible()


def emailed_path(message, path_pattern):
    """The path of the site's link in an email whose path matches `path_pattern`; the link
    is absolute (SITE_URL), the browser follows it on the live server."""
    pattern = re.escape(settings.SITE_URL) + f"({path_pattern})"
    found = re.search(pattern, message.body)
    assert found, f"no link matching {path_pattern} in:\n{message.body}"
    return found[1]


def fill_the_join_form(page, name, address, *, number, state="CA", city="Los Angeles, CA"):
    page.get_by_label("Your name, as clients will see it").fill(name)
    page.get_by_label("Your email address").fill(address)
    page.get_by_label("Your credential").select_option(index=1)
    page.get_by_label("State of your license").select_option(state)
    page.get_by_label("License number").fill(number)
    page.get_by_label("City where you practise").select_option(label=city)
    page.get_by_role("checkbox", name=re.compile("^Interpersonal Therapy")).check()
    # The form refuses one sent sooner than a person could fill it (CONTACT_FORM_MIN_SECONDS).
    page.wait_for_timeout(settings.CONTACT_FORM_MIN_SECONDS * 1000 + 100)


# The page types ---------------------------------------------------------------------


def _submit(page, button):
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    assert navigation.value.ok, navigation.value.status


def answer_match_questions(page):
    page.get_by_role("checkbox", name="Depression", exact=True).check()
    page.get_by_label("Your ZIP code").fill("92831")
    _submit(page, "Show my matches")
    assert page.get_by_role("heading", name="Your matches").is_visible()


def preview_a_quote(page):
    page.get_by_label("Your quote").fill("Fresh words on IPT.")
    _submit(page, "Preview")
    assert page.get_by_role("heading", name="Preview, as it will appear").is_visible()


def send_untouched(page):
    _submit(page, "Send your message")
    assert page.get_by_role("heading", name="Your message is not sent yet").is_visible()


MESSAGE_NUMBERS = itertools.count(1)


def write_a_message(page):
    page.get_by_label("Your name").fill("Robin Example")
    page.get_by_label("Your email address").fill("robin@example.org")
    page.get_by_label("Myself").check()
    # Each one its own words: the same message sent again is refused as already sent.
    page.get_by_label("Your message").fill(
        f"A fictional message sent by the browser tests ({next(MESSAGE_NUMBERS)})."
    )
    page.get_by_label("I agree that the directory passes my message").check()
    # The form refuses a message sent sooner than a person could have written it.
    page.wait_for_timeout(settings.CONTACT_FORM_MIN_SECONDS * 1000 + 200)
    _submit(page, "Send your message")
    assert page.get_by_role("heading", name="Your message is sent").is_visible()


@dataclass(frozen=True)
class PageType:
    name: str
    path: str
    then: object = None  # a step on the page, such as submitting its form

    def visit(self, page):
        response = page.goto(self.path)
        assert response.ok, (self.path, response.status)
        if self.then:
            self.then(page)

    def __str__(self):
        return self.name


# What a visitor without an account sees.
PUBLIC = [
    PageType("home", "/"),
    PageType("modalities", "/modalities/"),
    PageType("modality", "/modalities/interpersonal-therapy/"),
    PageType("directory", "/therapists/"),
    PageType("directory-with-error", "/therapists/?modality=interpersonal-therapy&city=nowhere"),
    PageType("landing", "/therapists/ca/los-angeles/"),
    PageType("profile", "/therapists/steven-su/"),
    PageType("match", "/match/"),
    PageType("match-results", "/match/", then=answer_match_questions),
]
# Public too, but for therapists and staff signing in: their forms need a CSRF cookie.
SIGN_IN = [
    PageType("login", "/accounts/login/"),
    PageType("password-reset", "/accounts/password_reset/"),
]
# Writing to a therapist: the one public form that sets a CSRF cookie, and what follows it.
CONTACT = [
    PageType("contact", "/therapists/steven-su/contact/"),
    PageType("contact-errors", "/therapists/steven-su/contact/", then=send_untouched),
    PageType("contact-sent", "/therapists/steven-su/contact/", then=write_a_message),
]
# A signed-in therapist's own pages.
THERAPIST = [
    PageType("dashboard", "/profile/"),
    PageType("profile-edit", "/profile/edit/"),
    PageType("profile-photo", "/profile/photo/"),
    PageType("quote", "/profile/quotes/interpersonal-therapy/"),
    PageType("quote-preview", "/profile/quotes/interpersonal-therapy/", then=preview_a_quote),
    PageType("messages", "/profile/messages/"),
]


def squash(text):
    return re.sub(r"\s+", " ", text).strip()

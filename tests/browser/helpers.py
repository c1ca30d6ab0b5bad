"""What the browser tests share: keyboard steps, screenshots, signing in, the page types."""

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
# Git-ignored; CI keeps them as artefacts.
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


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


# Signing in without the form, for tests about the pages behind it ----------------------


def sign_in(page, user, base_url):
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


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
    PageType("quote", "/profile/quotes/interpersonal-therapy/"),
    PageType("quote-preview", "/profile/quotes/interpersonal-therapy/", then=preview_a_quote),
    PageType("messages", "/profile/messages/"),
]


def squash(text):
    return re.sub(r"\s+", " ", text).strip()

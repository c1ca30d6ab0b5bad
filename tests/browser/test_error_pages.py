"""The site's own error pages in a real browser: axe-core finds no WCAG 2.2 AA violation
on the 404 page, light or dark, and a keyboard user gets from it back to the directory.

The 400, 403, 500 and 503 pages share its skeleton (templates/_error_page.html) and differ
only in their heading and a paragraph; tests/test_error_pages.py shows each of them.
"""

import pytest

from tests.browser.helpers import describe, press_and_follow, run_axe, screenshot, tab_to

MISSING = "/therapists/no-one-by-this-name/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_404_page_passes_axe_wcag_2_2_aa_checks(open_page, scheme):
    # bypass_csp: the test injects axe as an inline script, which the policy refuses.
    page = open_page("phone", color_scheme=scheme, bypass_csp=True)
    assert page.goto(MISSING).status == 404
    screenshot(page, f"not-found-{scheme}")
    violations = run_axe(page)
    assert not violations, describe(violations)


def test_a_keyboard_user_finds_the_way_back_from_the_404_page(open_page):
    page = open_page()
    assert page.goto(MISSING).status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We could not find that page"
    way_back = page.get_by_role("navigation", name="Where to go from here")
    tab_to(page, way_back.get_by_role("link", name="Browse the directory of therapists"))
    press_and_follow(page)
    assert page.url.endswith("/therapists/")

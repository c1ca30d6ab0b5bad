"""WCAG 2.2 AA in a real browser: axe-core on every page type, light and dark, plus the
two things axe's WCAG rules leave out: a visible focus at every tab stop, headings in order.
"""

import itertools

import pytest

from tests.browser.helpers import (
    CONTACT,
    PUBLIC,
    SIGN_IN,
    THERAPIST,
    PageType,
    describe,
    run_axe,
    screenshot,
    sign_in,
)

# A profile reached from a card: its "Back to results" link and breadcrumb.
FROM_RESULTS = PageType(
    "profile-from-results", "/therapists/steven-su/?back=/therapists/%3Fstate%3DCA"
)
PAGES = [*PUBLIC, FROM_RESULTS, *SIGN_IN, *CONTACT, *THERAPIST]


@pytest.fixture
def visit(open_page, site, steven):
    """visit(page_type, **context_options) -> the page, signed in where the type needs it."""

    def visit(page_type, viewport="desktop", **options):
        page = open_page(viewport, **options)
        if page_type in THERAPIST:
            sign_in(page, steven, site.url)
        page_type.visit(page)
        return page

    return visit


@pytest.mark.parametrize("page_type", PAGES, ids=str)
def test_it_passes_axe_wcag_2_2_aa_checks_in_light_and_dark(visit, page_type):
    report = []
    for scheme in ("light", "dark"):
        # bypass_csp: axe is injected by the test as an inline script, which the site's
        # Content-Security-Policy (script-src 'self') rightly refuses. Only these contexts
        # ignore the policy; the journeys and privacy tests run with it.
        page = visit(page_type, color_scheme=scheme, bypass_csp=True)
        screenshot(page, f"{page_type}-{scheme}")
        violations = run_axe(page)
        if violations:
            report.append(f"axe on {page_type} ({scheme}):\n{describe(violations)}")
        page.context.close()
    assert not report, "\n".join(report)


FOCUS_STYLE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const name = (element.innerText || element.value || element.name || '').trim();
    return {
        element: `<${element.tagName.toLowerCase()}> ${name.slice(0, 50)}`,
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
    };
}"""
HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(
    heading => [Number(heading.tagName[1]), heading.textContent.trim().replace(/\\s+/g, ' ')]
)"""


def tab_stops(page):
    """How the focus is drawn at each tab stop, from here until the focus leaves the page."""
    stops = []
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        if stop is None:
            return stops
        stops.append(stop)
    raise AssertionError(f"the focus never left the page: {stops[-3:]}")


@pytest.mark.parametrize("page_type", PAGES, ids=str)
def test_it_shows_the_focus_at_every_tab_stop_and_keeps_headings_in_order(visit, page_type):
    page = visit(page_type, viewport="phone")
    screenshot(page, f"{page_type}-phone")

    headings = page.evaluate(HEADINGS)
    outline = "\n".join(f"{'  ' * (level - 1)}h{level} {text}" for level, text in headings)
    levels = [level for level, _ in headings]
    assert levels[:1] == [1] and levels.count(1) == 1, f"one h1, and first:\n{outline}"
    skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert not skips, f"a heading level is skipped:\n{outline}"

    if page.evaluate("document.activeElement !== document.body"):
        tab_stops(page)  # an autofocused field: go round once to start from the top
    stops = tab_stops(page)
    assert len(stops) >= 5, stops
    assert stops[0]["element"] == "<a> Skip to main content", stops[0]
    invisible = [s for s in stops if s["style"] == "none" or s["width"] < 2]
    assert not invisible, "no visible focus outline on:\n" + "\n".join(
        f"{s['element']}: outline {s['style']} {s['width']}px" for s in invisible
    )

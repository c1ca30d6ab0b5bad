"""The review queue as a reviewer sees it at 1280 px: nothing cut off, the drafts whole,
and no axe-core violation on the queue or an item's page."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.browser.helpers import describe, run_axe, screenshot, sign_in
from tests.conftest import make_therapist
from tests.test_review_queue import pending_claim, pending_join, pending_photo
from therapists.models import Quote

LONG_DRAFT = " ".join(
    ["A fictional sentence on how interpersonal therapy helps people through grief."] * 9
)


@pytest.fixture
def waiting(site, settings, tmp_path):
    """A reviewer signed in, and one item of each kind waiting."""
    settings.MEDIA_ROOT = tmp_path
    reviewer = User.objects.create_user("reviewer", "reviewer@example.org", is_staff=True)
    reviewer.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["review_quote", "change_photo", "change_application", "change_license"]
        )
    )
    quote = Quote.objects.order_by("pk").first()
    quote.submit(LONG_DRAFT)
    pending_photo(quote.therapist)
    join = pending_join()
    pending_claim(make_therapist("Fictional Unclaimed"))
    return reviewer, quote, join


def reviewer_sees(open_page, site, reviewer, url, shot, device="desktop", **options):
    """The reviewer signed in on `device`, at `url`, screenshot saved as `shot`."""
    page = open_page(device, **options)
    sign_in(page, reviewer, site.url)
    assert page.goto(url).ok
    screenshot(page, shot)
    return page


def test_it_fits_the_queue_on_a_1280_px_screen_with_each_draft_whole(open_page, site, waiting):
    reviewer, quote, join = waiting
    queue = reverse("admin:review_queue")
    page = reviewer_sees(open_page, site, reviewer, queue, "review-queue-1280", bypass_csp=True)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    draft = page.locator("td.review-text", has_text=LONG_DRAFT[:60]).first
    assert draft.inner_text().split() == LONG_DRAFT.split()
    # Not clipped: the cell shows all it holds, and lies within the screen.
    assert draft.evaluate("cell => cell.scrollWidth <= cell.clientWidth")
    box = draft.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    assert page.evaluate(
        "() => { const table = document.querySelector('table.review-list');"
        " return table.getBoundingClientRect().right <= document.documentElement.clientWidth; }"
    )

    report = [f"axe on the queue:\n{describe(v)}" for v in [run_axe(page)] if v]
    assert page.goto(reverse("admin:review_item", args=["quote", quote.pk])).ok
    screenshot(page, "review-item-1280")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    report += [f"axe on a quote's page:\n{describe(v)}" for v in [run_axe(page)] if v]
    # A join's page, with the field for the state board's lookup page.
    assert page.goto(reverse("admin:review_item", args=["join", join.pk])).ok
    report += [f"axe on a join's page:\n{describe(v)}" for v in [run_axe(page)] if v]
    assert not report, "\n".join(report)


def test_it_fits_the_bulk_list_of_quotes_on_a_1280_px_screen(open_page, site, waiting):
    reviewer, quote, _join = waiting
    quote.therapist.quotes.update(text=LONG_DRAFT.replace("grief", "loss"))
    pending = reverse("admin:therapists_pendingquote_changelist")
    page = reviewer_sees(open_page, site, reviewer, pending, "pending-quotes-1280")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    # The list scrolls inside its own box where it is too wide: it must not need to; and no
    # cell's text runs over into the next.
    assert page.evaluate(
        "() => { const box = document.querySelector('.results');"
        " return box.scrollWidth <= box.clientWidth; }"
    )
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('#result_list td, #result_list th')]"
        ".filter(cell => cell.scrollWidth > cell.clientWidth).map(cell => cell.className)"
    )
    assert overflowing == []
    live = page.locator("#result_list td.field-live_excerpt").first.inner_text()
    assert live.split() == LONG_DRAFT.replace("grief", "loss").split()


def test_it_fits_the_licenses_to_re_check_on_a_1280_px_screen(open_page, site, waiting):
    # Walked as a newcomer: beside the navigation and the filters, the state, the number and
    # the dates of each license lay past the right edge, inside a scrolled box.
    reviewer, _quote, _join = waiting
    to_recheck = reverse("admin:therapists_licensetorecheck_changelist")
    page = reviewer_sees(open_page, site, reviewer, to_recheck, "licenses-to-recheck-1280")
    assert page.evaluate(
        "() => { const box = document.querySelector('.results');"
        " return box.scrollWidth <= box.clientWidth"
        " && box.getBoundingClientRect().right <= document.documentElement.clientWidth; }"
    )
    headers = page.locator("#result_list thead th").all_inner_texts()
    assert [text.strip().lower() for text in headers if text.strip()] == [
        "therapist",
        "credential",
        "state",
        "license number",
        "verified at",
        "verified by",
    ]


def test_on_a_phone_no_cell_of_the_queue_runs_over_the_next(open_page, site, waiting):
    # Walked as a newcomer: at 390 px each submission date ran over the draft beside it.
    reviewer, _quote, _join = waiting
    queue = reverse("admin:review_queue")
    page = reviewer_sees(open_page, site, reviewer, queue, "review-queue-390", device="phone")
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.review-list td, .review-list th')]"
        ".filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.innerText)"
    )
    assert overflowing == []

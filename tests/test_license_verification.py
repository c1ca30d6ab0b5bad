"""License verification: staff record where they checked a license, the profile shows a
badge while the check is recent, and expired checks come back to staff for a re-check."""

import datetime
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from tests.conftest import card_names, make_credential, make_therapist, page_links, page_text
from tests.forms import form_on
from therapists.models import License, verification_cutoff

LICENSES = reverse("admin:therapists_license_changelist")
RECHECK = reverse("admin:therapists_licensetorecheck_changelist")
LISTING = reverse("therapists:list")
BOARD_LOOKUP = "https://board.example.org/lookup?license=FX-1001"
UTC = datetime.UTC
NEW_YORK = ZoneInfo("America/New_York")


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def badge(verified_at):
    """The profile's badge for a verification, its month read in the site's local time."""
    return f"License verified {timezone.localtime(verified_at).strftime('%B %Y')}"


def older_than_the_configured_months(settings):
    """A moment surely before the cutoff: a month is never longer than 31 days."""
    return days_ago(31 * settings.LICENSE_VERIFICATION_MONTHS + 1)


def verified_license(therapist, verified_at):
    """The therapist's primary license, verified at that moment."""
    license = therapist.primary_license
    license.verified_at = verified_at
    license.verification_source = BOARD_LOOKUP
    license.save()
    return license


def mark_verified(admin_client, changelist, licenses, **data):
    return admin_client.post(
        changelist,
        {"action": "mark_verified", "_selected_action": [lic.pk for lic in licenses], **data},
    )


def listed_pks(response):
    return {row.pk for row in response.context["cl"].result_list}


def names_listed(response):
    return sorted(card_names(response))


def test_it_asks_staff_where_they_checked_the_license_before_marking_it_verified(
    admin_client, admin_user
):
    license = make_therapist("Fictional Ada Quill").primary_license

    page = mark_verified(admin_client, LICENSES, [license])

    assert page.status_code == 200
    text = page_text(page)
    assert "State board lookup page that shows the license" in text
    # Each license named with its therapist: a list of bare credentials says nothing.
    assert "Fictional Ada Quill: Licensed Sample Counselor (IL)" in text
    license.refresh_from_db()
    assert license.verified_at is None


def test_it_refuses_to_mark_a_license_verified_without_the_address_checked(admin_client):
    license = make_therapist("Fictional Ada Quill").primary_license

    refused = mark_verified(admin_client, LICENSES, [license], confirm="1", source="")

    assert refused.status_code == 200
    assert "Give the address where you checked the license." in page_text(refused)
    license.refresh_from_db()
    assert (license.verified_at, license.verified_by, license.verification_source) == (
        None,
        None,
        "",
    )


def test_it_records_who_verified_the_license_when_and_where(admin_client, admin_user):
    license = make_therapist("Fictional Ada Quill").primary_license
    before = timezone.now()

    done = mark_verified(admin_client, LICENSES, [license], confirm="1", source=BOARD_LOOKUP)

    assert done.status_code == 302
    license.refresh_from_db()
    assert before <= license.verified_at <= timezone.now()
    assert license.verified_by == admin_user
    assert license.verification_source == BOARD_LOOKUP
    assert "1 license marked verified." in page_text(admin_client.get(done["Location"]))


def test_it_shows_the_month_of_a_current_verification_on_the_profile(client, db):
    therapist = make_therapist("Fictional Bea Marlow")
    verified_license(therapist, days_ago(10))
    verified_at = License.objects.get(therapist=therapist).verified_at

    text = page_text(client.get(therapist.get_absolute_url()))

    assert badge(verified_at) in text


def test_it_shows_no_badge_for_a_license_never_verified(client, db):
    therapist = make_therapist("Fictional Bea Marlow")

    text = page_text(client.get(therapist.get_absolute_url()))

    assert "Licensed Sample Counselor (LSC), Illinois" in text
    assert "License verified" not in text


def test_it_hides_the_badge_and_lists_the_license_for_a_recheck_once_it_expires(
    client, admin_client, settings
):
    expired = verified_license(
        make_therapist("Fictional Cal Expired"), older_than_the_configured_months(settings)
    )
    current = verified_license(make_therapist("Fictional Dee Current"), days_ago(10))

    assert "License verified" not in page_text(client.get(expired.therapist.get_absolute_url()))
    assert badge(current.verified_at) in page_text(client.get(current.therapist.get_absolute_url()))
    recheck = admin_client.get(RECHECK)
    assert recheck.status_code == 200
    assert listed_pks(recheck) == {expired.pk}
    assert "Fictional Cal Expired" in page_text(recheck)


def test_it_lists_licenses_never_verified_first_for_a_recheck(admin_client, settings):
    expired_long_ago = verified_license(make_therapist("Fictional Cal Expired"), days_ago(9999))
    expired = verified_license(
        make_therapist("Fictional Deb Expired"), older_than_the_configured_months(settings)
    )
    verified_license(make_therapist("Fictional Dee Current"), days_ago(10))
    never = make_therapist("Fictional Hal Never").primary_license

    recheck = admin_client.get(RECHECK)

    assert [row.pk for row in recheck.context["cl"].result_list] == [
        never.pk,
        expired_long_ago.pk,
        expired.pk,
    ]


def test_staff_who_may_change_licenses_find_and_work_the_recheck_list(client, db):
    # Walked as a newcomer: a reviewer given "Can change license", as the README says
    # joins need, saw no "Licenses to re-check" (a proxy with permissions of its own).
    user = User.objects.create_user("checker", "checker@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_license"))
    never = make_therapist("Fictional Hal Never").primary_license
    client.force_login(user)

    assert (RECHECK, "Licenses to re-check") in page_links(client.get(reverse("admin:index")))
    recheck = client.get(RECHECK)
    assert [row.pk for row in recheck.context["cl"].result_list] == [never.pk]
    mark_verified(client, RECHECK, [never], confirm="1", source="https://board.example.org/l/1")
    never.refresh_from_db()
    assert never.verified_by == user
    assert "Delete selected" not in page_text(recheck)


def test_it_keeps_a_verification_current_until_the_very_cutoff(admin_client, settings):
    settings.LICENSE_VERIFICATION_MONTHS = 12
    just_in = verified_license(
        make_therapist("Fictional Eve Inside"), verification_cutoff() + datetime.timedelta(hours=1)
    )
    just_out = verified_license(
        make_therapist("Fictional Fay Outside"), verification_cutoff() - datetime.timedelta(hours=1)
    )

    assert listed_pks(admin_client.get(RECHECK)) == {just_out.pk}
    assert just_in.is_verified
    assert not just_out.is_verified


def test_it_expires_a_40_day_old_verification_when_the_setting_is_one_month(
    client, admin_client, settings
):
    settings.LICENSE_VERIFICATION_MONTHS = 12
    license = verified_license(make_therapist("Fictional Gil Monthly"), days_ago(40))
    profile = license.therapist.get_absolute_url()
    assert badge(license.verified_at) in page_text(client.get(profile))
    assert listed_pks(admin_client.get(RECHECK)) == set()

    settings.LICENSE_VERIFICATION_MONTHS = 1

    assert "License verified" not in page_text(client.get(profile))
    assert listed_pks(admin_client.get(RECHECK)) == {license.pk}


@pytest.mark.parametrize(
    ("verification", "expected"),
    [
        ("current", {"Fictional Dee Current"}),
        ("expired", {"Fictional Cal Expired"}),
        ("never", {"Fictional Hal Never"}),
        (None, {"Fictional Dee Current", "Fictional Cal Expired", "Fictional Hal Never"}),
    ],
)
def test_it_filters_the_licenses_by_verification_in_the_admin(
    admin_client, settings, verification, expected
):
    verified_license(
        make_therapist("Fictional Cal Expired"), older_than_the_configured_months(settings)
    )
    verified_license(make_therapist("Fictional Dee Current"), days_ago(10))
    make_therapist("Fictional Hal Never")
    query = {"verification": verification} if verification else {}

    response = admin_client.get(LICENSES, query)

    assert response.status_code == 200
    assert {str(row.therapist) for row in response.context["cl"].result_list} == expected


def test_it_moves_a_license_out_of_the_recheck_list_when_staff_verify_it_again(
    client, admin_client, admin_user, settings
):
    license = verified_license(
        make_therapist("Fictional Ivy Recheck"), older_than_the_configured_months(settings)
    )
    assert listed_pks(admin_client.get(RECHECK)) == {license.pk}

    asked = mark_verified(admin_client, RECHECK, [license])
    assert "State board lookup page that shows the license" in page_text(asked)
    done = mark_verified(
        admin_client, RECHECK, [license], confirm="1", source=f"{BOARD_LOOKUP}&again=1"
    )

    assert done.status_code == 302
    after = admin_client.get(done["Location"])
    assert "1 license marked verified." in page_text(after)
    assert listed_pks(after) == set()
    license.refresh_from_db()
    assert license.verified_by == admin_user
    assert license.verification_source == f"{BOARD_LOOKUP}&again=1"
    assert badge(license.verified_at) in page_text(client.get(license.therapist.get_absolute_url()))


def test_it_lists_only_therapists_with_a_currently_verified_license_when_asked(
    client, db, settings
):
    verified_license(make_therapist("Fictional Jo Primary"), days_ago(10))
    second = make_therapist("Fictional Kit Second")
    second.licenses.create(
        credential=make_credential("Licensed Fictional Psychologist", "LFP"),
        state="WI",
        verified_at=days_ago(20),
    )
    verified_license(
        make_therapist("Fictional Lee Lapsed"), older_than_the_configured_months(settings)
    )
    make_therapist("Fictional Mo Unchecked")
    hidden = make_therapist("Fictional Nia Unlisted", is_listed=False)
    verified_license(hidden, days_ago(10))

    only_verified = client.get(LISTING, {"verified": "on"})
    everyone = client.get(LISTING)

    assert names_listed(only_verified) == ["Fictional Jo Primary", "Fictional Kit Second"]
    assert "2 therapists" in page_text(only_verified)
    assert names_listed(everyone) == [
        "Fictional Jo Primary",
        "Fictional Kit Second",
        "Fictional Lee Lapsed",
        "Fictional Mo Unchecked",
    ]


class _Fields(HTMLParser):
    """Every input, select and textarea of a page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self._label = [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"}:
            self.inputs.append({"tag": tag, **attrs})
            if self._label == "":  # a label wrapping its control labels it by containment
                self._label = f"wraps:{attrs.get('name')}"
                self.labels[self._label] = self.labels.pop("", "")
        if tag == "label":
            self._label = attrs.get("for", "")
            self.labels.setdefault(self._label, "")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label is not None:
            self.labels[self._label] += data


def fields_of(response):
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser


def test_it_offers_the_verified_filter_as_a_labelled_checkbox(client, db):
    page = fields_of(client.get(LISTING))
    [checkbox] = [field for field in page.inputs if field.get("name") == "verified"]
    assert checkbox["type"] == "checkbox"
    assert "checked" not in checkbox
    # The label ends with how many therapists ticking it gives.
    label = page.labels.get(checkbox.get("id"), page.labels.get("wraps:verified", "")).strip()
    assert re.fullmatch(r"License verified \(\d+\)", label)

    [ticked] = [
        field
        for field in fields_of(client.get(LISTING, {"verified": "on"})).inputs
        if field.get("name") == "verified"
    ]
    assert "checked" in ticked


# 3 queries, whether 2 or 20 therapists match: the search index's look at the change log
# (the verified filter is a bitmap); the page's cards with licenses and locations; the
# cards' kinds of therapy.
DIRECTORY_QUERIES = 3


def test_it_filters_verified_therapists_in_the_same_number_of_queries_for_2_or_20(
    client, db, django_assert_num_queries
):
    for n in range(2):
        verified_license(make_therapist(f"Fictional Verified {n:02}"), days_ago(n + 1))
    make_therapist("Fictional Unverified")
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = client.get(LISTING, {"verified": "on"})
    assert len(names_listed(response)) == 2

    for n in range(2, 20):
        verified_license(make_therapist(f"Fictional Verified {n:02}"), days_ago(n + 1))
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = client.get(LISTING, {"verified": "on"})

    assert len(names_listed(response)) == 20


@pytest.mark.parametrize(
    ("now", "months", "cutoff"),
    [
        # A shorter month takes its last day.
        (datetime.datetime(2023, 3, 31, 12, tzinfo=UTC), 1, datetime.date(2023, 2, 28)),
        (datetime.datetime(2024, 3, 31, 12, tzinfo=UTC), 1, datetime.date(2024, 2, 29)),
        (datetime.datetime(2024, 5, 31, 12, tzinfo=UTC), 1, datetime.date(2024, 4, 30)),
        # Across the new year.
        (datetime.datetime(2024, 1, 31, 12, tzinfo=UTC), 1, datetime.date(2023, 12, 31)),
        (datetime.datetime(2024, 1, 15, 12, tzinfo=UTC), 13, datetime.date(2022, 12, 15)),
        # A leap day a year on.
        (datetime.datetime(2024, 2, 29, 12, tzinfo=UTC), 12, datetime.date(2023, 2, 28)),
        # Late in the evening in the site's time zone, across the change to daylight time.
        (datetime.datetime(2024, 3, 31, 23, 30, tzinfo=NEW_YORK), 1, datetime.date(2024, 2, 29)),
    ],
)
def test_it_counts_the_verification_months_back_from_any_day_of_the_month(
    settings, now, months, cutoff
):
    settings.LICENSE_VERIFICATION_MONTHS = months

    result = verification_cutoff(now=now)

    # Whole days of the site's time zone, as "accepting new clients" counts them: a
    # license verified at any hour of the cutoff day still counts.
    site_midnight = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    assert result == site_midnight


def test_it_counts_the_months_back_from_now_by_default(settings):
    settings.LICENSE_VERIFICATION_MONTHS = 1
    before = timezone.now()

    cutoff = verification_cutoff()

    after = timezone.now()
    assert cutoff in {verification_cutoff(now=before), verification_cutoff(now=after)}
    # The start of a site-time-zone day a month back: 28 to 31 days before today's
    # local midnight, which is up to a day (and a daylight-saving hour) before now.
    earliest = before - datetime.timedelta(days=32, hours=1)
    assert earliest <= cutoff <= before - datetime.timedelta(days=28)


def test_it_keeps_the_verification_read_only_on_the_therapist_change_page(
    admin_client, admin_user, django_user_model
):
    therapist = make_therapist("Fictional Oz Readonly")
    license = verified_license(therapist, days_ago(10))
    license.verified_by = admin_user
    license.save()
    change = reverse("admin:therapists_therapist_change", args=[therapist.pk])

    page = admin_client.get(change)

    assert page.status_code == 200
    names = {field.get("name") for field in fields_of(page).inputs}
    assert "licenses-0-credential" in names
    for field in ["verified_at", "verified_by", "verification_source"]:
        assert f"licenses-0-{field}" not in names
    assert BOARD_LOOKUP in page_text(page)

    data = {}
    for name, value in form_on(page, id="therapist_form").data():
        data.setdefault(name, []).append(value)
    assert data["licenses-0-id"] == [str(license.pk)]
    forger = django_user_model.objects.create_user("fictional-forger", "forger@example.org")
    data.update(
        {
            "licenses-0-verified_at_0": ["2001-01-01"],
            "licenses-0-verified_at_1": ["00:00:00"],
            "licenses-0-verified_at": ["2001-01-01 00:00:00"],
            "licenses-0-verified_by": [str(forger.pk)],
            "licenses-0-verification_source": ["https://forged.example.org/"],
            "display_name": ["Fictional Oz Readonly Renamed"],
        }
    )

    saved = admin_client.post(change, data)

    assert saved.status_code == 302, page_text(saved)
    therapist.refresh_from_db()
    assert therapist.display_name == "Fictional Oz Readonly Renamed"
    unchanged = License.objects.get(pk=license.pk)
    assert (unchanged.verified_at, unchanged.verified_by, unchanged.verification_source) == (
        license.verified_at,
        admin_user,
        BOARD_LOOKUP,
    )

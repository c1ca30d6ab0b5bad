"""Defects found by attacking issue 12's new features (contact form, listing redirects,
the profile's Back to results). Each test fails while the defect is there. Every name and
address here is fictional."""

import re
from html import unescape

import pytest
from django.views.debug import ExceptionReporter

from tests import test_contact
from tests.test_contact import FILLED, PRIVATE, send, written
from therapists.models import ContactMessage, Therapist

# The contact tests' fixtures: a listed therapist with an account.
therapist = test_contact.therapist


# The contact form's spam guards ------------------------------------------------------------


def test_the_limit_per_network_address_is_not_dodged_by_moving_within_one_ipv6_network(
    client, therapist
):
    """Anyone with IPv6 holds a /64 (18 quintillion addresses) and picks a new one for each
    request: counted per full address, the limit of 20 a day is no limit at all."""
    codes = [
        send(
            client,
            therapist,
            {**FILLED, "email": f"sender{number}@example.org"},
            REMOTE_ADDR=f"2001:db8:1:2::{number + 1:x}",
        ).status_code
        for number in range(21)
    ]

    assert codes[:20] == [302] * 20
    assert codes[20] == 429
    assert ContactMessage.objects.count() == 20


def test_one_moment_shown_is_not_a_pass_for_any_number_of_messages(client, therapist):
    """The minimum time to fill is meant to cost each message the seconds a person takes.
    A program that opens the form once and waits 3 seconds can send with that one token,
    at full speed, for a day (only the daily limits stop it)."""
    token = written(therapist, seconds=10)

    first = client.post(therapist.get_contact_url(), {**FILLED, "website": "", "shown_at": token})
    again = client.post(
        therapist.get_contact_url(),
        {**FILLED, "email": "another@example.org", "website": "", "shown_at": token},
    )

    assert first.status_code == 302
    assert again.status_code != 302
    assert ContactMessage.objects.count() == 1


# Kept private ----------------------------------------------------------------------------


class FailsBeforeTheView:
    """A middleware that fails on the way in (as any of ours may: a bug, a database or
    cache that is down), after CSRF has read the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        raise RuntimeError("failed before the contact view ran")


def test_the_error_report_of_a_failure_before_the_view_hides_the_message_too(
    client, therapist, settings
):
    """sensitive_post_parameters() marks the request only once the view runs: anything that
    fails before that (a middleware's process_view, the request phase of a middleware) is
    reported with every posted field, message text, name, email and phone included."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_attack_findings.FailsBeforeTheView"]
    client.raise_request_exception = False

    response = client.post(
        therapist.get_contact_url(), {**FILLED, "website": "", "shown_at": written(therapist)}
    )

    assert response.status_code == 500
    reporter = ExceptionReporter(response.wsgi_request, *response.exc_info)
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert "failed before the contact view ran" in report  # the report is of this failure
        for private in PRIVATE:
            assert private not in unescape(report)


# The listing's redirect of empty fields ---------------------------------------------------


def test_the_redirect_of_empty_fields_keeps_a_raw_utf8_query_as_it_was(client, seeded):
    """A client that sends the query's UTF-8 bytes unencoded (curl, scripts, some apps) is
    read right by Django (request.GET["q"] == "José") but redirected to "JosÃ©": the
    redirect reparses META["QUERY_STRING"], which WSGI decodes as Latin-1."""
    response = client.get("/therapists/?q=José&near=")

    assert response.status_code == 301
    assert response["Location"] in ("/therapists/?q=Jos%C3%A9", "/therapists/?q=José")
    assert client.get(response["Location"], follow=True).wsgi_request.GET["q"] == "José"


# The profile's Back to results ------------------------------------------------------------


@pytest.mark.parametrize("junk", ["\x00", "\x01", "\x1b", "\u2028"])
def test_back_to_results_never_repeats_control_characters_from_the_address(client, seeded, junk):
    """The landing page's state is any text to the URL resolver (<str:state>), and
    results_link returns the path exactly as given: a NUL or other control character in
    `back` is written raw into the page's HTML (a parse error; browsers make NUL U+FFFD)."""
    profile = Therapist.objects.listed().first()

    response = client.get(profile.get_absolute_url(), {"back": f"/therapists/ca{junk}/x/"})

    assert response.status_code == 200
    link = re.search(r'<p class="back"><a href="([^"]*)"', response.content.decode())[1]
    assert junk not in link

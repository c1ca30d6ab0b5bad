"""Changes the attack on the search index found it missing, each seen at the next request."""

import pytest

from tests.conftest import make_city, make_concern, make_modality, make_therapist
from therapists.models import LicenseToRecheck, Location

LISTING = "/therapists/"


def total(client, **query):
    import re

    text = client.get(LISTING, query).content.decode()
    return int(re.search(r'<h2 id="results-heading">(\d+) therap', text).group(1))


def test_it_sees_an_edit_made_through_a_proxy_model(client, db):
    therapist = make_therapist("Fictional Proxy")
    credential = therapist.licenses.get().credential
    assert total(client, credential=credential.slug) == 1
    LicenseToRecheck.objects.get(therapist=therapist).delete()  # the re-check list's delete
    assert total(client, credential=credential.slug) == 0


def test_it_files_a_location_given_to_another_listing_under_both(client, db):
    springfield, shelbyville = make_city("Springfield", "IL"), make_city("Shelbyville", "IL")
    first = make_therapist("Fictional First", city=springfield)
    make_therapist("Fictional Second", city=shelbyville)
    assert total(client, city="springfield-il") == 1
    location = Location.objects.get(therapist=first)
    location.therapist = make_therapist("Fictional Third", city=shelbyville)
    location.is_primary = False
    location.save()
    assert total(client, city="springfield-il") == 1  # the third, no longer the first
    assert "Fictional First" not in client.get(LISTING, {"city": "springfield-il"}).content.decode()


def test_it_forgets_a_deleted_term_s_listings_when_the_term_comes_back(client, db):
    concern = make_concern("Fictional Worry")
    make_therapist("Fictional Helper").concerns.set([concern])
    assert total(client, concern="fictional-worry") == 1
    concern.delete()
    assert client.get(LISTING, {"concern": "fictional-worry"}).status_code == 200
    make_concern("Fictional Worry")  # the same slug again, without its old links
    assert total(client, concern="fictional-worry") == 0


@pytest.mark.parametrize("page", ["²", "③", "١"])
def test_it_answers_a_page_number_in_other_digits_with_a_404(client, db, page):
    assert client.get(LISTING, {"page": page}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/therapists/IL/springfield/", "/therapists/il/SPRINGFIELD/", "/therapists/field-il/spring/"],
)
def test_it_answers_a_landing_path_not_written_as_its_own_with_a_404(client, db, path):
    make_therapist("Fictional Local", city=make_city("Springfield", "IL"))
    make_modality("Sample Modality")
    assert client.get("/therapists/il/springfield/").status_code == 200
    assert client.get(path).status_code == 404

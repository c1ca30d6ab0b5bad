"""Photos in an S3-compatible bucket, as several app servers share them: against a real
S3 endpoint on this machine (moto's server), through django-storages."""

import socket
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import make_therapist
from tests.test_photos import camera_jpeg, send
from therapists import photos
from therapists.models import Photo, ReviewStatus, Therapist

BUCKET = "directory-photos"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(endpoint, settings, monkeypatch):
    """The settings' S3 storage (directory/settings.py) pointed at a fresh bucket."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "default_acl": "public-read",
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def signed_in(client, db, django_user_model):
    user = django_user_model.objects.create_user("bucket@example.org", "bucket@example.org")
    make_therapist("Fictional Bucket", user=user)
    client.force_login(user)
    return client


def keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_photos_live_in_the_bucket_and_browsers_fetch_them_from_it(
    bucket, endpoint, signed_in, client, django_capture_on_commit_callbacks
):
    assert send(signed_in, camera_jpeg()).status_code == 302
    photo = Photo.objects.get()
    assert keys(bucket) == sorted(f"{photo.name}-{size}.webp" for size in Photo.SIZES)
    stored = bucket.head_object(Bucket=BUCKET, Key=f"{photo.name}-96.webp")
    assert stored["ContentType"] == "image/webp"
    assert stored["CacheControl"] == "public, max-age=31536000, immutable"

    Photo.objects.filter(pk=photo.pk).update(status=ReviewStatus.APPROVED)
    Therapist.objects.update(photo=photo)
    client.logout()
    listing = client.get("/therapists/")
    url = f"{endpoint}/{BUCKET}/{photo.name}-96.webp"
    assert f'src="{url}"' in listing.content.decode()
    assert f"img-src 'self' data: {endpoint};" in listing["Content-Security-Policy"]
    with urllib.request.urlopen(url) as fetched:
        assert fetched.read()[8:12] == b"WEBP"
    # The site serves no copy of its own: the bucket is where photos are.
    assert client.get(f"/media/{photo.name}-96.webp").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        photos.remove_photo(Therapist.objects.get(), photo)
    assert keys(bucket) == []


def test_the_policy_allows_no_other_image_host_without_a_bucket(client, db):
    assert "img-src 'self' data:;" in client.get("/").headers["Content-Security-Policy"]

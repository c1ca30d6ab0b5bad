"""A real Redis for the cache tests: started on a free port, kept in memory only, stopped after.

Never the machine's Redis on 6379, which other work on this machine may be using. Also the
real-HTTP helper the cache tests use against pytest-django's live server.
"""

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import redis
from django.core.cache import caches

# scripts/ensure_redis.sh (run by make test) installs it where it is missing.
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
BACKEND = "directory.cache.ResilientRedisCache"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        # In memory only: nothing saved to disk, nothing left behind.
        options = [
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen([REDIS_SERVER, *options], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{REDIS_SERVER} did not start on {self.port}") from None
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def client(self):
        return redis.Redis.from_url(self.url)

    def keys(self, pattern="*"):
        return self.client().keys(pattern)

    def entries(self):
        """What is cached: pages and counts, not the content version or the health probe."""
        return [key for key in self.keys() if not key.endswith((b"content-version", b"healthz"))]


def use_cache(settings, location):
    """Points the default cache at location, configured as production configures Redis;
    the setting_changed signal resets `caches`."""
    settings.CACHES = {
        "default": {"BACKEND": BACKEND, "LOCATION": location, "OPTIONS": settings.REDIS_OPTIONS},
    }
    return caches["default"]


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The page and count caches on, in the test's own Redis, empty at the start."""
    settings.PAGE_CACHE_SECONDS = 600
    redis_server.client().flushdb()
    yield use_cache(settings, redis_server.url)
    redis_server.client().flushdb()


@pytest.fixture
def dead_cache(settings):
    """The caches on, pointed at a port where nothing listens."""
    settings.PAGE_CACHE_SECONDS = 600
    return use_cache(settings, f"redis://127.0.0.1:{free_port()}/0")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(live_server, path, *, data=None, cookies=None):
    """(status, body, headers) of a real HTTP request to the live server; no redirects followed."""
    request = urllib.request.Request(live_server.url + path, data=data)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers

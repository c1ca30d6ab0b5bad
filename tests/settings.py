"""The production settings, with only what a test run cannot have changed."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
# Required with DEBUG off; pytest-django keeps sent emails in memory (mail.outbox) anyway.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SITE_URL", "https://directory.example.org")

from directory.settings import *  # noqa: F403

# The test client speaks plain HTTP; production redirects to HTTPS at this point.
SECURE_SSL_REDIRECT = False
# Hashed static names need collectstatic; tests/test_static_files.py runs that for real.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from static/ so tests see the stylesheet a browser gets.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = tempfile.mkdtemp(prefix="static-root-")
# Tasks run as they are queued, so a test reads mail.outbox right after its request; the
# queue's own tests (tests/test_task_queue.py) use the database backend and a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Off in tests, so each test sees what the database holds; tests/test_page_cache.py turns
# it on where caching itself is tested.
PAGE_CACHE_SECONDS = 0
# One process serves the tests and rereads after its own edits; a pinned query count should
# not meet the once-a-second reread.
CONTENT_VERSION_CHECK_SECONDS = 3600
if DATABASES["default"]["ENGINE"] == "directory.postgresql":  # noqa: F405
    # The site's backend with a faster flush after each transactional test (see there).
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
    # Tests only: a commit returns before PostgreSQL writes it to disk. What every other
    # connection sees is the same; only a crash of the server could lose the last commits,
    # of a test database nobody keeps. The live-server and transactional tests commit often.
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405

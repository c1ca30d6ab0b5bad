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
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Off in tests, so each test sees what the database holds; tests/test_page_cache.py turns
# it on where caching itself is tested.
PAGE_CACHE_SECONDS = 0
# One process serves the tests and rereads after its own edits; a pinned query count should
# not meet the once-a-second reread.
CONTENT_VERSION_CHECK_SECONDS = 3600

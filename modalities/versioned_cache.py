"""A cache whose entries all go stale the moment anything the public sees changes.

It lives in the lowest app so every app can use it: the page cache (directory), the
directory's facet counts (therapists) and the specialist counts (modalities). A committed
change to what public pages show moves the content version (see directory.apps), which
is part of every key, so nothing here is served stale.

The version is a row in the database (ContentVersion), moved as soon as the edit commits,
not a key in the cache: an edit made while the cache is down or full is still recorded,
for every process. Each process reads it at most every CONTENT_VERSION_CHECK_SECONDS (it
rereads at once after an edit of its own), so another process may serve an older page
for that long.

Only a cache that every process shares is used. A per-process memory cache (no
REDIS_URL) would take an edit's invalidation to the one process that made it while the
others kept serving old pages, so then nothing is cached at all.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, transaction

from modalities.models import ContentVersion

PROCESS_LOCAL = (LocMemCache, DummyCache)

# This process's last reading of the version: (number, when it was read).
_last_read = (None, float("-inf"))


def shared_cache():
    """The cache all processes share, or None when the configured one is this process's own."""
    cache = caches[settings.PAGE_CACHE_ALIAS]
    return None if isinstance(cache, PROCESS_LOCAL) else cache


def content_version():
    """The current version, or None when nothing cached may be used."""
    global _last_read
    if shared_cache() is None:
        return None
    number, read_at = _last_read
    if time.monotonic() - read_at < settings.CONTENT_VERSION_CHECK_SECONDS:
        return number
    try:
        number = ContentVersion.objects.values_list("number", flat=True).first() or 0
    except DatabaseError:
        return None  # the page will fail on its own queries; nothing cached is vouched for
    _last_read = (number, time.monotonic())
    return number


def record_change(using=None):
    """Moves the version (in its own transaction, after the edit's committed)."""
    global _last_read
    # A number never used before (not a count: a row made again must not reuse old keys).
    number = time.time_ns()
    if not ContentVersion.objects.using(using).update(number=number):
        ContentVersion.objects.using(using).create(number=number)
    _last_read = (None, float("-inf"))  # this process sees its own edit at once


def content_changed(using=None, **kwargs):
    """Signal receiver: once the change commits, everything cached so far is stale.

    Not before: a request in between would render the old rows under the new version.
    """
    transaction.on_commit(lambda: record_change(using), using=using, robust=True)


def versioned_key(name, *parts):
    """The key of `name` for these parts under the current version; None: do not cache."""
    version = content_version()
    if version is None:
        return None
    raw = "|".join(str(part) for part in (version, *parts))
    return f"{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


# The page cache's contract with views (directory.page_cache reads it) ---------------------


def cacheable_page(*params):
    """Declares a function view's anonymous pages cacheable, keyed by these GET parameters.

    Class-based views set `page_cache_params` instead. A view without the declaration is
    never cached. A view that declares parameters reports the ones it used with
    used_params(); see directory.page_cache.
    """

    def declare(view):
        view.page_cache_params = frozenset(params)
        return view

    return declare


def used_params(request, pairs):
    """Tells the page cache the (name, value) GET parameters this valid page was built from,
    written as a canonical address writes them."""
    request.page_cache_params_used = sorted(pairs)

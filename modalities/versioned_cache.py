"""A cache whose entries all go stale the moment anything the public sees changes.

It lives in the lowest app so every app can use it: the page cache (directory), the
directory's facet counts (therapists) and the specialist counts (modalities). A committed
change to what public pages show moves the content version (see directory.apps), which
is part of every key, so nothing here is ever served stale.

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
from django.db import transaction

VERSION_KEY = "content-version"
PROCESS_LOCAL = (LocMemCache, DummyCache)

# Set when a change could not be written to the cache (down or full); until it is, this
# process, which knows the cached entries are stale, serves none of them.
_unrecorded_change = False


def shared_cache():
    """The cache all processes share, or None when the configured one is this process's own."""
    cache = caches[settings.PAGE_CACHE_ALIAS]
    return None if isinstance(cache, PROCESS_LOCAL) else cache


def content_version():
    """The current version, or None when nothing cached may be used."""
    cache = shared_cache()
    if cache is None or (_unrecorded_change and not _record_change(cache)):
        return None
    # A cache that lost the key (restarted, evicted) starts a new version, never an old one;
    # a cache that does not answer gives a fresh one, under which nothing is found.
    return cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)


def _record_change(cache):
    global _unrecorded_change
    failed = cache.set_many({VERSION_KEY: time.time_ns()}, timeout=None)
    if failed:
        # A full Redis still deletes: then every process starts a new version.
        cache.delete_many(failed)
    _unrecorded_change = bool(failed)
    return not failed


def content_changed(using=None, **kwargs):
    """Signal receiver: once the change commits, everything cached so far is stale.

    Not before: a request in between would render the old rows under the new version.
    """

    def record():
        cache = shared_cache()
        if cache is not None:
            _record_change(cache)

    transaction.on_commit(record, using=using, robust=True)


def versioned_key(name, *parts):
    """The key of `name` for these parts under the current version; None: do not cache."""
    version = content_version()
    if version is None:
        return None
    raw = "|".join(str(part) for part in (version, *parts))
    return f"{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def remember(name, parts, compute, seconds=None):
    """compute(), cached under name and parts until the content changes.

    Costs one cache round trip per call (two on a miss); computes every time when
    COUNT_CACHE_SECONDS is 0 or no cache is shared between processes.
    """
    seconds = settings.COUNT_CACHE_SECONDS if seconds is None else seconds
    key = versioned_key(name, *parts) if seconds > 0 else None
    if key is None:
        return compute()
    value = shared_cache().get(key)
    if value is None:
        value = compute()
        shared_cache().set(key, value, timeout=seconds)
    return value


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

"""A cache whose entries all go stale the moment any directory content changes.

It lives in the lowest app so every app can use it: the page cache (directory), the
directory's facet counts (therapists) and the specialist counts (modalities). Any save
or delete of a modality, concern, therapist, license, location or quote moves the version
(see directory.apps), so nothing here is ever served stale.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches

VERSION_KEY = "content-version"


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def content_version():
    return _cache().get(VERSION_KEY, 0)


def content_changed(**kwargs):
    """Signal receiver: everything cached so far is stale from now on."""
    _cache().set(VERSION_KEY, time.time_ns(), timeout=None)


def versioned_key(*parts):
    raw = "|".join(str(part) for part in (content_version(), *parts))
    return "v:" + hashlib.sha256(raw.encode()).hexdigest()


def remember(name, parts, compute, seconds=None):
    """compute(), cached under name and parts until the content changes.

    Costs one cache round trip per call (two on a miss); seconds=0 (no caching) when
    COUNT_CACHE_SECONDS is 0.
    """
    seconds = settings.COUNT_CACHE_SECONDS if seconds is None else seconds
    if seconds <= 0:
        return compute()
    key = versioned_key(name, *parts)
    value = _cache().get(key)
    if value is None:
        value = compute()
        _cache().set(key, value, timeout=seconds)
    return value

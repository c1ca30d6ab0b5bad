"""The cache only accelerates: a Redis that is down, slow or full never fails a request.

Each call that Redis cannot answer logs a warning and returns what a miss returns, so the
page is rendered from the database and a write goes on without the cache. CACHES sets short
socket timeouts, so an unreachable host costs a request a fraction of a second, and after
a failed connection calls skip Redis for a few seconds instead of each paying for it again.
"""

import logging
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from modalities.versioned_cache import shared_cache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# When each Redis (by its server list) may be tried again; shared by a process's threads.
_down_until = {}
# Errors that mean "no answer" (worth backing off), not "refused this command" (e.g. full).
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _attempt(self, miss, method, *args, **kwargs):
        servers = tuple(self._servers)
        if time.monotonic() < _down_until.get(servers, 0):
            return miss
        try:
            return method(*args, **kwargs)
        except (redis.RedisError, OSError) as error:
            if isinstance(error, UNREACHABLE):
                _down_until[servers] = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache %s failed, going on without it: %r", method.__name__, error)
            return miss

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        value = self._attempt(None, super().incr, key, delta, version)
        if value is None:
            raise ValueError(f"Key '{key}' not found")  # what a miss raises
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that failed, as the cache API says: all of them when Redis did not answer.
        return self._attempt(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._attempt(None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(False, super().clear)

    def available(self):
        """Whether Redis takes a write now (for /healthz); an answer ends any back-off."""
        servers = tuple(self._servers)
        try:
            self._cache.set(self.make_and_validate_key("healthz"), 1, 10)
        except (redis.RedisError, OSError) as error:
            logger.warning("Cache health check failed: %r", error)
            return False
        _down_until.pop(servers, None)
        return True


def cache_state():
    """The shared cache's state in a word or two, for /healthz."""
    cache = shared_cache()
    if cache is None:
        return "off (not shared between processes)"
    return "ok" if cache.available() else "unavailable"

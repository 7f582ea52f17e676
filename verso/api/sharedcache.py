"""Failing open on the shared cache (Redis in production).

The API reads key snapshots and rate-limit counters from the cache; when it is down the
API still serves (keys from the database, no rate limit) and logs the fault. After a
failure the cache is skipped for a few seconds, so a dead or black-holed Redis costs one
timeout every few seconds rather than several on every request.
"""
import logging
import time

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError

logger = logging.getLogger("verso.api.cache")

CACHE_ERRORS = (RedisError, OSError)
SKIP_SECONDS = 5.0

_skip_until = 0.0


def available() -> bool:
    return time.monotonic() >= _skip_until


def failed(what: str, exc: BaseException) -> None:
    global _skip_until
    _skip_until = time.monotonic() + SKIP_SECONDS
    logger.error("Shared cache unavailable during %s (%s); failing open for %.0f s", what, exc, SKIP_SECONDS)


def bump(key: str, timeout: int) -> int:
    """Add one to the counter at ``key`` (created at 1, expiring ``timeout`` seconds later) and return it."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this one opens it again
        cache.add(key, 1, timeout)
        return 1


def reset() -> None:
    global _skip_until
    _skip_until = 0.0

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
from django.core.cache.backends.redis import RedisCache
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


def redis():
    """``(client, make_key)`` for the default cache when it is Redis, else None.

    The API's hot path talks to Redis directly (one script per request, plain string values
    a script can compare); any other cache (local memory, for the demo) goes through
    Django's cache API instead."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True), backend.make_key
    return None


def set_tokens(tokens: dict[str, str]) -> None:
    """Store version tokens (plain strings, no expiry) under cache keys."""
    shared = redis()
    if shared is None:
        caches["default"].set_many(tokens, timeout=None)
        return
    client, make_key = shared
    client.mset({make_key(key): value for key, value in tokens.items()})


def get_tokens(keys: list[str]) -> dict[str, str]:
    """The tokens at these cache keys, minting (atomically, first writer wins) any that are missing."""
    import uuid

    shared = redis()
    if shared is None:
        cache = caches["default"]
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                token = uuid.uuid4().hex
                found[key] = token if cache.add(key, token, timeout=None) else (cache.get(key) or token)
        return found
    client, make_key = shared
    found = {}
    for key, value in zip(keys, client.mget([make_key(key) for key in keys]), strict=True):
        if value is None:
            token = uuid.uuid4().hex
            value = token if client.set(make_key(key), token, nx=True) else (client.get(make_key(key)) or token)
        found[key] = value.decode() if isinstance(value, bytes) else value
    return found


def reset() -> None:
    global _skip_until
    _skip_until = 0.0

"""Per-key rate limits: fixed-window counters in the shared cache.

Staff keys: reads and writes are counted separately (100/min and 30/min by default);
Supplier keys: one budget (1000/hour). An admin may override a key's rate. Requests
that never got as far as a key are counted per client IP. If the cache is unreachable
the request is served (fail open) and the fault is logged.

Each counter lives for one window. Windows are fixed, but each client's are shifted by an
offset of its own (as django-ratelimit does), so all counters don't roll over at once.
The time comes from ``clock``, which tests set to start a fresh window without waiting.
"""
import functools
import logging
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from verso.network import client_ip

from . import sharedcache
from .models import RATE_RE

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
# A counter outlives its window by a little, so a request on the edge never finds it gone.
EXPIRY_MARGIN = 5

# The limiter's clock: Unix seconds.
clock = time.time


@dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    window_end: int  # Unix seconds: when the counter starts again from zero

    @property
    def should_limit(self) -> bool:
        return self.count > self.limit


@functools.lru_cache(maxsize=256)
def split_rate(rate: str) -> tuple[int, int]:
    """"100/m" -> (100, 60); "5/10m" -> (5, 600). A malformed rate (a setting) is a configuration error."""
    if not RATE_RE.match(rate):
        raise ImproperlyConfigured(f"A rate looks like 100/m or 10/5m (N per [k] s, m, h or d), not {rate!r}")
    count, _, period = rate.partition("/")
    return int(count), int(period[:-1] or 1) * PERIODS[period[-1]]


def window_end(who: str, period: int, now: float) -> int:
    """The end of ``who``'s window that contains ``now``: windows are [end - period, end)."""
    ts = int(now)
    end = ts - ts % period + zlib.crc32(who.encode()) % period
    return end if end > ts else end + period


@dataclass(frozen=True)
class Counter:
    key: str  # in the rate-limit cache's key space (before its KEY_PREFIX)
    limit: int
    ttl: int
    window_end: int

    def usage(self, count: int) -> Usage:
        return Usage(limit=self.limit, count=count, window_end=self.window_end)


def counter(*, group: str, who: str, rate: str) -> Counter:
    """The counter ``who``'s next request in ``group`` goes to."""
    limit, period = split_rate(rate)
    end = window_end(who, period, clock())
    key = f"{settings.RATELIMIT_CACHE_PREFIX}{group}:{rate}:{who}:{end}"
    return Counter(key=key, limit=limit, ttl=period + EXPIRY_MARGIN, window_end=end)


def count_request(*, group: str, who: str, rate: str) -> Usage:
    """Count one request against ``who``'s budget in ``group`` and say where it stands."""
    c = counter(group=group, who=who, rate=rate)
    return c.usage(sharedcache.bump(c.key, c.ttl))


def rate_for(principal, *, flavour: str, method: str) -> tuple[str, str]:
    """(group, rate) for a request: the group names the counter, the rate its limit."""
    override = principal.rate_limit_override if principal is not None else ""
    if flavour == "supplier":
        return "supplier", override or settings.VERSO_SUPPLIER_RATE
    if method in SAFE_METHODS:
        return "staff-read", override or settings.VERSO_STAFF_READ_RATE
    return "staff-write", override or settings.VERSO_STAFF_WRITE_RATE


def key_counter(principal, *, flavour: str, method: str) -> Counter:
    group, rate = rate_for(principal, flavour=flavour, method=method)
    return counter(group=group, who=f"key:{principal.id}", rate=rate)


def usage_headers(usage: Usage) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(usage.limit),
        "X-RateLimit-Remaining": str(max(0, usage.limit - usage.count)),
        "X-RateLimit-Reset": str(usage.window_end),
    }


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        # Usually counted already, in the round trip that authenticated the key (verso.api.roundtrip).
        usage = getattr(request._request, "api_usage", None) if request.auth is not None else None
        if usage is None:
            group, rate = rate_for(request.auth, flavour=getattr(view, "api_flavour", "staff"), method=request.method)
            who = f"key:{request.auth.id}" if request.auth is not None else f"ip:{client_ip(request) or 'unknown'}"
            if not sharedcache.available():
                return True  # fail open while the cache is known to be down
            try:
                usage = count_request(group=group, who=who, rate=rate)
            except sharedcache.CACHE_ERRORS as exc:
                sharedcache.failed(f"rate limiting {who}", exc)
                return True
        request._request.rate_limit_headers = usage_headers(usage)
        self._wait = max(1, usage.window_end - int(clock()))
        return not usage.should_limit

    def wait(self):
        return getattr(self, "_wait", 1)

"""Per-key rate limits on django-ratelimit's counters in the shared cache.

Staff keys: reads and writes are counted separately (100/min and 30/min by default);
Supplier keys: one budget (1000/hour). An admin may override a key's rate. Requests
that never got as far as a key are counted per client IP. If the cache is unreachable
the request is served (fail open) and the fault is logged.
"""
import logging
import time

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from verso.network import client_ip

from . import sharedcache

logger = logging.getLogger(__name__)


def _rate_for(request, view) -> tuple[str, str]:
    """(group, rate) for this request: the group names the counter, the rate its limit."""
    principal = request.auth
    override = principal.rate_limit_override if principal is not None else ""
    if getattr(view, "api_flavour", "staff") == "supplier":
        return "supplier", override or settings.VERSO_SUPPLIER_RATE
    if request.method in SAFE_METHODS:
        return "staff-read", override or settings.VERSO_STAFF_READ_RATE
    return "staff-write", override or settings.VERSO_STAFF_WRITE_RATE


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        group, rate = _rate_for(request, view)
        who = f"key:{request.auth.id}" if request.auth is not None else f"ip:{client_ip(request) or 'unknown'}"
        if not sharedcache.available():
            return True  # fail open while the cache is known to be down
        try:
            usage = get_usage(request._request, group=group, key=lambda g, r: who, rate=rate, increment=True)
        except sharedcache.CACHE_ERRORS as exc:
            sharedcache.failed(f"rate limiting {who}", exc)
            return True
        if usage is None:  # RATELIMIT_FAIL_OPEN: the counter could not be read
            logger.error("Rate-limit counter unavailable; serving %s without a limit", who)
            return True
        time_left = max(1, usage["time_left"])
        request._request.rate_limit_headers = {
            "X-RateLimit-Limit": str(usage["limit"]),
            "X-RateLimit-Remaining": str(max(0, usage["limit"] - usage["count"])),
            "X-RateLimit-Reset": str(int(time.time()) + time_left),
        }
        self._wait = time_left
        return not usage["should_limit"]

    def wait(self):
        return getattr(self, "_wait", 1)

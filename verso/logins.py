"""Logins refuse brute force: failed attempts are counted per client IP and per username.

Any login form built on Django's AuthenticationForm (the admin's here, the portal's later)
takes ``RateLimitedLoginMixin``. Once an IP or a username has used up its failed attempts
(``VERSO_LOGIN_RATE_PER_IP``, ``VERSO_LOGIN_RATE_PER_USERNAME``, e.g. ``10/5m``), every
attempt is refused with a message, even one with the right password, until the window
that began with the first failure ends. Only failures count: logging in successfully never
locks anyone out. The counters live in the default cache (Redis in production); if it is
unreachable, logins are served without a limit and the fault is logged, like the API.
"""
import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from verso.api import sharedcache
from verso.api.throttling import split_rate
from verso.network import client_ip

_UNITS = [(86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]


def _counters(request, username: str) -> list[tuple[str, int, int]]:
    """(cache key, allowed failures, window in seconds) for each counter an attempt is counted on."""
    per_ip = split_rate(settings.VERSO_LOGIN_RATE_PER_IP)
    per_username = split_rate(settings.VERSO_LOGIN_RATE_PER_USERNAME)
    # Case-folded, so "Admin" and "admin" share one budget; hashed, so any username makes a safe key.
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [
        (f"login-failures:ip:{client_ip(request) or 'unknown'}", *per_ip),
        (f"login-failures:username:{name}", *per_username),
    ]


def _duration(seconds: int) -> str:
    """300 -> "5 minutes": in the largest unit that divides it."""
    size, unit = next((size, unit) for size, unit in _UNITS if seconds % size == 0)
    count = seconds // size
    return f"{count} {unit}{'s' if count != 1 else ''}"


def refusal(request, username: str) -> str | None:
    """The message refusing this attempt when its IP or username is out of failures, else None."""
    counters = _counters(request, username)
    if not sharedcache.available():
        return None  # fail open while the cache is known to be down
    try:
        counts = cache.get_many([key for key, _, _ in counters])
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed("checking failed logins", exc)
        return None
    spent = [window for key, limit, window in counters if counts.get(key, 0) >= limit]
    if not spent:
        return None
    return f"Too many failed login attempts. Please wait up to {_duration(max(spent))} and try again."


def record_failure(request, username: str) -> None:
    """Count one failed attempt against the IP and the username; each window starts at its first failure."""
    if not sharedcache.available():
        return
    try:
        for key, _, window in _counters(request, username):
            sharedcache.bump(key, window)
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed("counting a failed login", exc)


def password_reset_over_budget(request, email: str) -> bool:
    """Count one password-reset request against the client IP and the address asked for; True once
    either has used up its budget (``VERSO_PASSWORD_RESET_RATE_PER_IP``, ``..._PER_EMAIL``).

    Every request counts (a reset form answers the same whether the address exists or not), so
    the form cannot be used to flood someone's mailbox or our mail server's reputation. Fails
    open, like the login counters, if the cache is unreachable.
    """
    if not sharedcache.available():
        return False
    name = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
    per_ip = split_rate(settings.VERSO_PASSWORD_RESET_RATE_PER_IP)
    per_email = split_rate(settings.VERSO_PASSWORD_RESET_RATE_PER_EMAIL)
    counters = [
        (f"password-resets:ip:{client_ip(request) or 'unknown'}", *per_ip),
        (f"password-resets:email:{name}", *per_email),
    ]
    try:
        counts = [(sharedcache.bump(key, window), limit) for key, limit, window in counters]
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed("counting a password reset", exc)
        return False
    return any(count > limit for count, limit in counts)


class RateLimitedLoginMixin:
    """For a subclass of Django's AuthenticationForm (which holds ``self.request``)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()  # not an attempt yet: the fields say what is missing
        message = refusal(self.request, username)
        if message is not None:
            raise ValidationError(message, code="rate_limited")
        try:
            return super().clean()
        except ValidationError:
            record_failure(self.request, username)
            raise


class AdminLoginForm(RateLimitedLoginMixin, AdminAuthenticationForm):
    """The admin's login form (``admin.site.login_form``)."""

"""An in-process cache of rendered list pages, keyed by generation.

A page's key holds the API, the path, the tenant (a supplier key's supplier: one tenant's
page is never another's), the normalised query string and the tokens of the generations
its rows come from (verso.generations), as read in this request's own round trip to the
shared cache (verso.api.roundtrip). Any write to those rows replaces a token in every
process at once, so a stale page is never found. When the shared cache did not answer,
nothing is read from or stored in this cache.

Bounded by bytes (``VERSO_API_PAGE_CACHE_BYTES``) and entries, least recently used first
out; an entry older than ``MAX_AGE`` is dropped (a bound on the damage of a generation bump
lost to a cache outage).
"""
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.http import HttpResponse

MAX_ENTRIES = 5_000
MAX_AGE = 600.0
# Seconds, for how old an entry is (tests move it instead of waiting).
clock = time.monotonic


class _LRU:
    def __init__(self):
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            body, stored = entry
            if clock() - stored > MAX_AGE:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return body

    def put(self, key, body: bytes) -> None:
        limit = settings.VERSO_API_PAGE_CACHE_BYTES
        if len(body) > limit // 4:
            return  # one page may not crowd out the rest
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (body, clock())
            self._bytes += len(body)
            while self._bytes > limit or len(self._entries) > MAX_ENTRIES:
                self._drop(next(iter(self._entries)))

    def _drop(self, key) -> None:
        body, _ = self._entries.pop(key)
        self._bytes -= len(body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_pages = _LRU()
# A list's total under its filters (whatever the page), so a page the cache misses, deep
# pages included, is not counted again while nothing changed; dropped after MAX_AGE like a
# page, so a generation bump lost to a cache outage cannot leave a wrong total for ever.
_totals: OrderedDict = OrderedDict()
MAX_TOTALS = 10_000
PAGING = ("page", "per_page")
# A query string longer than this is not cached: keys are not counted in the byte bound, and
# unknown parameters are ignored by the views, so without it one key could fill the
# entries with long junk queries (5,000 pages and 10,000 totals of a few kB each).
MAX_QUERY_CHARS = 1_000


def _tokens(request, names):
    tokens = getattr(request._request, "api_generations", None) if request.auth is not None else None
    if not names or tokens is None or not all(name in tokens for name in names):
        return None
    return tokens


def key_of(*, flavour: str, path: str, principal, query, names, tokens: dict, leave_out=()):
    """A page's key: the API, the path, the tenant (a supplier key's supplier), the query
    string (a QueryDict, normalised) and the generations' tokens; None (not cached) for a
    query string longer than MAX_QUERY_CHARS."""
    if sum(len(name) + sum(map(len, values)) for name, values in query.lists()) > MAX_QUERY_CHARS:
        return None
    params = tuple(sorted((name, tuple(values)) for name, values in query.lists() if name not in leave_out))
    return (
        flavour, path, principal.supplier_id if principal.is_supplier_key else None, params,
        tuple(tokens[name] for name in names),
    )


def page_key(request, *, flavour: str, names, tokens: dict, leave_out=()):
    return key_of(flavour=flavour, path=request.path, principal=request.auth, query=request.query_params, names=names,
                  tokens=tokens, leave_out=leave_out)


def cached_body(key) -> bytes | None:
    return _pages.get(key) if key is not None else None


def total_key(request, *, flavour: str, names):
    """The key of this list's total under this request's generations, or None (then not cached)."""
    tokens = _tokens(request, names)
    if tokens is None or settings.VERSO_API_PAGE_CACHE_BYTES <= 0:
        return None
    return page_key(request, flavour=flavour, names=names, tokens=tokens, leave_out=PAGING)


def known_total(key) -> int | None:
    entry = _totals.get(key) if key is not None else None
    if entry is None:
        return None
    total, stored = entry
    if clock() - stored > MAX_AGE:
        _totals.pop(key, None)
        return None
    return total


def remember_total(key, total: int) -> None:
    if key is None:
        return
    if len(_totals) >= MAX_TOTALS:
        _totals.clear()
    _totals[key] = (total, clock())


def serve(request, *, flavour: str, names, build, render) -> HttpResponse:
    """The page for this request: from the cache under this request's generations, else
    ``render(build())`` (JSON bytes), stored for the next request."""
    tokens = _tokens(request, names)
    usable = settings.VERSO_API_PAGE_CACHE_BYTES > 0 and tokens is not None
    key = page_key(request, flavour=flavour, names=names, tokens=tokens) if usable else None
    body = _pages.get(key) if key is not None else None
    if body is None:
        body = render(build())
        if key is not None:
            _pages.put(key, body)
    return HttpResponse(body, content_type="application/json")


def clear() -> None:
    _pages.clear()
    _totals.clear()

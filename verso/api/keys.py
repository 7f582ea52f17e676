"""Key material and the cached key lookup behind bearer authentication.

A request costs no SQL for its key once warm: the key's snapshot lives in the cache,
checked against a per-key version token so that a revocation (which bumps the token)
is refused on the very next request in every process sharing the cache.
"""
import hashlib
import hmac
import logging
import pickle
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from . import pagecache, sharedcache
from .models import ApiKey

logger = logging.getLogger(__name__)

KEY_PREFIX = "sk_live_"
SNAPSHOT_TTL = 120
TOUCH_INTERVAL = 60  # last_used_at is written at most once a minute per key

# Wall-clock seconds, for how old a snapshot is (tests move it instead of waiting).
clock = time.time


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """What a request knows about its key: a cached, immutable snapshot."""

    id: int
    name: str
    prefix: str
    key_hash: str
    scopes: frozenset
    supplier_id: int | None
    supplier_verified: bool
    expires_at: float | None
    revoked: bool
    rate_limit_override: str
    version: str
    # When the row was read from the database. A snapshot is trusted for SNAPSHOT_TTL at
    # most, whatever its version token says: an invalidation lost to a cache outage (the
    # token Redis keeps afterwards is the old one) is then undone within that time.
    loaded_at: float = 0.0

    is_authenticated = True

    @property
    def is_supplier_key(self) -> bool:
        return self.supplier_id is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= clock()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


def generate_key() -> tuple[str, str, str]:
    """Return (raw key, prefix, hash). 48 bits of prefix + 256 bits of secret."""
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return raw, prefix, hash_key(raw)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


PREFIX_RE = re.compile(r"[0-9a-f]{12}")


def parse_prefix(raw: str) -> str | None:
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = raw[len(KEY_PREFIX):].partition("_")
    if not sep or not secret or not PREFIX_RE.fullmatch(prefix):
        return None
    return prefix


def _snapshot_key(prefix: str) -> str:
    return f"apikey:snapshot:{prefix}"  # on Redis, written and read by redis-py directly


def _version_key(prefix: str) -> str:
    return f"apikey:version:{prefix}"  # a plain string the round-trip script compares


def _load(prefix: str, version: str) -> ApiKeyPrincipal | None:
    row = (
        ApiKey.objects.filter(prefix=prefix)
        .values(
            "id", "name", "prefix", "key_hash", "scopes", "supplier_id", "supplier__is_verified",
            "expires_at", "revoked_at", "rate_limit_override",
        )
        .first()
    )
    if row is None:
        return None
    return ApiKeyPrincipal(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        key_hash=row["key_hash"],
        scopes=frozenset(row["scopes"] or ()),
        supplier_id=row["supplier_id"],
        supplier_verified=bool(row["supplier__is_verified"]),
        expires_at=row["expires_at"].timestamp() if row["expires_at"] else None,
        revoked=row["revoked_at"] is not None,
        rate_limit_override=row["rate_limit_override"],
        version=version,
        loaded_at=clock(),
    )


def _recent(principal: ApiKeyPrincipal) -> bool:
    return clock() - principal.loaded_at < SNAPSHOT_TTL


def _principal_for(prefix: str) -> ApiKeyPrincipal | None:
    """The cached snapshot while its version token is current, else a fresh read."""
    if not sharedcache.available():
        return _load(prefix, version="")
    snapshot_key, version_key = _snapshot_key(prefix), _version_key(prefix)
    try:
        shared = sharedcache.redis()
        if shared is None:
            cached = cache.get_many([snapshot_key])
            snapshot = cached.get(snapshot_key)
        else:
            client, make_key = shared
            raw = client.get(make_key(snapshot_key))
            snapshot = pickle.loads(raw) if raw is not None else None
        # First sight (or evicted): a token is minted, so a snapshot stored now is dropped
        # by the next invalidation whatever the cache evicts in between.
        version = sharedcache.get_tokens([version_key])[version_key]
        if snapshot is not None and snapshot.version == version and _recent(snapshot):
            principal = snapshot
        else:
            principal = _load(prefix, version)
            if principal is not None:
                if shared is None:
                    cache.set(snapshot_key, principal, SNAPSHOT_TTL)
                else:
                    client.set(make_key(snapshot_key), pickle.dumps(principal), ex=SNAPSHOT_TTL)
        if principal is not None and shared is not None:
            remember(principal)
        return principal
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed("API key lookup", exc)
        return _load(prefix, version="")


# The snapshots this process has seen, by prefix. Never trusted alone: a request uses one
# only after the shared cache confirms, in the same round trip that counts the request,
# that its version token is still current (verso.api.roundtrip), and only while it is
# recent (a revocation whose invalidation a cache outage swallowed leaves the old token in
# place: without the age limit, a process that remembered the key would accept it forever).
_local: dict[str, ApiKeyPrincipal] = {}
LOCAL_MAX = 10_000


def remember(principal: ApiKeyPrincipal) -> None:
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[principal.prefix] = principal


def remembered(prefix: str) -> ApiKeyPrincipal | None:
    principal = _local.get(prefix)
    return principal if principal is not None and _recent(principal) else None


def version_key(prefix: str) -> str:
    return _version_key(prefix)


def matches(principal: ApiKeyPrincipal, raw: str) -> bool:
    # Constant-time comparison of the whole key's hash: the prefix only finds the row.
    return hmac.compare_digest(principal.key_hash, hash_key(raw))


def lookup(raw: str) -> ApiKeyPrincipal | None:
    """The key's snapshot if ``raw`` is a real key (revoked and expired keys included)."""
    prefix = parse_prefix(raw)
    if prefix is None:
        return None
    principal = _principal_for(prefix)
    if principal is None:
        return None
    return principal if matches(principal, raw) else None


def invalidate(prefixes) -> None:
    """Make every process re-read these keys on their next request."""
    try:
        sharedcache.set_tokens({_version_key(p): uuid.uuid4().hex for p in prefixes})
        cache.delete_many([_snapshot_key(p) for p in prefixes])
    except sharedcache.CACHE_ERRORS:
        # Snapshots expire on their own (SNAPSHOT_TTL); say loudly that these may linger.
        logger.exception("Could not invalidate cached API keys %s", list(prefixes))


def invalidate_all() -> None:
    """Make every process re-read every key (after a cache outage swallowed invalidations)."""
    prefixes = list(ApiKey.objects.values_list("prefix", flat=True))
    for start in range(0, len(prefixes), 1_000):
        invalidate(prefixes[start:start + 1_000])


_next_touch: dict[int, float] = {}


def touch(principal: ApiKeyPrincipal) -> None:
    """Record use at most once a minute per key, across processes, with no write otherwise."""
    now = time.monotonic()
    if _next_touch.get(principal.id, 0) > now:
        return
    _next_touch[principal.id] = now + TOUCH_INTERVAL
    first = True
    if sharedcache.available():
        try:
            first = cache.add(f"apikey:touched:{principal.id}", 1, TOUCH_INTERVAL)
        except sharedcache.CACHE_ERRORS as exc:
            sharedcache.failed("last-used mark", exc)
    if first:
        ApiKey.objects.filter(pk=principal.id).update(last_used_at=timezone.now())


def reset_local_state() -> None:
    """Forget this process's touch schedule and cache faults (tests start from a clean slate)."""
    _next_touch.clear()
    _local.clear()
    pagecache.clear()
    from . import fastpath

    fastpath.reset()
    sharedcache.reset()

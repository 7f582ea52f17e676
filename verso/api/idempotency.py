"""Idempotency-Key for POST in both APIs: a key acts at most once, and a retry after a crash acts.

1. ``begin`` claims the key by committing a row unique on (API key, idempotency key), or
   finds the row a previous request with that key left: a different body is a 409, a
   stored response is replayed (``Idempotent-Replayed: true``).
2. The view then runs in one transaction (``ApiViewMixin.dispatch``): ``hold`` locks the
   claim row first, the handler does its work, the response is rendered, and ``finish``
   stores it on the claim row before the commit. The work and its stored response commit
   together or not at all, so a process killed at any moment (a gunicorn timeout, a
   deploy) leaves either both (a retry replays) or neither (a retry acts).
3. The row lock tells a running request from a dead one: a claim "in progress" whose lock
   is free belongs to a request whose transaction rolled back, so the next request with
   that key takes it over and acts; while the lock is held, the same key is a 409
   ("still being processed"). On a database without ``SELECT … FOR UPDATE NOWAIT``
   (SQLite, the embedded mode) an unfinished claim is a 409 until it is ``STALE_CLAIM``
   old instead.
4. Server errors are not stored (unlike Stripe, whose work may have half-committed):
   a 5xx rolls back everything the request did, so the key is released and a retry acts
   afresh. Every other outcome (2xx, 4xx) is stored and replayed.

Events a service emits with ``transaction.on_commit`` fire at that one commit, never on
a rollback. Keys are kept 24 hours.
"""
import hashlib
from dataclasses import dataclass
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from verso.errors import BadRequest, Conflict

from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 255
# Where row locks can't tell a running request from a dead one (SQLite), an unfinished
# claim is given up after this.
STALE_CLAIM = timedelta(minutes=5)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock held by another transaction


@dataclass
class Claim:
    record_id: int
    key: str


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(_canonical(request.body))
    return digest.hexdigest()


def _canonical(body: bytes) -> bytes:
    """The same JSON document with its keys in another order is the same request."""
    try:
        return orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONDecodeError, RecursionError, TypeError):
        return body


def idempotency_key_of(request) -> str | None:
    key = request.META.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
            details={"Idempotency-Key": f"Must be 1 to {MAX_KEY_LENGTH} printable characters."},
        )
    return key


def begin(*, api_key_id: int, key: str, request) -> Claim | HttpResponse:
    """Claim ``key`` for this request (committed at once), or return the stored response to replay."""
    request_hash = fingerprint(request)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(api_key_id=api_key_id, key=key, request_hash=request_hash)
            return Claim(record.pk, key)
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(api_key_id=api_key_id, key=key).first()
        if existing is None:
            continue  # released between our insert and our read: try again
        now = timezone.now()
        if existing.created_at < now - timedelta(seconds=settings.VERSO_IDEMPOTENCY_TTL_SECONDS):
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.request_hash != request_hash:
            raise Conflict(
                "This Idempotency-Key was already used with a different request.",
                details={"Idempotency-Key": key},
            )
        if existing.status == IdempotencyKey.IN_PROGRESS:
            if _locks_tell_running_from_dead():
                return Claim(existing.pk, key)  # hold() decides: a 409 while its request runs, ours if it died
            if existing.created_at < now - STALE_CLAIM:
                IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            raise _still_running(key)
        return _replay(existing)
    raise Conflict("Could not claim this Idempotency-Key; retry the request.", details={"Idempotency-Key": key})


def hold(claim: Claim) -> HttpResponse | None:
    """First thing in the request's transaction: lock the claim for as long as the work runs.

    Raises a 409 while another request holds it; returns the stored response if another
    request finished with this key in the meantime; otherwise the work is ours to do.
    """
    try:
        record = IdempotencyKey.objects.select_for_update(nowait=True).filter(pk=claim.record_id).first()
    except OperationalError as exc:
        if _lock_not_available(exc):
            raise _still_running(claim.key) from None
        raise
    if record is None:  # expired and purged between begin() and now
        raise Conflict("Could not claim this Idempotency-Key; retry the request.",
                       details={"Idempotency-Key": claim.key})
    if record.status == IdempotencyKey.COMPLETED:
        return _replay(record)
    return None


def finish(claim: Claim, *, status: int, body: bytes, content_type: str = "application/json") -> None:
    """Store the response for replays, inside the transaction that did the work."""
    IdempotencyKey.objects.filter(pk=claim.record_id).update(
        status=IdempotencyKey.COMPLETED,
        response_status=status,
        response_body=body,
        response_content_type=content_type,
    )


def release(claim: Claim) -> None:
    """After the request's transaction rolled back: free the key so a retry acts.

    Only an unfinished claim nobody has taken over since is deleted; one another request
    holds now is left to it.
    """
    try:
        with transaction.atomic():
            unfinished = IdempotencyKey.objects.filter(pk=claim.record_id, status=IdempotencyKey.IN_PROGRESS)
            if unfinished.select_for_update(nowait=True).values_list("pk", flat=True):
                unfinished.delete()
    except OperationalError as exc:
        if not _lock_not_available(exc):
            raise


def _locks_tell_running_from_dead() -> bool:
    return connection.features.has_select_for_update_nowait


def _lock_not_available(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def _still_running(key: str) -> Conflict:
    return Conflict("A request with this Idempotency-Key is still being processed.", details={"Idempotency-Key": key})


def _replay(record: IdempotencyKey) -> HttpResponse:
    replay = HttpResponse(
        bytes(record.response_body or b""),
        status=record.response_status,
        content_type=record.response_content_type or "application/json",
    )
    replay["Idempotent-Replayed"] = "true"
    return replay


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.VERSO_IDEMPOTENCY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""Idempotency-Key for POST in both APIs.

The key is claimed by inserting a row unique on (API key, idempotency key) *before* the
work runs, so of two concurrent requests only one acts. A repeat with the same body gets
the stored response (``Idempotent-Replayed: true``); a different body, or a repeat while
the first is still running, is a 409. Every outcome is stored, server errors included, so a
key never acts twice. Keys are kept 24 hours.
"""
import hashlib
from dataclasses import dataclass
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from verso.errors import BadRequest, Conflict

from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 255
# A claim whose request died without finishing (a killed process) is released after this.
STALE_CLAIM = timedelta(minutes=5)


@dataclass
class Claim:
    record_id: int


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
    """Claim ``key`` for this request, or return the stored response to replay."""
    request_hash = fingerprint(request)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(api_key_id=api_key_id, key=key, request_hash=request_hash)
            return Claim(record.pk)
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(api_key_id=api_key_id, key=key).first()
        if existing is None:
            continue  # released between our insert and our read: try again
        now = timezone.now()
        expired = existing.created_at < now - timedelta(seconds=settings.VERSO_IDEMPOTENCY_TTL_SECONDS)
        stale = existing.status == IdempotencyKey.IN_PROGRESS and existing.created_at < now - STALE_CLAIM
        if expired or stale:
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.request_hash != request_hash:
            raise Conflict(
                "This Idempotency-Key was already used with a different request.",
                details={"Idempotency-Key": key},
            )
        if existing.status == IdempotencyKey.IN_PROGRESS:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed.",
                details={"Idempotency-Key": key},
            )
        replay = HttpResponse(
            bytes(existing.response_body or b""),
            status=existing.response_status,
            content_type=existing.response_content_type or "application/json",
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
    raise Conflict("Could not claim this Idempotency-Key; retry the request.", details={"Idempotency-Key": key})


def finish(claim: Claim, *, status: int, body: bytes, content_type: str = "application/json") -> None:
    """Store the response for replays, server errors included (as Stripe does): the work may
    have committed before the error, so a retry with the same key must not do it again."""
    IdempotencyKey.objects.filter(pk=claim.record_id).update(
        status=IdempotencyKey.COMPLETED,
        response_status=status,
        response_body=body,
        response_content_type=content_type,
    )


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.VERSO_IDEMPOTENCY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

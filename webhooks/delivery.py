"""Carrying events out: fan-out to subscribers, handing deliveries to Celery, one attempt.

Fan-out runs inside ``emit``'s transaction: one SELECT of the subscribed webhooks and one
INSERT of their Delivery rows, so a delivery exists exactly when its event does. The
Celery tasks are published after commit; a publish that fails (broker down) is logged and
the row stays pending for the sweep, so a request never waits on or fails for the broker.

An attempt claims its row with a conditional UPDATE, sends with no transaction or lock
held, then records the answer (a failure under a row lock). The secret is never logged.
"""
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from verso import outbox
from verso.fetch import FetchError, fetch

from . import signing
from .models import Delivery, Event, Webhook

logger = logging.getLogger(__name__)

USER_AGENT = "Verso-Webhooks/1"
# While one attempt is sending, its row's next_attempt_at lies this far ahead: no second
# task and no sweep picks it up meanwhile; if the worker dies mid-send, the sweep does later.
CLAIM_SECONDS = 120
# A task may run a moment before the next_attempt_at it was scheduled for (clock rounding).
EARLY_TOLERANCE = dt.timedelta(seconds=2)
SWEEP_GRACE = dt.timedelta(seconds=60)


# --- fan-out --------------------------------------------------------------------------------


def subscribers(event_types: set[str]) -> list[Webhook]:
    """Active, enabled webhooks subscribed to any of ``event_types`` (one query)."""
    live = Webhook.objects.filter(is_active=True, disabled_at__isnull=True).only("id", "events")
    if connection.vendor == "postgresql":
        wanted = Q()
        for event_type in event_types:
            wanted |= Q(events__contains=[event_type])
        return list(live.filter(wanted))
    return [hook for hook in live if set(hook.events or []) & event_types]


def fan_out(events: list[Event]) -> list[Delivery]:
    """One pending Delivery per (event, subscribed webhook), in the caller's transaction;
    their tasks are published once it commits."""
    if not events:
        return []
    hooks = subscribers({event.type for event in events})
    deliveries = [
        Delivery(webhook_id=hook.pk, event_id=event.pk, event_type=event.type)
        for event in events for hook in hooks if event.type in hook.events
    ]
    if not deliveries:
        return []
    deliveries = Delivery.objects.bulk_create(deliveries)
    enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def enqueue_on_commit(delivery_ids: list[int]) -> None:
    transaction.on_commit(lambda: enqueue(delivery_ids))


def enqueue(delivery_ids: Iterable[int], *, countdown: float | None = None) -> int:
    """Publish a ``deliver`` task per id; returns how many were published (a broker error
    leaves the rest pending for the sweep: verso.outbox)."""
    from .tasks import deliver

    return outbox.publish_each(deliver, delivery_ids, what="webhook delivery", countdown=countdown, log=logger)


def due_for_sweep(now: dt.datetime | None = None):
    """Pending deliveries of live webhooks that no task took: due (or written) more than
    SWEEP_GRACE ago. A task still queued behind a backlog takes its row within that time, so
    the sweep does not pile a second task on every queued one."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(next_attempt_at__lte=now - SWEEP_GRACE) | Q(next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE),
        status=Delivery.PENDING, webhook__is_active=True, webhook__disabled_at__isnull=True,
    )


# --- one attempt ----------------------------------------------------------------------------


def payload(event: Event) -> bytes:
    created = event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return orjson.dumps({"id": str(event.pk), "type": event.type, "created_at": created, "data": event.data})


@dataclass(frozen=True)
class Claim:
    url: str
    event_id: str
    body: bytes
    secret: str = field(repr=False)
    webhook_id: int
    failures_before: int


def _claim(delivery_id: int) -> Claim | None:
    """If the delivery is due, mark it in flight and return what to send (None when there is
    nothing to send). One read, then one UPDATE that succeeds only if the row is still as
    read: of two tasks racing for it, exactly one claims it, and no lock or transaction is
    held (the hot path of every delivery)."""
    now = timezone.now()
    delivery = Delivery.objects.select_related("webhook", "event").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.PENDING:
        return None  # already done (a duplicate task), or deleted with its webhook
    hook = delivery.webhook
    if not hook.is_active or hook.disabled_at is not None:
        return None  # stays pending; sent if staff turn the endpoint back on
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + EARLY_TOLERANCE:
        return None  # not due yet, or another attempt is sending it right now
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING,
                                      next_attempt_at=delivery.next_attempt_at).update(
        next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS), updated_at=now)
    if not claimed:
        return None  # another task took it between the read and the update
    return Claim(hook.url, str(delivery.event_id), payload(delivery.event), hook.secret, hook.pk,
                 hook.consecutive_failures)


def _send(url: str, event_id: str, body: bytes, secret: str) -> tuple[int | None, str]:
    """POST the signed body; (status code or None, error text or "")."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.signed_headers(secret, event_id, int(timezone.now().timestamp()), body),
    }
    try:
        result = fetch(url, method="POST", body=body, headers=headers, follow_redirects=False, truncate=True,
                       max_bytes=settings.VERSO_WEBHOOK_MAX_RESPONSE_BYTES,
                       deadline_seconds=settings.VERSO_WEBHOOK_DEADLINE_SECONDS,
                       connect_timeout=settings.VERSO_WEBHOOK_CONNECT_TIMEOUT,
                       read_timeout=settings.VERSO_WEBHOOK_READ_TIMEOUT)
    except FetchError as exc:
        return None, exc.reason
    if 200 <= result.status < 300:
        return result.status, ""
    if result.status == 410:
        return result.status, "The endpoint answered 410 Gone: disabled."
    return result.status, f"The endpoint answered {result.status}."


def attempt(delivery_id: int) -> None:
    """Send a pending delivery once and record what happened (the ``deliver`` task's body)."""
    claim = _claim(delivery_id)
    if claim is None:
        return
    status_code, error = _send(claim.url, claim.event_id, claim.body, claim.secret)
    if status_code is not None and 200 <= status_code < 300:
        _record_success(delivery_id, status_code, claim)
        return
    retry_in = _record(delivery_id, status_code, error)
    if retry_in is not None:
        enqueue([delivery_id], countdown=retry_in)  # if this publish fails, the sweep retries


def _record_success(delivery_id: int, status_code: int, claim: Claim) -> None:
    """The common case in one UPDATE (no lock needed: the row is ours while claimed)."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery_id, status=Delivery.PENDING).update(
        status=Delivery.SUCCEEDED, attempts=F("attempts") + 1, last_status_code=status_code, last_error="",
        next_attempt_at=None, delivered_at=now, updated_at=now)
    # Unconditional (a conditional UPDATE): another delivery may have failed for good meanwhile.
    Webhook.objects.filter(pk=claim.webhook_id, consecutive_failures__gt=0).update(consecutive_failures=0)


def _record(delivery_id: int, status_code: int | None, error: str) -> int | None:
    """Write a failed attempt; the seconds until the next attempt, or None when there is none."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None  # its webhook was deleted while we were sending
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error[:2000]
        fields = ["attempts", "last_status_code", "last_error", "status", "next_attempt_at", "updated_at"]
        hooks = Webhook.objects.filter(pk=delivery.webhook_id)
        retry_in = None
        if status_code == 410:
            delivery.status, delivery.next_attempt_at = Delivery.FAILED, None
            hooks.filter(disabled_at__isnull=True).update(disabled_at=now, updated_at=now)
        else:
            delays = settings.VERSO_WEBHOOK_RETRY_DELAYS
            if delivery.attempts <= len(delays):
                retry_in = delays[delivery.attempts - 1]
                delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
            else:
                delivery.status, delivery.next_attempt_at = Delivery.FAILED, None
                hooks.update(consecutive_failures=F("consecutive_failures") + 1, updated_at=now)
                hooks.filter(disabled_at__isnull=True,
                             consecutive_failures__gte=settings.VERSO_WEBHOOK_DISABLE_AFTER).update(
                    disabled_at=now, updated_at=now)
        delivery.save(update_fields=fields)
    if delivery.status == Delivery.FAILED:
        logger.info("Webhook delivery %s failed after %s attempts: %s", delivery_id, delivery.attempts, error)
    return retry_in

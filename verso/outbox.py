"""Handing outbox rows (webhook deliveries, supplier emails) to Celery without ever blocking
or failing the caller.

A row is written in the transaction that decides the work; its task is published after
commit with a short broker timeout and no publish retries (settings: CELERY_BROKER_*). A
publish that fails is logged and the row stays pending: a sweep (beat, and every worker
when it starts) publishes again whatever waited longer than a grace period untaken.
"""
import logging
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


def publish_each(task, ids: Iterable[int], *, what: str, countdown: float | None = None,
                 log: logging.Logger = logger) -> int:
    """Publish ``task(id)`` per id; returns how many were published. The first broker error
    stops it (the rest would only wait on the same dead broker): those rows stay pending for
    the sweep. ``what`` names a row in the log ("webhook delivery 12")."""
    published = 0
    for row_id in ids:
        try:
            task.apply_async((row_id,), countdown=countdown, retry=False)
        except Exception:  # noqa: BLE001 - whatever the broker does, the caller must not fail
            log.warning("Could not publish %s %s; the sweep will retry it", what, row_id, exc_info=True)
            break
        published += 1
    return published


def republish_stranded(due: QuerySet, task, *, what: str, log: logging.Logger = logger, limit: int = 10_000) -> int:
    """The sweep: publish again the rows of ``due`` (pending rows that no task took within the
    grace period) and stamp ``next_attempt_at`` on those published, so the next sweep leaves
    them alone for another grace period. Returns how many were published."""
    ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
    published = publish_each(task, ids, what=what, log=log)
    if published:
        due.filter(pk__in=ids[:published]).update(next_attempt_at=timezone.now())
    if ids:
        log.info("Sweep published %s of %s pending %ss", published, len(ids), what)
    return published

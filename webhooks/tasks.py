"""Celery tasks that carry webhook deliveries out (see webhooks.delivery)."""
import logging

from celery import shared_task
from django.utils import timezone

from . import delivery

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def deliver(delivery_id: int) -> None:
    """Send one pending delivery (a task for one already succeeded or failed does nothing)."""
    delivery.attempt(delivery_id)


@shared_task(ignore_result=True)
def sweep_pending_deliveries() -> int:
    """Publish again every pending delivery that is due but no task carried (a broker outage
    when it was written, a worker lost mid-send); returns how many were published."""
    ids = list(delivery.due_for_sweep().order_by("id").values_list("id", flat=True)[:10_000])
    published = delivery.enqueue(ids)
    # Published again now: the next sweep leaves them alone for another SWEEP_GRACE.
    delivery.Delivery.objects.filter(pk__in=ids[:published], status=delivery.Delivery.PENDING).update(
        next_attempt_at=timezone.now())
    if ids:
        logger.info("Webhook sweep published %s of %s pending deliveries", published, len(ids))
    return published

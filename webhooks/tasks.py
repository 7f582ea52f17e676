"""Celery tasks that carry webhook deliveries out (see webhooks.delivery)."""
import logging

from celery import shared_task

from verso import outbox

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
    return outbox.republish_stranded(delivery.due_for_sweep(), deliver, what="webhook delivery", log=logger)

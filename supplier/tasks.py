"""Celery tasks that send supplier emails (see supplier.notifications)."""
import logging

from celery import shared_task

from verso import outbox

from . import notifications

logger = logging.getLogger(__name__)


# Bounded: an SMTP server that hangs is cut off (EMAIL_TIMEOUT first, then these limits);
# retries are the row's (notifications.send), a few and spaced out, not Celery's own.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def send_supplier_email(email_id: int) -> None:
    """Send one pending supplier email (a task for one already sent does nothing)."""
    notifications.send(email_id)


@shared_task(ignore_result=True)
def sweep_pending_supplier_emails() -> int:
    """Publish again every pending email no task carried (a broker outage when it was
    written); returns how many were published."""
    return outbox.republish_stranded(notifications.due_for_sweep(), send_supplier_email, what="supplier email",
                                     log=logger)

"""Periodic housekeeping for the API platform."""
from celery import shared_task

from . import idempotency


@shared_task(time_limit=300)
def purge_expired_idempotency_keys() -> int:
    return idempotency.purge_expired()

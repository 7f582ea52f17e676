"""The monthly settlement run (Celery beat, early on the 1st, UTC)."""
import logging

from celery import shared_task
from django.utils import timezone

from . import services
from .periods import period_of, previous_period

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def generate_previous_month_statements() -> int:
    """Draft last month's statements (staff check and issue them); safe to run again."""
    period = previous_period(period_of(timezone.now()))
    count = services.statements_generate(period=period)
    logger.info("Settlement statements for %s: %s made or updated", period.strftime("%Y-%m"), count)
    return count

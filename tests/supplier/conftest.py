"""Supplier test fixtures: the real Celery worker and queue of the webhook tests (emails to
suppliers travel the same way)."""
from tests.webhooks.conftest import task_queue, worker  # noqa: F401

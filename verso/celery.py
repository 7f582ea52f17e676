"""The Celery app; configuration comes from Django settings (CELERY_* names)."""
import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verso.settings")

app = Celery("verso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The outbox sweeps (verso.outbox) a worker runs as it starts.
SWEEPS_ON_START = ["webhooks.tasks.sweep_pending_deliveries", "supplier.tasks.sweep_pending_supplier_emails"]


@signals.worker_ready.connect
def _sweep_outboxes_on_start(sender=None, **kwargs) -> None:
    """A worker that starts after a broker outage picks up the deliveries and emails it
    stranded at once, without waiting for beat."""
    for name in SWEEPS_ON_START:
        try:
            app.send_task(name, retry=False)
        except Exception:  # noqa: BLE001 - the periodic sweep will do it
            logging.getLogger(__name__).warning("Could not queue %s at worker start", name, exc_info=True)
            break


@signals.task_prerun.connect
def _drop_unusable_database_connections(sender=None, **kwargs) -> None:
    """Connections are reused across tasks (CELERY_DB_REUSE_MAX); like Django around a request,
    close one that broke or outlived CONN_MAX_AGE, so the task opens a fresh one."""
    from django.db import close_old_connections

    if not getattr(sender.request, "is_eager", False):  # an eager task runs inside its caller's transaction
        close_old_connections()

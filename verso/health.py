"""Liveness (/healthz) and readiness (/readyz: database, cache and broker reachable)."""
import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from kombu import Connection

from verso.celery import app as celery_app

logger = logging.getLogger(__name__)


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    cache.set("readyz", "1", 10)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def _check_broker() -> None:
    conf = celery_app.conf
    with Connection(conf.broker_url, connect_timeout=1, transport_options=conf.broker_transport_options) as conn:
        conn.ensure_connection(max_retries=1, timeout=1)


def readyz(request):
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readyz: %s unavailable: %s", name, exc)
            checks[name] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)

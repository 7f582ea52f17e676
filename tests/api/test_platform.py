"""Health checks, the OpenAPI document and Swagger UI, and the event outbox."""
import pytest
from django.db import transaction
from django.test import Client

from webhooks.models import Event
from webhooks.services import emit

pytestmark = pytest.mark.django_db


def test_healthz_answers():
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_cache_and_broker():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_readyz_is_503_when_the_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unavailable"


def test_schema_declares_the_bearer_schemes():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    schemes = schema["components"]["securitySchemes"]
    assert (schemes["StaffApiKey"]["type"], schemes["StaffApiKey"]["scheme"]) == ("http", "bearer")
    assert (schemes["SupplierApiKey"]["type"], schemes["SupplierApiKey"]["scheme"]) == ("http", "bearer")


def test_swagger_ui_is_served_without_a_cdn():
    page = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_emit_writes_in_the_callers_transaction():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            emit("lead.created", {"id": 1})
            raise RuntimeError("the change failed")
    assert not Event.objects.exists()
    emit("order.updated", {"id": 7, "status": "paid"})
    event = Event.objects.get()
    assert (event.type, event.data) == ("order.updated", {"id": 7, "status": "paid"})


def test_emit_refuses_unknown_event_types():
    with pytest.raises(ValueError):
        emit("lead.exploded", {})


def test_events_carry_timestamps_in_the_apis_wire_format():
    import datetime as dt

    emit("lead.created", {"submitted_at": dt.datetime(2024, 12, 1, 10, 30, 0, 825000, tzinfo=dt.UTC)})
    assert Event.objects.get().data == {"submitted_at": "2024-12-01T10:30:00Z"}

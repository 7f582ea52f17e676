"""Staff API: /api/v1/webhooks (contract: reference/staff-api.md, Webhooks; DESIGN.md)."""
import base64
import logging

import pytest
from django.utils import timezone

from tests.helpers import assert_staff_error
from verso.api.scopes import ALL_SCOPES
from webhooks import services
from webhooks.models import Delivery, Event, Webhook

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.com/verso"


@pytest.fixture
def client(make_staff_client):
    """The least-privileged client that reaches the webhooks: manage:webhooks alone."""
    return make_staff_client(scopes=["manage:webhooks"])


@pytest.fixture
def webhook():
    webhook, _ = services.webhook_create(name="Orders", url=HOOK, events=["order.created", "order.updated"])
    return webhook


def _delivery(webhook, event_type="order.created", **fields) -> Delivery:
    event = Event.objects.create(type=event_type, data={})
    return Delivery.objects.create(webhook=webhook, event=event, event_type=event_type, **fields)


# --- POST /api/v1/webhooks --------------------------------------------------------------


def test_create_answers_201_with_a_generated_whsec_secret_once(client):
    response = client.post("/api/v1/webhooks", {"name": "Orders", "url": HOOK, "events": ["order.created"]},
                           format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    webhook = Webhook.objects.get()
    assert body == {"id": webhook.pk, "message": "Webhook created successfully", "secret": webhook.secret}
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 32
    assert (webhook.name, webhook.url, webhook.events, webhook.is_active) == ("Orders", HOOK, ["order.created"], True)


def test_create_keeps_a_given_secret_and_is_active(client):
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()

    response = client.post("/api/v1/webhooks", {"name": "Leads", "url": HOOK, "events": ["lead.created"],
                                                "secret": secret, "is_active": False}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["secret"] == secret
    assert Webhook.objects.get().is_active is False


@pytest.mark.parametrize("events", [["order.shipped"], ["ping"], []])
def test_an_event_outside_the_catalogue_is_a_422_naming_events(client, events):
    response = client.post("/api/v1/webhooks", {"name": "X", "url": HOOK, "events": events}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert [name.split(".")[0] for name in body["details"]] == ["events"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/x", "hooks.example.com", "http://hooks.example.com/x",
                                 "http://127.0.0.1:9/x"])
def test_a_url_must_be_https_outside_debug_and_allowed_private_networks(client, settings, url):
    settings.VERSO_ALLOW_PRIVATE_URLS = []  # (the webhook tests' conftest opens 127.0.0.1 for its receivers)
    response = client.post("/api/v1/webhooks", {"name": "X", "url": url, "events": ["lead.created"]}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert "url" in body["details"]
    assert not Webhook.objects.exists()


def test_plain_http_is_accepted_for_an_allowed_private_address(client, settings):
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]

    response = client.post("/api/v1/webhooks", {"name": "Local", "url": "http://127.0.0.1:8123/hook",
                                                "events": ["lead.created"]}, format="json")

    assert response.status_code == 201, response.content


def test_plain_http_is_accepted_in_debug(client, settings):
    settings.DEBUG = True

    response = client.post("/api/v1/webhooks", {"name": "Dev", "url": "http://hooks.example.com/x",
                                                "events": ["lead.created"]}, format="json")

    assert response.status_code == 201, response.content


def test_create_refuses_unknown_fields(client):
    response = client.post("/api/v1/webhooks", {"name": "X", "url": HOOK, "events": ["lead.created"],
                                                "consecutive_failures": 0}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert "consecutive_failures" in body["details"]


# --- GET /api/v1/webhooks and /api/v1/webhooks/{id} -------------------------------------


def test_list_shows_webhooks_newest_first_without_their_secrets(client, webhook):
    newer, _ = services.webhook_create(name="Leads", url=HOOK, events=["lead.created"])

    response = client.get("/api/v1/webhooks")

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["data"]] == [newer.pk, webhook.pk]
    assert body["pagination"] == {"page": 1, "per_page": 25, "total": 2, "pages": 1}
    assert set(body["data"][1]) == {"id", "name", "url", "events", "is_active", "disabled_at",
                                    "created_at", "updated_at"}


def test_get_shows_the_representation_with_is_active_and_disabled_at(client, webhook):
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_at=timezone.now())

    response = client.get(f"/api/v1/webhooks/{webhook.pk}")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "name", "url", "events", "is_active")} == {
        "id": webhook.pk, "name": "Orders", "url": HOOK, "events": ["order.created", "order.updated"],
        "is_active": False,
    }
    assert body["disabled_at"].endswith("Z")
    assert "secret" not in body


def test_an_unknown_webhook_is_a_404(client):
    assert_staff_error(client.get("/api/v1/webhooks/999999"), 404, "NOT_FOUND")
    assert_staff_error(client.patch("/api/v1/webhooks/999999", {"name": "x"}, format="json"), 404, "NOT_FOUND")
    assert_staff_error(client.delete("/api/v1/webhooks/999999"), 404, "NOT_FOUND")
    assert_staff_error(client.get("/api/v1/webhooks/999999/deliveries"), 404, "NOT_FOUND")
    assert_staff_error(client.post("/api/v1/webhooks/999999/test"), 404, "NOT_FOUND")


# --- PATCH / DELETE ---------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(client, webhook):
    response = client.patch(f"/api/v1/webhooks/{webhook.pk}", {"events": ["lead.created"]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"id": webhook.pk, "message": "Webhook updated successfully"}
    webhook.refresh_from_db()
    assert (webhook.name, webhook.events) == ("Orders", ["lead.created"])


def test_patch_is_active_true_re_enables_a_disabled_endpoint(client, webhook):
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_at=timezone.now(), consecutive_failures=20)

    response = client.patch(f"/api/v1/webhooks/{webhook.pk}", {"is_active": True}, format="json")

    assert response.status_code == 200
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.disabled_at, webhook.consecutive_failures) == (True, None, 0)


def test_patch_cannot_change_the_secret(client, webhook):
    secret = webhook.secret

    response = client.patch(f"/api/v1/webhooks/{webhook.pk}", {"secret": "whsec_AAAA"}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert "secret" in body["details"]
    webhook.refresh_from_db()
    assert webhook.secret == secret


def test_patch_refuses_an_unknown_event(client, webhook):
    response = client.patch(f"/api/v1/webhooks/{webhook.pk}", {"events": ["lead.deleted"]}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert [name.split(".")[0] for name in body["details"]] == ["events"]


def test_delete_answers_200_and_removes_the_webhook_and_its_log(client, webhook):
    _delivery(webhook)

    response = client.delete(f"/api/v1/webhooks/{webhook.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": webhook.pk, "message": "Webhook deleted successfully"}
    assert not Webhook.objects.exists() and not Delivery.objects.exists()


# --- GET /api/v1/webhooks/{id}/deliveries -----------------------------------------------


def test_deliveries_list_this_webhooks_log_newest_first(client, webhook):
    other, _ = services.webhook_create(name="Other", url=HOOK, events=["lead.created"])
    _delivery(other, "lead.created")
    older = _delivery(webhook, status=Delivery.SUCCEEDED, attempts=1, last_status_code=200)
    newer = _delivery(webhook, "order.updated", attempts=2, last_status_code=500, last_error="HTTP 500")

    response = client.get(f"/api/v1/webhooks/{webhook.pk}/deliveries")

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["data"]] == [newer.pk, older.pk]
    assert body["pagination"]["total"] == 2
    row = body["data"][0]
    assert set(row) == {"id", "event_id", "event_type", "status", "attempts", "last_status_code", "last_error",
                        "next_attempt_at", "delivered_at", "created_at", "updated_at"}
    assert (row["event_id"], row["event_type"], row["status"], row["attempts"], row["last_status_code"],
            row["last_error"]) == (str(newer.event_id), "order.updated", "pending", 2, 500, "HTTP 500")


def test_a_webhook_without_deliveries_has_an_empty_log(client, webhook):
    response = client.get(f"/api/v1/webhooks/{webhook.pk}/deliveries")

    assert response.status_code == 200
    assert response.json()["data"] == []


# --- POST /api/v1/webhooks/{id}/test ----------------------------------------------------


def test_test_answers_200_with_a_ping_delivery_in_the_webhooks_log(client, webhook):
    response = client.post(f"/api/v1/webhooks/{webhook.pk}/test")

    assert response.status_code == 200, response.content
    body = response.json()
    delivery = Delivery.objects.get(webhook=webhook)
    assert (body["id"], body["event_type"], body["event_id"]) == (delivery.pk, "ping", str(delivery.event_id))
    assert body["status"] == delivery.status


# --- scope and secrecy ------------------------------------------------------------------


def _every_request(webhook_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", "/api/v1/webhooks", None),
        ("post", "/api/v1/webhooks", {"name": "X", "url": HOOK, "events": ["lead.created"]}),
        ("get", f"/api/v1/webhooks/{webhook_id}", None),
        ("patch", f"/api/v1/webhooks/{webhook_id}", {"name": "Renamed"}),
        ("get", f"/api/v1/webhooks/{webhook_id}/deliveries", None),
        ("post", f"/api/v1/webhooks/{webhook_id}/test", None),
        ("delete", f"/api/v1/webhooks/{webhook_id}", None),
    ]


def test_a_key_without_manage_webhooks_gets_403_everywhere(make_staff_client, webhook):
    client = make_staff_client(scopes=[s for s in ALL_SCOPES if s != "manage:webhooks"],
                               rate_limit_override="1000/m")

    for method, path, body in _every_request(webhook.pk):
        response = getattr(client, method)(path, body, format="json")
        assert_staff_error(response, 403, "FORBIDDEN")
    assert Webhook.objects.get().name == "Orders"
    assert not Delivery.objects.exists()


def test_the_secret_appears_only_in_the_create_response_and_in_no_log_line(client, webhook, caplog):
    caplog.set_level(logging.DEBUG)
    created = client.post("/api/v1/webhooks", {"name": "New", "url": HOOK, "events": ["lead.created"]}, format="json")
    new_secret = created.json()["secret"]
    _delivery(webhook)

    for method, path, body in _every_request(webhook.pk):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code < 300, (path, response.content)
        for secret in (webhook.secret, new_secret):
            assert secret not in response.content.decode(), path
    for secret in (webhook.secret, new_secret):
        assert secret not in caplog.text

"""Webhook services: endpoint rules, the fan-out an event costs, test pings and redelivery."""
import base64

import pytest
from django.db import transaction
from django.utils import timezone

from verso.errors import Conflict, NotFound, ValidationFailed
from webhooks import selectors, services
from webhooks.models import Delivery, Webhook
from webhooks.services import (
    delivery_redeliver,
    emit,
    emit_many,
    webhook_create,
    webhook_delete,
    webhook_test,
    webhook_update,
)

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/verso"


def create(**overrides):
    return webhook_create(**{"name": "Orders", "url": URL, "events": ["order.created"], **overrides})


def test_creating_a_webhook_generates_a_standard_webhooks_secret_and_returns_it_once():
    webhook, secret = create()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert Webhook.objects.get(pk=webhook.pk).secret == secret
    assert create()[1] != secret


def test_a_given_secret_is_kept_and_a_malformed_one_is_refused():
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    assert create(secret=secret)[1] == secret
    with pytest.raises(ValidationFailed) as refused:
        create(secret="not-a-secret")
    assert set(refused.value.details) == {"secret"}


@pytest.mark.parametrize("events", [[], ["order.shipped"], ["ping"], "order.created", [1]])
def test_events_must_be_a_non_empty_list_from_the_catalogue(events):
    with pytest.raises(ValidationFailed) as refused:
        create(events=events)
    assert set(refused.value.details) == {"events"}
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/x", "hooks.example.com", "https://user:pw@example.com/",
                                 "http://hooks.example.com/verso", ""])
def test_the_url_must_be_https_unless_debugging(url):
    with pytest.raises(ValidationFailed) as refused:
        create(url=url)
    assert set(refused.value.details) == {"url"}


def test_plain_http_is_accepted_in_debug_or_for_an_allowed_private_network(settings):
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]
    assert create(url="http://127.0.0.1:8080/hook")[0].url == "http://127.0.0.1:8080/hook"
    with pytest.raises(ValidationFailed):
        create(url="http://127.0.0.2:8080/hook")
    settings.DEBUG = True
    assert create(url="http://hooks.example.com/verso")[0].pk


def test_every_bad_field_is_named_at_once():
    with pytest.raises(ValidationFailed) as refused:
        webhook_create(name="", url="ftp://x", events=[])
    assert set(refused.value.details) == {"name", "url", "events"}


def test_turning_a_disabled_webhook_on_again_re_enables_it_with_a_fresh_failure_count():
    webhook, _ = create(is_active=False)
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=20, disabled_at="2026-01-01T00:00:00Z")
    webhook.refresh_from_db()
    webhook_update(webhook=webhook, changes={"is_active": True, "events": ["lead.created", "lead.created"]})
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.disabled_at, webhook.consecutive_failures) == (True, None, 0)
    assert webhook.events == ["lead.created"]


def test_the_secret_cannot_be_changed_by_an_update():
    webhook, secret = create()
    with pytest.raises(ValidationFailed) as refused:
        webhook_update(webhook=webhook, changes={"secret": "whsec_" + base64.b64encode(b"x" * 32).decode()})
    assert set(refused.value.details) == {"secret"}
    assert Webhook.objects.get(pk=webhook.pk).secret == secret


@pytest.mark.postgres  # SQLite splits an INSERT past 999 parameters
def test_an_event_costs_one_select_of_subscribers_and_one_insert_of_deliveries(django_assert_num_queries):
    for number in range(3):
        create(name=f"Hook {number}")
    create(name="Other", events=["lead.created"])
    with transaction.atomic():
        with django_assert_num_queries(3):  # the event, its subscribers, their deliveries
            emit("order.created", {"id": 1})
        with django_assert_num_queries(3):  # the same for 50 events at once
            emit_many("order.created", [{"id": n} for n in range(50)])
    assert Delivery.objects.count() == 3 + 3 * 50
    assert set(Delivery.objects.values_list("event_type", flat=True)) == {"order.created"}


def test_a_ping_is_a_delivery_to_the_tested_webhook_alone():
    webhook, _ = create()
    create(name="Other")
    delivery = webhook_test(webhook=webhook)
    assert (delivery.webhook_id, delivery.event_type, delivery.status) == (webhook.pk, "ping", "pending")
    assert Delivery.objects.count() == 1


def test_redelivering_makes_a_finished_delivery_pending_again_for_the_same_event():
    webhook, _ = create()
    with transaction.atomic():
        event = emit("order.created", {"id": 1})
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=8)
    again = delivery_redeliver(delivery=delivery)
    assert (again.pk, again.event_id, again.status, again.attempts) == (delivery.pk, event.pk, "pending", 8)


def test_selectors_list_webhooks_and_their_deliveries_newest_first_and_say_when_one_is_missing():
    webhook, _ = create()
    with transaction.atomic():
        emit("order.created", {"id": 1})
        emit("order.created", {"id": 2})
    rows = list(selectors.delivery_list(webhook_id=webhook.pk))
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)
    assert {"event_id", "status", "attempts", "last_status_code", "last_error"} <= set(rows[0])
    assert [row["id"] for row in selectors.webhook_list()] == [webhook.pk]
    assert "secret" not in next(iter(selectors.webhook_list()))
    assert selectors.webhook_get(webhook_id=webhook.pk) == webhook
    with pytest.raises(NotFound):
        selectors.webhook_get(webhook_id=webhook.pk + 1)
    webhook_delete(webhook=webhook)
    assert not Delivery.objects.exists()


def test_an_update_writes_only_what_it_changes_so_a_disable_made_meanwhile_stays(db):
    # given a webhook read by a request, then disabled by the worker before the request saves
    webhook, _ = services.webhook_create(name="Orders", url="https://hooks.example.com/a", events=["order.created"])
    stale = Webhook.objects.get(pk=webhook.pk)
    Webhook.objects.filter(pk=webhook.pk).update(disabled_at=timezone.now(), consecutive_failures=20)
    # when the request renames it from its stale copy
    services.webhook_update(webhook=stale, changes={"name": "Orders (EU)"})
    # then the rename landed and the disable did not come undone
    fresh = Webhook.objects.get(pk=webhook.pk)
    assert (fresh.name, fresh.consecutive_failures) == ("Orders (EU)", 20) and fresh.disabled_at is not None


def test_updating_a_webhook_deleted_meanwhile_is_not_found_and_does_not_bring_it_back(db):
    webhook, _ = services.webhook_create(name="Orders", url="https://hooks.example.com/a", events=["order.created"])
    Webhook.objects.filter(pk=webhook.pk).delete()
    with pytest.raises(NotFound):
        services.webhook_update(webhook=webhook, changes={"name": "Back?"})
    assert not Webhook.objects.exists()


def test_a_ping_or_redelivery_to_an_inactive_or_disabled_webhook_is_refused_not_left_pending(db):
    webhook, _ = services.webhook_create(name="Orders", url="https://hooks.example.com/a", events=["order.created"],
                                         is_active=False)
    with pytest.raises(Conflict):
        services.webhook_test(webhook=webhook)
    assert not Delivery.objects.exists()

"""Webhook delivery end to end: a real Celery worker sends signed events to a real HTTP receiver."""
import datetime as dt
import logging

import orjson
import pytest
import standardwebhooks
from celery import signals as celery_signals
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commerce import services as commerce
from commerce.actors import Actor
from tests.factories import ProductFactory, SupplierFactory
from tests.webhooks.conftest import use_broker
from verso.celery import app as celery_app
from webhooks.models import Delivery, Event, Webhook
from webhooks.services import delivery_redeliver, emit, webhook_create, webhook_test
from webhooks.tasks import sweep_pending_deliveries

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

LEAD = {"first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "+1-555-987-6543",
        "message": "Hello"}
ADDRESS = {"line1": "1 Canal St", "city": "Amsterdam", "state": "NH", "postal_code": "1011 AB", "country": "NL"}
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def place_order_of(product):
    return commerce.order_place(email="buyer@example.com", items=[{"product_id": product.pk, "quantity": 1}],
                                shipping_address=ADDRESS, actor=Actor.system())


def subscribe(receiver, *events, path="/hook", **options):
    return webhook_create(name="Receiver", url=receiver.url(path), events=list(events), **options)


def test_a_lead_created_through_the_api_arrives_signed_and_verifies_with_standardwebhooks(
        worker, receiver, make_staff_client):
    # given a webhook subscribed to lead.created
    webhook, secret = subscribe(receiver, "lead.created")
    client = make_staff_client(scopes=["write:leads"])
    # when a lead is created through the Staff API
    response = client.post("/api/v1/leads", LEAD, format="json")
    # then the receiver gets it, signed with the webhook's secret
    assert response.status_code == 201, response.content
    assert worker.wait_for(1) == 1
    [request] = receiver.received
    verified = standardwebhooks.Webhook(secret).verify(request.body, request.headers)
    assert verified["type"] == "lead.created"
    assert verified["data"]["email"] == "jane@example.com"
    assert set(verified) == {"id", "type", "created_at", "data"}
    assert verified["created_at"].endswith("Z")
    assert request.headers["webhook-id"] == verified["id"]
    assert request.headers["user-agent"] == "Verso-Webhooks/1"
    assert request.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None
    assert orjson.loads(request.body)["id"] == str(delivery.event_id)


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt_with_the_same_webhook_id(
        worker, receiver, settings):
    # given a receiver that answers 500, then 503, then 200, and retries without delay
    settings.VERSO_WEBHOOK_RETRY_DELAYS = [0, 0]
    receiver.answers = [500, 503, 200]
    webhook, secret = subscribe(receiver, "lead.created")
    # when a lead is created
    with transaction.atomic():
        event = emit("lead.created", {"id": 7, "email": "jane@example.com"})
    # then three attempts carry the same event id, the last one succeeds
    assert worker.wait_for(3) == 3
    ids = [request.headers["webhook-id"] for request in receiver.received]
    assert ids == [str(event.id)] * 3
    for request in receiver.received:
        standardwebhooks.Webhook(secret).verify(request.body, request.headers)
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
    assert Webhook.objects.get(pk=webhook.pk).consecutive_failures == 0


def test_unsubscribed_inactive_and_disabled_webhooks_receive_nothing(worker, receiver):
    # given one subscribed webhook and three that must not receive lead.created
    subscribed, _ = subscribe(receiver, "lead.created", path="/subscribed")
    subscribe(receiver, "order.created", path="/unsubscribed")
    subscribe(receiver, "lead.created", path="/inactive", is_active=False)
    disabled, _ = subscribe(receiver, "lead.created", path="/disabled")
    Webhook.objects.filter(pk=disabled.pk).update(disabled_at=timezone.now())
    # when a lead is created
    with transaction.atomic():
        emit("lead.created", {"id": 8})
    # then only the subscribed endpoint has a delivery, and only it is called
    assert worker.wait_for(1) == 1
    assert [request.path for request in receiver.received] == ["/subscribed"]
    assert list(Delivery.objects.values_list("webhook_id", flat=True)) == [subscribed.pk]


def test_redeliver_sends_the_same_event_again(worker, receiver):
    # given a delivery that already succeeded
    webhook, _ = subscribe(receiver, "lead.created")
    with transaction.atomic():
        emit("lead.created", {"id": 9})
    assert worker.wait_for(1) == 1
    delivery = Delivery.objects.get(webhook=webhook)
    # when it is redelivered
    delivery_redeliver(delivery=delivery)
    # then the receiver gets the same event a second time, and the log counts two attempts
    assert worker.wait_for(2) == 2
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(delivery.event_id)
    assert orjson.loads(first.body) == orjson.loads(second.body)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_a_test_ping_arrives_at_that_webhook_alone(worker, receiver):
    # given two webhooks
    webhook, secret = subscribe(receiver, "lead.created", path="/tested")
    subscribe(receiver, "lead.created", path="/other")
    # when the first is tested
    delivery = webhook_test(webhook=webhook)
    # then a signed ping arrives there only, logged like any delivery
    assert worker.wait_for(1) == 1
    [request] = receiver.received
    assert request.path == "/tested"
    assert standardwebhooks.Webhook(secret).verify(request.body, request.headers)["type"] == "ping"
    delivery.refresh_from_db()
    assert (delivery.event_type, delivery.status, delivery.last_status_code) == ("ping", "succeeded", 200)


def test_a_suppliers_order_group_move_arrives_as_order_updated(worker, receiver, make_supplier_client):
    # given an order with a group of the supplier's, and a webhook subscribed to order.updated
    supplier = SupplierFactory()
    order = place_order_of(ProductFactory(supplier=supplier))
    group = order.groups.get(supplier=supplier)
    webhook, secret = subscribe(receiver, "order.updated")
    # when the supplier confirms its group
    response = make_supplier_client(supplier).post(f"/api/v1/supplier/orders/{group.pk}/status",
                                                   {"status": "confirmed"}, format="json")
    # then order.updated arrives, signed
    assert response.status_code == 200, response.content
    assert worker.wait_for(1) == 1
    [request] = receiver.received
    body = standardwebhooks.Webhook(secret).verify(request.body, request.headers)
    assert body["type"] == "order.updated"
    assert body["data"]["id"] == order.pk


def test_nothing_is_delivered_for_a_rolled_back_transaction(worker, receiver):
    # given a webhook subscribed to lead.created
    subscribe(receiver, "lead.created")
    # when one transaction emitting an event rolls back, and a later one commits
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("lead.created", {"id": "rolled back"})
        raise RuntimeError("the change failed")
    with transaction.atomic():
        emit("lead.created", {"id": "committed"})
    # then only the committed event is delivered (the worker runs tasks in order)
    assert worker.wait_for(1) == 1
    assert [orjson.loads(r.body)["data"]["id"] for r in receiver.received] == ["committed"]
    assert Delivery.objects.count() == 1


def test_with_the_broker_unreachable_a_status_change_answers_and_the_sweep_delivers_later(
        worker, receiver, make_supplier_client, caplog):
    # given two webhooks subscribed to order.updated, and a broker nobody answers on
    supplier = SupplierFactory()
    order = place_order_of(ProductFactory(supplier=supplier))
    group = order.groups.get(supplier=supplier)
    subscribe(receiver, "order.updated", path="/a")
    subscribe(receiver, "order.updated", path="/b")
    client = make_supplier_client(supplier)
    use_broker(CLOSED_PORT_BROKER)
    try:
        # when the supplier moves its group
        with caplog.at_level(logging.WARNING, logger="webhooks.delivery"):
            response = client.post(f"/api/v1/supplier/orders/{group.pk}/status", {"status": "confirmed"},
                                   format="json")
    finally:
        use_broker(settings.CELERY_BROKER_URL)
    # then the request succeeds, one publish was tried (not one per delivery) and both wait
    assert response.status_code == 200, response.content
    assert [r.message for r in caplog.records].count(
        f"Could not publish webhook delivery {min(Delivery.objects.values_list('id', flat=True))}; "
        "the sweep will retry it") == 1
    assert len(caplog.records) == 1
    assert list(Delivery.objects.values_list("status", "attempts")) == [("pending", 0), ("pending", 0)]
    # and once the broker is back, the sweep sends them (after a minute nobody carried them)
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    sweep_pending_deliveries.delay()
    assert worker.wait_for(2) == 2
    assert sorted(r.path for r in receiver.received) == ["/a", "/b"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_worker_that_starts_sweeps_deliveries_left_pending(worker, receiver):
    # given a delivery no task carried (its row written two minutes ago, its task never published)
    webhook, _ = subscribe(receiver, "lead.created")
    event = Event.objects.create(type="lead.created", data={"id": 10})
    Delivery.objects.create(webhook=webhook, event=event, event_type=event.type)
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    # when a worker announces it is ready (Celery's worker_ready signal)
    celery_signals.worker_ready.send(sender=None)
    # then the sweep it queues sends the delivery
    assert worker.wait_for(1) == 1
    [request] = receiver.received
    assert request.headers["webhook-id"] == str(event.pk)
    assert Delivery.objects.get(webhook=webhook).status == "succeeded"


def test_beat_runs_the_sweep_every_minute():
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "webhooks.tasks.sweep_pending_deliveries"]
    assert entry["schedule"] == 60
    assert entry["task"] in celery_app.tasks


def test_the_sweep_publishes_a_stranded_delivery_once_per_grace_period_not_once_per_run(task_queue, receiver):
    # given a delivery no task carried, written two minutes ago
    webhook, _ = subscribe(receiver, "lead.created")
    event = Event.objects.create(type="lead.created", data={"id": 11})
    Delivery.objects.create(webhook=webhook, event=event, event_type=event.type)
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    # when the sweep runs twice in a row (a backlog: nothing has taken its task yet)
    first, second = sweep_pending_deliveries(), sweep_pending_deliveries()
    # then it published the delivery once: the second run leaves the queued task alone
    assert (first, second) == (1, 0)

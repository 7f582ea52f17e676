"""Supplier emails end to end: orders placed through the Staff API, a real Celery worker
sending the emails (to Django's test outbox: the mail server is what leaves the machine)."""
import datetime as dt
import logging

import pytest
from celery import signals as celery_signals
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from commerce import services as commerce
from commerce.actors import Actor
from supplier.models import SupplierEmail
from supplier.tasks import sweep_pending_supplier_emails
from tests.factories import ProductFactory, SupplierFactory
from tests.webhooks.conftest import use_broker
from verso.celery import app as celery_app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]

SEND = "supplier.tasks.send_supplier_email"
ADDRESS = {"line1": "1 Canal St", "city": "Amsterdam", "state": "NH", "postal_code": "1011 AB", "country": "NL"}
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def order_body(*lines) -> dict:
    return {"email": "buyer@example.com", "shipping_address": ADDRESS,
            "items": [{"product_id": product.pk, "quantity": quantity} for product, quantity in lines]}


def test_an_order_placed_through_the_staff_api_emails_each_of_its_suppliers_once(worker, make_staff_client):
    # given products of two suppliers
    tulips = SupplierFactory(contact_email="orders@tulips.example")
    roses = SupplierFactory(contact_email="sales@roses.example")
    tulip, rose = ProductFactory(supplier=tulips, name="Red tulip"), ProductFactory(supplier=roses, name="Rose")
    # when a storefront places an order of both
    response = make_staff_client(scopes=["write:orders"]).post(
        "/api/v1/orders", order_body((tulip, 5), (rose, 3)), format="json")
    # then the worker sends one email to each supplier
    assert response.status_code == 201, response.content
    assert worker.wait_for(2, name=SEND) == 2
    by_address = {tuple(m.to): m for m in mail.outbox}
    assert set(by_address) == {("orders@tulips.example",), ("sales@roses.example",)}
    assert "5 × Red tulip" in by_address[("orders@tulips.example",)].body
    assert "3 × Rose" in by_address[("sales@roses.example",)].body
    assert set(SupplierEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_nothing_is_sent_for_an_order_whose_transaction_rolled_back(worker):
    # given a supplier's product
    product = ProductFactory(supplier=SupplierFactory(contact_email="farm@example.com"))
    # when one order's transaction rolls back and a later one commits
    with pytest.raises(RuntimeError), transaction.atomic():
        commerce.order_place(email="a@example.com", items=[{"product_id": product.pk, "quantity": 1}],
                             shipping_address=ADDRESS, actor=Actor.system())
        raise RuntimeError("the checkout failed after the order")
    order = commerce.order_place(email="b@example.com", items=[{"product_id": product.pk, "quantity": 1}],
                                 shipping_address=ADDRESS, actor=Actor.system())
    # then only the committed order is announced (the worker runs tasks in order)
    assert worker.wait_for(1, name=SEND) == 1
    assert [m.subject for m in mail.outbox] == [f"New order {order.order_number}"]


def test_with_the_broker_unreachable_the_order_is_placed_and_the_sweep_emails_later(
        worker, make_staff_client, caplog):
    # given a supplier's product and a broker nobody answers on
    product = ProductFactory(supplier=SupplierFactory(contact_email="farm@example.com"))
    use_broker(CLOSED_PORT_BROKER)
    try:
        with caplog.at_level(logging.WARNING, logger="supplier.notifications"):
            response = make_staff_client(scopes=["write:orders"]).post(
                "/api/v1/orders", order_body((product, 2)), format="json")
    finally:
        use_broker(settings.CELERY_BROKER_URL)
    # then the order is placed, the email waits, and the failed publish is logged
    assert response.status_code == 201, response.content
    email = SupplierEmail.objects.get()
    assert (email.status, email.attempts) == ("pending", 0)
    assert any(f"Could not publish supplier email {email.pk}" in r.message for r in caplog.records)
    # when the broker is back and the sweep runs (a minute after nobody carried it)
    SupplierEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    sweep_pending_supplier_emails.delay()
    # then the email is sent, once
    assert worker.wait_for(1, name=SEND) == 1
    assert [m.to for m in mail.outbox] == [["farm@example.com"]]


def test_a_worker_that_starts_sweeps_emails_left_pending(worker):
    # given an email row no task carried, written two minutes ago
    product = ProductFactory(supplier=SupplierFactory(contact_email="late@example.com"))
    use_broker(CLOSED_PORT_BROKER)
    try:
        commerce.order_place(email="b@example.com", items=[{"product_id": product.pk, "quantity": 1}],
                             shipping_address=ADDRESS, actor=Actor.system())
    finally:
        use_broker(settings.CELERY_BROKER_URL)
    SupplierEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    # when a worker announces it is ready
    celery_signals.worker_ready.send(sender=None)
    # then the sweep it queues sends the email
    assert worker.wait_for(1, name=SEND) == 1
    assert [m.to for m in mail.outbox] == [["late@example.com"]]


def test_beat_runs_the_email_sweep_every_minute():
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "supplier.tasks.sweep_pending_supplier_emails"]
    assert entry["schedule"] == 60
    assert entry["task"] in celery_app.tasks

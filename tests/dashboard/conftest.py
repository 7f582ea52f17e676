"""Admin home fixtures: the staff roles as the data migration makes them, logins holding one
role, and a database with rows in (and just outside) every work queue."""
import datetime as dt
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from commerce import services as commerce_services
from commerce.actors import Actor
from commerce.models import Order, OrderGroup, Product
from tests.factories import ProductFactory, StaffUserFactory, SupplierFactory
from webhooks.models import Delivery, Event, Webhook

ROLES = ["Catalogue moderator", "Order desk", "Support", "Integrations", "Finance"]
ADDRESS = {"line1": "1 Dock Road", "line2": "Unit 4", "city": "Delft", "state": "ZH", "postal_code": "2611 AB",
           "country": "NL"}

_roles_migration = import_module("verso.migrations.0001_staff_roles")
_settlement_roles_migration = import_module("verso.migrations.0002_settlement_roles")


@pytest.fixture
def staff_roles(db) -> dict[str, Group]:
    """The role groups, as the data migrations set them (a transactional test before this
    one may have flushed the rows the migrations wrote)."""
    _roles_migration.set_roles(apps)
    _settlement_roles_migration.set_settlement_roles(apps)
    return {group.name: group for group in Group.objects.filter(name__in=ROLES)}


@pytest.fixture
def role_client(staff_roles):
    """role_client("Support") -> a client logged in as a staff user whose only permissions are that role's."""

    def make(role: str) -> Client:
        user = StaffUserFactory()
        user.groups.add(staff_roles[role])
        client = Client()
        client.user = user
        client.force_login(user)
        return client

    return make


def home_counts(html: str) -> dict[str, int]:
    """The work queues the admin home shows: queue key -> count."""
    return {key: int(count) for key, count in re.findall(
        r'data-queue="([\w-]+)">\s*<a href="[^"]+"><span class="verso-count[^"]*">(\d+)</span>', html)}


def home_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-queue="([\w-]+)">\s*<a href="([^"]+)"', html))


def _backdate(order: Order, days: float) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def queue_rows(db):
    """Rows in every queue, and beside each a row that just misses it; returns the expected counts."""
    staff = Actor.system()
    # Products: 2 waiting for approval (a deleted one no longer waits); 2 low on stock
    # (one of them out), none of the inactive or unapproved ones count.
    ProductFactory.create_batch(2, approval_status=Product.PENDING)
    gone = ProductFactory(approval_status=Product.PENDING)
    commerce_services.product_soft_delete(product=gone, actor=staff)
    ProductFactory(stock_qty=5, low_stock_threshold=10)
    ProductFactory(stock_qty=0)
    ProductFactory(stock_qty=10, low_stock_threshold=10, is_active=False)
    ProductFactory(stock_qty=3, approval_status=Product.REJECTED)
    plenty = ProductFactory(stock_qty=1000)
    # Suppliers: one waits for verification.
    SupplierFactory(is_verified=False, name="Unverified Blooms")
    # Orders: placed 4 days ago and paid (both queues: the order unshipped, its group pending);
    # placed 4 days ago and shipped (neither); placed yesterday and paid (neither: too early).
    old_paid = commerce_services.order_place(
        email="old@example.com", items=[{"product_id": plenty.pk, "quantity": 1}], shipping_address=ADDRESS,
        actor=staff,
    )
    commerce_services.order_transition(order=old_paid, to_status=Order.PAID, actor=staff)
    old_shipped = commerce_services.order_place(
        email="shipped@example.com", items=[{"product_id": plenty.pk, "quantity": 1}], shipping_address=ADDRESS,
        actor=staff,
    )
    commerce_services.order_transition(order=old_shipped, to_status=Order.PAID, actor=staff)
    commerce_services.order_transition(order=old_shipped, to_status=Order.SHIPPED, actor=staff)
    recent = commerce_services.order_place(
        email="recent@example.com", items=[{"product_id": plenty.pk, "quantity": 1}], shipping_address=ADDRESS,
        actor=staff,
    )
    commerce_services.order_transition(order=recent, to_status=Order.PAID, actor=staff)
    _backdate(old_paid, 4)
    _backdate(old_shipped, 4)
    _backdate(recent, 1)
    # Webhooks: one endpoint disabled after failures, one made inactive by staff (not a queue);
    # one delivery failed an hour ago, one two days ago, one succeeded.
    disabled = Webhook.objects.create(name="Down", url="https://down.example.com/hook", events=["order.created"],
                                      secret="whsec_x", is_active=False, disabled_at=timezone.now())
    Webhook.objects.create(name="Paused", url="https://paused.example.com/hook", events=["order.created"],
                           secret="whsec_y", is_active=False)
    event = Event.objects.create(type="order.created", data={})
    fresh, stale, ok = (
        Delivery.objects.create(webhook=disabled, event=event, event_type=event.type, status=status)
        for status in (Delivery.FAILED, Delivery.FAILED, Delivery.SUCCEEDED)
    )
    Delivery.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    Delivery.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    assert OrderGroup.objects.filter(order=old_paid, status=OrderGroup.PENDING).count() == 1
    return {
        "awaiting-approval": 2, "awaiting-verification": 1, "pending-48h": 1, "unshipped-3d": 1,
        "failed-24h": 1, "disabled": 1, "low-stock": 2,
    }

"""Settlement test helpers: orders placed and moved through the real services, lines dated into a month."""
import datetime as dt

import pytest

from commerce import services as commerce
from commerce.actors import Actor
from commerce.models import Order, OrderGroup
from settlement.models import StatementLine


def deliver(order: Order) -> Order:
    """Staff pay, ship and deliver the whole order (its groups move with it)."""
    for status in ("paid", "shipped", "delivered"):
        order = commerce.order_transition(order=order, to_status=status, actor=Actor.system())
    return order


def refund(order: Order) -> Order:
    return commerce.order_transition(order=order, to_status="refunded", actor=Actor.system())


def group_of(order: Order, supplier) -> OrderGroup:
    return OrderGroup.objects.get(order=order, supplier=supplier)


def date_lines(order: Order, when: dt.datetime, *, kind: str | None = None) -> None:
    """Say the order's lines were earned at ``when`` (a month other than the real one)."""
    lines = StatementLine.objects.filter(order_group__order=order)
    if kind:
        lines = lines.filter(kind=kind)
    lines.update(earned_at=when)


@pytest.fixture
def delivered_order(place_order):
    def make(*lines) -> Order:
        return deliver(place_order(*lines))

    return make

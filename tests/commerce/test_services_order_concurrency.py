"""Order cancellations running at the same time, each on its own PostgreSQL connection."""
import threading

import pytest
from django.db import connection

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, Product
from tests.commerce.conftest import ADDRESS
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import run_at_once


def _place(*products) -> Order:
    return services.order_place(
        email="x@example.com", items=[{"product_id": p.pk, "quantity": 1} for p in products],
        shipping_address=ADDRESS, actor=Actor.system(),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_orders_sharing_products_cancelled_at_once_do_not_deadlock():
    # given two orders over the same two suppliers' products, their groups made in opposite orders
    a = ProductFactory(stock_qty=10, supplier=SupplierFactory())
    b = ProductFactory(stock_qty=10, supplier=SupplierFactory())
    first, second = _place(a, b), _place(b, a)
    # and each cancellation pausing after it put back its first product, until the other has too
    # (with one lock order, the other is waiting on our row instead: the pause times out)
    both_restocked_one = threading.Barrier(2)
    paused = threading.local()

    def pause_after_first_restock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "commerce_product"') and not getattr(paused, "done", False):
            paused.done = True
            try:
                both_restocked_one.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass
        return result

    def cancel(order: Order) -> None:
        with connection.execute_wrapper(pause_after_first_restock):
            services.order_transition(order=order, to_status="cancelled", actor=Actor.system())

    # when (a "deadlock detected" in either thread fails the test)
    run_at_once(lambda: cancel(first), lambda: cancel(second))

    # then both went through and all the stock is back
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Product.objects.get(pk=a.pk).stock_qty == Product.objects.get(pk=b.pk).stock_qty == 10

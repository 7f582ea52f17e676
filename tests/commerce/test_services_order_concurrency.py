"""Order cancellations running at the same time, each on its own PostgreSQL connection."""
import pytest

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, Product
from tests.commerce.conftest import ADDRESS
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import Rendezvous, run_at_once


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
    # (with one lock order, the other is waiting on our row instead, and we go on at once)
    both_restocked_one = Rendezvous()

    def cancel(order: Order) -> None:
        with both_restocked_one.taking_part(at='UPDATE "commerce_product"', after=True):
            services.order_transition(order=order, to_status="cancelled", actor=Actor.system())

    # when (a "deadlock detected" in either thread fails the test)
    run_at_once(lambda: cancel(first), lambda: cancel(second))

    # then both went through and all the stock is back
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Product.objects.get(pk=a.pk).stock_qty == Product.objects.get(pk=b.pk).stock_qty == 10

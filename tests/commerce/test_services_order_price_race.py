"""An order is priced at what the catalogue said when its stock was taken."""
import pytest
from django.db import connection

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, Product
from tests.commerce.conftest import ADDRESS
from tests.factories import ProductFactory
from tests.helpers import run_at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_price_change_committed_while_the_order_is_being_placed_is_the_price_charged():
    # given a product at 10.00, repriced to 12.00 by someone else just before our order takes its stock
    product = ProductFactory(price=1000, stock_qty=5)

    def reprice_first(execute, sql, params, many, context):
        if sql.startswith('UPDATE "commerce_product"') and not getattr(reprice_first, "done", False):
            reprice_first.done = True
            run_at_once(lambda: Product.objects.filter(pk=product.pk).update(price=1200))
        return execute(sql, params, many, context)

    # when
    with connection.execute_wrapper(reprice_first):
        order = services.order_place(
            email="c@example.com", items=[{"product_id": product.pk, "quantity": 2}], shipping_address=ADDRESS,
            actor=Actor.system(),
        )

    # then the line, the group and the order all carry the new price
    order = Order.objects.get(pk=order.pk)
    assert order.items.get().unit_price == 1200
    assert order.subtotal_amount == order.total_amount == 2400

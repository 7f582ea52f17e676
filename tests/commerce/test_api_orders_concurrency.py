"""No oversell, ever: concurrent orders for the last items, each on its own database connection."""
import pytest

from commerce.models import Order, Product
from tests.commerce.conftest import ADDRESS
from tests.conftest import KeyedClient
from tests.factories import ProductFactory
from tests.helpers import run_at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_orders_for_five_items_sell_exactly_five(make_staff_client):
    # given a product with 5 in stock and a key allowed to write fast
    product = ProductFactory(stock_qty=5)
    key_client = make_staff_client(rate_limit_override="1000/m")
    body = {"email": "rush@example.com", "items": [{"product_id": product.pk, "quantity": 1}],
            "shipping_address": ADDRESS}

    def buy() -> int:
        client = KeyedClient(key_client.raw_key, key_client.api_key)
        return client.post("/api/v1/orders", body, format="json").status_code

    # when
    statuses = run_at_once(*[buy] * 20)

    # then
    assert sorted(statuses) == [201] * 5 + [422] * 15
    assert Product.objects.get(pk=product.pk).stock_qty == 0
    assert Order.objects.count() == 5
    numbers = list(Order.objects.values_list("order_number", flat=True))
    assert len(set(numbers)) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_over_shared_products_in_opposite_orders_do_not_deadlock(make_staff_client):
    # given two products bought together, listed in opposite orders by different buyers
    a, b = ProductFactory(stock_qty=100), ProductFactory(stock_qty=100)
    key_client = make_staff_client(rate_limit_override="1000/m")

    def buy(reverse: bool) -> int:
        client = KeyedClient(key_client.raw_key, key_client.api_key)
        items = [{"product_id": a.pk, "quantity": 1}, {"product_id": b.pk, "quantity": 1}]
        body = {"email": "x@example.com", "items": items[::-1] if reverse else items, "shipping_address": ADDRESS}
        return client.post("/api/v1/orders", body, format="json").status_code

    # when
    statuses = run_at_once(*[lambda reverse=(i % 2 == 0): buy(reverse) for i in range(10)])

    # then
    assert statuses == [201] * 10
    assert Product.objects.get(pk=a.pk).stock_qty == Product.objects.get(pk=b.pk).stock_qty == 90

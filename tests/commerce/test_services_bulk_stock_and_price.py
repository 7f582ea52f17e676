"""product_stock_and_price_bulk_update: the portal's stock table and CSV upload, through the
two bulk services, each item applied whole or not at all."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.actors import Actor
from commerce.bulk import product_stock_and_price_bulk_update
from commerce.models import Product
from tests.factories import ProductFactory, SupplierFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def test_a_row_whose_price_is_refused_keeps_its_old_stock_and_the_other_rows_are_applied():
    # given two products of a supplier
    supplier = SupplierFactory()
    rose = ProductFactory(supplier=supplier, sku="ROSE", stock_qty=10, price=100)
    lily = ProductFactory(supplier=supplier, sku="LILY", stock_qty=20, price=200)
    # when one row sets good stock and a bad price, the other good values
    result = product_stock_and_price_bulk_update(supplier_id=supplier.pk, actor=Actor.supplier(supplier.pk), items=[
        {"sku": "ROSE", "stock_qty": 99, "base_price": 1.234},
        {"sku": "LILY", "stock_qty": 5, "base_price": 2.5},
    ])
    # then the bad row is reported and left as it was; the good row is applied
    assert result == {"updated": 1, "failed": 1, "errors": [
        {"index": 0, "sku": "ROSE",
         "error": "base_price: Must be a number of euros with at most 2 decimals, such as 2.5."}]}
    rose.refresh_from_db()
    lily.refresh_from_db()
    assert (rose.stock_qty, rose.price) == (10, 100)
    assert (lily.stock_qty, lily.price) == (5, 250)
    # and only the applied row's changes are events (its stock, then its price: one per service)
    assert [e.data["id"] for e in Event.objects.filter(type="product.updated")] == [lily.pk, lily.pk]


def test_another_suppliers_product_is_not_found_and_not_changed():
    mine, theirs = SupplierFactory(), SupplierFactory()
    other = ProductFactory(supplier=theirs, sku="SAME", stock_qty=7)
    ProductFactory(supplier=mine, sku="MINE", stock_qty=1)
    result = product_stock_and_price_bulk_update(supplier_id=mine.pk, actor=Actor.supplier(mine.pk), items=[
        {"product_id": other.pk, "stock_qty": 0}, {"sku": "SAME", "stock_qty": 0}, {"sku": "MINE", "stock_qty": 3},
    ])
    assert [e["error"] for e in result["errors"]] == ["Product not found", "Product not found"]
    assert result["updated"] == 1
    other.refresh_from_db()
    assert other.stock_qty == 7


def test_an_item_with_neither_stock_nor_price_is_refused():
    supplier = SupplierFactory()
    ProductFactory(supplier=supplier, sku="ROSE")
    result = product_stock_and_price_bulk_update(supplier_id=supplier.pk, actor=Actor.supplier(supplier.pk),
                                                 items=[{"sku": "ROSE"}])
    assert result["errors"] == [{"index": 0, "sku": "ROSE", "error": "Give stock_qty or base_price."}]


def test_the_same_number_of_queries_for_5_items_as_for_100_with_a_bad_one():
    supplier = SupplierFactory()
    products = [ProductFactory(supplier=supplier) for _ in range(100)]

    def queries(count: int) -> int:
        items = [{"product_id": p.pk, "stock_qty": 3, "base_price": 1.5} for p in products[:count]]
        items[0]["stock_qty"] = -1
        with CaptureQueriesContext(connection) as captured:
            product_stock_and_price_bulk_update(supplier_id=supplier.pk, actor=Actor.supplier(supplier.pk),
                                                items=items)
        return len(captured)

    assert queries(5) == queries(100)
    assert Product.objects.filter(stock_qty=3, price=150).count() == 99


def test_a_product_named_twice_points_at_its_first_row_in_the_callers_words():
    supplier = SupplierFactory()
    ProductFactory(supplier=supplier, sku="ROSE", stock_qty=1)
    result = product_stock_and_price_bulk_update(
        supplier_id=supplier.pk, actor=Actor.supplier(supplier.pk), describe_item=lambda index: f"line {index + 2}",
        items=[{"sku": "ROSE", "base_price": 1}, {"sku": "ROSE", "stock_qty": 4, "base_price": 2}])
    assert result["errors"] == [{"index": 1, "sku": "ROSE", "error": "The same product as line 2."}]

"""Supplier API bulk updates: POST /stock and POST /prices apply the valid items, report the others."""
import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.models import Product
from commerce.services import product_payload
from tests.conftest import KeyedClient
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import run_at_once
from verso.api.renderers import dumps
from webhooks.models import Event

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/supplier/stock"
PRICES = "/api/v1/supplier/prices"
BAD_STOCK = "stock_qty: Must be a whole number from 0 to 2147483647."


def make_products(supplier, count: int, *, stock_qty: int = 10, price: int = 100) -> list[Product]:
    """``count`` live products of ``supplier`` in one INSERT, SKUs BULK-00000 … in id order."""
    Product.objects.bulk_create([
        Product(supplier=supplier, name=f"Bulk {n}", slug=f"bulk-{supplier.pk}-{n}", sku=f"BULK-{n:05d}",
                price=price, stock_qty=stock_qty, approval_status=Product.APPROVED)
        for n in range(count)
    ])
    return list(Product.objects.filter(supplier=supplier).order_by("pk"))


def stock_of(*products) -> list[int]:
    values = dict(Product.objects.filter(pk__in=[p.pk for p in products]).values_list("pk", "stock_qty"))
    return [values[p.pk] for p in products]


def price_of(product) -> int:
    return Product.objects.values_list("price", flat=True).get(pk=product.pk)


def assert_supplier_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    return body


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def client(make_supplier_client, supplier):
    return make_supplier_client(supplier, rate_limit_override="1000/h")


# --- POST /stock ---------------------------------------------------------------------------


def test_the_contracts_stock_example_updates_two_and_reports_the_unknown_sku(client, supplier):
    # given
    first = ProductFactory(supplier=supplier, stock_qty=1)
    rose = ProductFactory(supplier=supplier, sku="ROSE-RED-001", stock_qty=1)
    # when
    response = client.post(STOCK, {"items": [
        {"product_id": first.pk, "stock_qty": 500},
        {"sku": "ROSE-RED-001", "stock_qty": 250},
        {"sku": "LILY-WHT-003", "stock_qty": 0},
    ]}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True, "data": {
        "updated": 2, "failed": 1, "errors": [{"index": 2, "sku": "LILY-WHT-003", "error": "Product not found"}],
    }}
    assert stock_of(first, rose) == [500, 250]


def test_a_stock_update_emits_one_product_updated_event_per_changed_product(client, supplier):
    # given one product whose stock changes and one already at the value asked for
    changing, same = ProductFactory(supplier=supplier, stock_qty=5), ProductFactory(supplier=supplier, stock_qty=7)
    # when
    response = client.post(STOCK, {"items": [{"product_id": changing.pk, "stock_qty": 0},
                                             {"product_id": same.pk, "stock_qty": 7}]}, format="json")
    # then both count as updated, but only the real change is an event
    assert response.json()["data"] == {"updated": 2, "failed": 0, "errors": []}
    events = list(Event.objects.filter(type="product.updated"))
    assert len(events) == 1
    assert events[0].data["id"] == changing.pk
    assert events[0].data["inventory_count"] == 0
    assert events[0].data["stock_status"] == "out_of_stock"
    assert events[0].data["previous_attributes"] == {"inventory_count": 5, "stock_status": "low_stock"}


def test_a_bulk_updates_event_carries_the_products_whole_representation_as_a_single_update_would(client, supplier):
    # given a product with every optional field set
    product = ProductFactory(supplier=supplier, stock_qty=5, sku="FULL-1", color="red", stem_length=60,
                             country_of_origin="NL")
    # when its stock is set in bulk
    client.post(STOCK, {"items": [{"sku": "FULL-1", "stock_qty": 80}]}, format="json")
    # then the event is the product as the API shows it now, plus what changed
    product.refresh_from_db()
    event = Event.objects.get(type="product.updated")
    expected = orjson.loads(dumps(product_payload(product)))
    assert {**event.data, "previous_attributes": None} == {**expected, "previous_attributes": None}
    assert event.data["previous_attributes"] == {"inventory_count": 5, "stock_status": "low_stock"}


def test_another_suppliers_product_is_not_found_by_id_or_sku_and_stays_unchanged(client, supplier):
    # given another supplier's product, the operator's own, a deleted one of ours, and one of ours
    theirs = ProductFactory(sku="SHARED-1", stock_qty=10)
    operators = ProductFactory(supplier=None, sku="OPS-1", stock_qty=10)
    deleted = ProductFactory(supplier=supplier, sku="GONE-1", stock_qty=10, deleted_at=timezone.now())
    mine = ProductFactory(supplier=supplier, sku="MINE-1", stock_qty=10)
    # when
    response = client.post(STOCK, {"items": [
        {"product_id": theirs.pk, "stock_qty": 1},
        {"sku": "SHARED-1", "stock_qty": 1},
        {"sku": "OPS-1", "stock_qty": 1},
        {"product_id": operators.pk, "stock_qty": 1},
        {"sku": "GONE-1", "stock_qty": 1},
        {"product_id": 9_223_372_036_854_775_807, "stock_qty": 1},
        {"sku": "MINE-1", "stock_qty": 1},
    ]}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"updated": 1, "failed": 6, "errors": [
        {"index": 0, "product_id": theirs.pk, "error": "Product not found"},
        {"index": 1, "sku": "SHARED-1", "error": "Product not found"},
        {"index": 2, "sku": "OPS-1", "error": "Product not found"},
        {"index": 3, "product_id": operators.pk, "error": "Product not found"},
        {"index": 4, "sku": "GONE-1", "error": "Product not found"},
        {"index": 5, "product_id": 9_223_372_036_854_775_807, "error": "Product not found"},
    ]}
    assert stock_of(theirs, operators, deleted, mine) == [10, 10, 10, 1]
    assert list(Event.objects.values_list("data__id", flat=True)) == [mine.pk]


@pytest.mark.parametrize("item, echoed, message", [
    ({"stock_qty": 3}, {}, "Give product_id or sku."),
    ({"product_id": "ID", "sku": "MINE-1", "stock_qty": 3}, {"product_id": "ID", "sku": "MINE-1"},
     "Give product_id or sku, not both."),
    ({"sku": "MINE-1"}, {"sku": "MINE-1"}, "stock_qty: This field is required."),
    ({"sku": "MINE-1", "stock_qty": -1}, {"sku": "MINE-1"}, BAD_STOCK),
    ({"sku": "MINE-1", "stock_qty": "5"}, {"sku": "MINE-1"}, BAD_STOCK),
    ({"sku": "MINE-1", "stock_qty": 2.5}, {"sku": "MINE-1"}, BAD_STOCK),
    ({"sku": "MINE-1", "stock_qty": True}, {"sku": "MINE-1"}, BAD_STOCK),
    ({"sku": "MINE-1", "stock_qty": 2_147_483_648}, {"sku": "MINE-1"}, BAD_STOCK),
    ({"product_id": "7", "stock_qty": 3}, {"product_id": "7"}, "product_id: Must be a whole number."),
    ({"product_id": 0, "stock_qty": 3}, {"product_id": 0}, "Product not found"),
    ({"sku": 7, "stock_qty": 3}, {"sku": 7}, "sku: Must be a string."),
    ({"sku": "  ", "stock_qty": 3}, {"sku": "  "}, "sku: Must not be blank."),
    ({"sku": "MINE\u00001", "stock_qty": 3}, {"sku": "MINE\u00001"}, "Product not found"),  # PostgreSQL: no NUL
    ({"sku": "MINE-1", "stock_qty": 3, "base_price": 2}, {"sku": "MINE-1"}, "Unknown field: base_price."),
    ("MINE-1", {}, "Must be an object with product_id or sku, and stock_qty."),
    (None, {}, "Must be an object with product_id or sku, and stock_qty."),
])
def test_a_malformed_item_fails_alone_and_the_others_apply(client, supplier, item, echoed, message):
    # given
    mine, other = ProductFactory(supplier=supplier, sku="MINE-1", stock_qty=10), ProductFactory(supplier=supplier)
    # when
    response = client.post(STOCK, {"items": [{"product_id": other.pk, "stock_qty": 42}, item]}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"updated": 1, "failed": 1, "errors": [{"index": 1, **echoed, "error": message}]}
    assert list(response.json()["data"]["errors"][0]) == ["index", *echoed, "error"]
    assert stock_of(mine, other) == [10, 42]


def test_a_product_named_twice_is_set_by_the_first_item_and_the_second_fails(client, supplier):
    product = ProductFactory(supplier=supplier, sku="TWICE", stock_qty=10)
    response = client.post(STOCK, {"items": [{"sku": "TWICE", "stock_qty": 1},
                                             {"product_id": product.pk, "stock_qty": 2}]}, format="json")
    assert response.json()["data"] == {"updated": 1, "failed": 1, "errors": [
        {"index": 1, "product_id": product.pk, "error": "The same product as item 0."}]}
    assert stock_of(product) == [1]


@pytest.mark.parametrize("body, detail", [
    ({"items": []}, "items"),
    ({}, "items"),
    ({"items": {"sku": "MINE-1", "stock_qty": 1}}, "items"),
    ({"items": "MINE-1"}, "items"),
    ({"items": [{"sku": "MINE-1", "stock_qty": 1}], "dry_run": True}, "dry_run"),
])
def test_a_body_that_is_not_a_list_of_items_is_a_422_and_nothing_changes(client, supplier, body, detail):
    product = ProductFactory(supplier=supplier, sku="MINE-1", stock_qty=10)
    response = client.post(STOCK, body, format="json")
    assert detail in assert_supplier_error(response, 422, "VALIDATION_ERROR")["error"]["details"]
    assert stock_of(product) == [10]


def test_a_body_that_is_not_a_json_object_is_refused_whole(client, supplier):
    product = ProductFactory(supplier=supplier, sku="MINE-1", stock_qty=10)
    response = client.post(STOCK, [{"sku": "MINE-1", "stock_qty": 1}], format="json")
    assert_supplier_error(response, 422, "VALIDATION_ERROR")
    assert stock_of(product) == [10]


def test_501_items_are_a_422_and_none_is_applied(client, supplier):
    products = make_products(supplier, 501)
    items = [{"product_id": p.pk, "stock_qty": 7} for p in products]
    body = assert_supplier_error(client.post(STOCK, {"items": items}, format="json"), 422, "VALIDATION_ERROR")
    assert "items" in body["error"]["details"]
    assert set(stock_of(*products)) == {10}
    assert not Event.objects.exists()


def test_exactly_500_items_are_all_applied(client, supplier):
    products = make_products(supplier, 500)
    items = [{"sku": p.sku, "stock_qty": n} for n, p in enumerate(products)]
    response = client.post(STOCK, {"items": items}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"updated": 500, "failed": 0, "errors": []}
    assert stock_of(*products) == list(range(500))
    assert Event.objects.filter(type="product.updated").count() == 499  # item 10 set 10: no change, no event


def _queries_for_bulk(client, path: str, items: list) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, {"items": items}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["updated"] == len(items)
    return len(captured)


@pytest.mark.postgres  # SQLite caps the parameters of one statement, so Django splits the UPDATE there
@pytest.mark.parametrize("path, field, values", [
    (STOCK, "stock_qty", (3, 4)),
    (PRICES, "base_price", (2.5, 3.75)),
])
def test_500_items_cost_the_same_queries_as_5(client, supplier, path, field, values):
    # given 505 products, and a warm key (its first use may record last_used_at)
    products = make_products(supplier, 505)
    client.get("/api/v1/supplier/orders")
    few, many = products[:5], products[5:]
    # when
    few_queries = _queries_for_bulk(client, path, [{"product_id": p.pk, field: values[0]} for p in few])
    many_queries = _queries_for_bulk(
        client, path, [{"sku": p.sku, field: values[n % 2]} for n, p in enumerate(many)]
    )
    # then
    assert few_queries == many_queries
    assert Event.objects.filter(type="product.updated").count() == 505


# --- POST /prices --------------------------------------------------------------------------


def test_the_contracts_price_example_sets_prices_in_cents(client, supplier):
    # given
    first = ProductFactory(supplier=supplier, price=250)
    rose = ProductFactory(supplier=supplier, sku="ROSE-RED-001", price=250)
    # when
    response = client.post(PRICES, {"items": [{"product_id": first.pk, "base_price": 2.75},
                                              {"sku": "ROSE-RED-001", "base_price": 3.10}]}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"success": True, "data": {"updated": 2, "failed": 0, "errors": []}}
    assert (price_of(first), price_of(rose)) == (275, 310)
    event = Event.objects.get(type="product.updated", data__id=first.pk)
    assert (event.data["price"], event.data["previous_attributes"]) == (275, {"price": 250})


@pytest.mark.parametrize("base_price", [2.555, -1, "2.50", True, None, 21_474_836.48])
def test_a_bad_price_fails_its_item_only(client, supplier, base_price):
    mine, other = ProductFactory(supplier=supplier, sku="MINE-1", price=100), ProductFactory(supplier=supplier)
    response = client.post(PRICES, {"items": [{"sku": "MINE-1", "base_price": base_price},
                                              {"product_id": other.pk, "base_price": 9}]}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["updated"], data["failed"]) == (1, 1)
    assert data["errors"][0]["index"] == 0 and data["errors"][0]["sku"] == "MINE-1"
    assert data["errors"][0]["error"].startswith("base_price: Must be")
    assert (price_of(mine), price_of(other)) == (100, 900)


def test_another_suppliers_product_keeps_its_price(client):
    theirs = ProductFactory(sku="THEIRS", price=100)
    response = client.post(PRICES, {"items": [{"sku": "THEIRS", "base_price": 1},
                                              {"product_id": theirs.pk, "base_price": 1}]}, format="json")
    assert response.json()["data"] == {"updated": 0, "failed": 2, "errors": [
        {"index": 0, "sku": "THEIRS", "error": "Product not found"},
        {"index": 1, "product_id": theirs.pk, "error": "Product not found"},
    ]}
    assert price_of(theirs) == 100
    assert not Event.objects.exists()


def test_a_new_price_resubmits_a_rejected_product_for_approval(client, supplier):
    # as a supplier's edit through POST /products/{id} does
    rejected = ProductFactory(supplier=supplier, approval_status=Product.REJECTED, rejection_reason="Too cheap")
    client.post(PRICES, {"items": [{"product_id": rejected.pk, "base_price": 99}]}, format="json")
    assert Product.objects.values_list("price", "approval_status").get(pk=rejected.pk) == (9900, "pending")


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_bulk_updates_over_the_same_products_in_opposite_orders_do_not_deadlock(make_supplier_client):
    # given 100 products and requests naming them in opposite orders
    supplier = SupplierFactory()
    products = make_products(supplier, 100)
    key_client = make_supplier_client(supplier, rate_limit_override="1000/h")

    def update(value: int, reverse: bool) -> int:
        client = KeyedClient(key_client.raw_key, key_client.api_key)
        items = [{"product_id": p.pk, "stock_qty": value} for p in products]
        response = client.post(STOCK, {"items": items[::-1] if reverse else items}, format="json")
        return response.status_code

    # when
    statuses = run_at_once(*[lambda n=n: update(n, reverse=n % 2 == 1) for n in range(1, 7)])
    # then every request went through, and the last one set every product (whole requests, one after another)
    assert statuses == [200] * 6
    final = set(stock_of(*products))
    assert len(final) == 1 and final <= set(range(1, 7))
    assert Event.objects.filter(type="product.updated").count() >= 100

"""Staff API orders: place, list, filter, read, move through the lifecycle; envelopes and scopes."""
import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce import state
from commerce.models import Order, OrderGroup, Product, StatusChange
from tests.commerce.conftest import ADDRESS
from tests.commerce.contract import ORDER_DETAIL, ORDER_LIST_ITEM, PAGINATION, assert_matches_contract
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

ORDER_STATUSES = [s for s, _ in Order.STATUS_CHOICES]
GROUP_STATUSES = [s for s, _ in OrderGroup.STATUS_CHOICES]


def _order_body(*lines, email="customer@example.com"):
    return {
        "email": email,
        "items": [{"product_id": product.pk, "quantity": quantity} for product, quantity in lines],
        "shipping_address": ADDRESS,
    }


# --- POST /api/v1/orders -----------------------------------------------------------------


def test_placing_an_order_answers_201_with_id_number_and_message(staff_client):
    # given
    product = ProductFactory(price=1499, stock_qty=5)
    # when
    response = staff_client.post("/api/v1/orders", _order_body((product, 2)), format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    assert body == {"id": order.pk, "order_number": order.order_number, "message": "Order created successfully"}
    assert order.total_amount == 2998
    assert Product.objects.get(pk=product.pk).stock_qty == 3


def test_the_client_cannot_set_prices(staff_client):
    product = ProductFactory(price=1499)
    body = _order_body((product, 1))
    body["items"][0]["unit_price"] = 1
    body["total_amount"] = 1
    response = staff_client.post("/api/v1/orders", body, format="json")
    assert response.status_code == 422
    assert response.json()["details"] == {"items.0.unit_price": "Unknown field.", "total_amount": "Unknown field."}
    assert not Order.objects.exists()
    assert staff_client.post("/api/v1/orders", _order_body((product, 1)), format="json").status_code == 201
    assert Order.objects.get().total_amount == 1499


def test_a_bad_item_is_a_422_naming_its_index_and_nothing_is_taken(staff_client):
    # given
    ok, pending = ProductFactory(stock_qty=5), ProductFactory(approval_status=Product.PENDING)
    scarce = ProductFactory(stock_qty=1)
    # when
    response = staff_client.post("/api/v1/orders", _order_body((ok, 1), (pending, 1), (scarce, 2)), format="json")
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert set(body["details"]) == {"items.1.product_id", "items.2.quantity"}
    assert Product.objects.get(pk=ok.pk).stock_qty == 5
    assert not Order.objects.exists()


def test_a_malformed_order_body_is_a_422_naming_the_fields(staff_client):
    product = ProductFactory()
    response = staff_client.post(
        "/api/v1/orders",
        {"email": "not-an-email", "items": [{"product_id": product.pk, "quantity": 0}],
         "shipping_address": {"line1": "x"}},
        format="json",
    )
    assert response.status_code == 422
    details = response.json()["details"]
    assert {"email", "items.0.quantity", "shipping_address.city", "shipping_address.postal_code",
            "shipping_address.country"} <= set(details)


def test_an_order_without_items_is_refused(staff_client):
    response = staff_client.post("/api/v1/orders", {"email": "a@example.com", "items": [],
                                                    "shipping_address": ADDRESS}, format="json")
    assert response.status_code == 422
    assert "items" in response.json()["details"]


def test_an_order_of_more_than_100_lines_is_refused_and_takes_nothing(staff_client):
    products = [ProductFactory(stock_qty=5) for _ in range(101)]
    response = staff_client.post("/api/v1/orders", _order_body(*[(p, 1) for p in products]), format="json")
    assert response.status_code == 422
    assert "items" in response.json()["details"]
    assert not Order.objects.exists()
    assert set(Product.objects.values_list("stock_qty", flat=True)) == {5}


def test_a_repeated_idempotency_key_places_the_order_once(staff_client):
    product = ProductFactory(stock_qty=5)
    body = _order_body((product, 1))
    first = staff_client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = staff_client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_qty == 4


@pytest.mark.parametrize("method, path, scope", [
    ("get", "/api/v1/orders", "read:orders"),
    ("get", "/api/v1/orders/{id}", "read:orders"),
    ("post", "/api/v1/orders", "write:orders"),
    ("patch", "/api/v1/orders/{id}", "write:orders"),
    ("patch", "/api/v1/orders/{id}/groups/{group}", "write:orders"),
])
def test_each_order_endpoint_needs_its_scope(make_staff_client, place_order, method, path, scope):
    # given a key with every scope but the one needed
    from verso.api.scopes import ALL_SCOPES

    order = place_order((ProductFactory(), 1))
    client = make_staff_client(scopes=[s for s in ALL_SCOPES if s != scope])
    url = path.format(id=order.pk, group=order.groups.get().pk)
    # when
    response = getattr(client, method)(url, {}, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert scope in response.json()["error"]


def test_a_supplier_key_cannot_use_the_staff_orders_api(make_supplier_client):
    client = make_supplier_client(SupplierFactory())
    assert client.get("/api/v1/orders").status_code == 403


def test_orders_need_a_key(anon_client):
    response = anon_client.get("/api/v1/orders")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


# --- GET /api/v1/orders -------------------------------------------------------------------


def test_the_order_list_matches_the_contract_key_for_key(staff_client, place_order):
    # given
    place_order((ProductFactory(price=1499), 2), (ProductFactory(), 3))
    # when
    response = staff_client.get("/api/v1/orders")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "pagination"}
    assert_matches_contract(body["pagination"], PAGINATION)
    assert_matches_contract(body["data"][0], ORDER_LIST_ITEM)
    item = body["data"][0]
    assert item["items_count"] == 5  # units ordered, as in the contract's example
    assert item["tracking_number"] is None
    assert item["currency"] == "eur"


def test_orders_are_listed_newest_first_and_paginated(staff_client, place_order):
    product = ProductFactory()
    orders = [place_order((product, 1)) for _ in range(3)]
    body = staff_client.get("/api/v1/orders?per_page=2&page=1").json()
    assert [o["id"] for o in body["data"]] == [orders[2].pk, orders[1].pk]
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    past_the_end = staff_client.get("/api/v1/orders?per_page=2&page=5").json()
    assert past_the_end == {"data": [], "pagination": {"page": 5, "per_page": 2, "total": 3, "pages": 2}}


def test_orders_filter_by_status(staff_client, place_order):
    product = ProductFactory()
    pending, paid = place_order((product, 1)), place_order((product, 1))
    staff_client.patch(f"/api/v1/orders/{paid.pk}", {"status": "paid"}, format="json")
    body = staff_client.get("/api/v1/orders?status=paid").json()
    assert [o["id"] for o in body["data"]] == [paid.pk]
    assert [o["id"] for o in staff_client.get("/api/v1/orders?status=pending").json()["data"]] == [pending.pk]


def test_orders_filter_by_creation_time(staff_client, place_order):
    # given one old and one new order
    product = ProductFactory()
    old, new = place_order((product, 1)), place_order((product, 1))
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    cutoff = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # when / then
    after = staff_client.get("/api/v1/orders", {"created_after": cutoff}).json()["data"]
    before = staff_client.get("/api/v1/orders", {"created_before": cutoff}).json()["data"]
    assert [o["id"] for o in after] == [new.pk]
    assert [o["id"] for o in before] == [old.pk]
    day = (timezone.now() - timedelta(days=5)).date().isoformat()
    assert [o["id"] for o in staff_client.get(f"/api/v1/orders?created_after={day}").json()["data"]] == [new.pk]
    # a bare date is a whole (UTC) day at both ends, as for leads
    today = timezone.now().date().isoformat()
    same_day = staff_client.get("/api/v1/orders", {"created_after": today, "created_before": today}).json()["data"]
    assert [o["id"] for o in same_day] == [new.pk]


@pytest.mark.parametrize("query, name", [
    ("status=lost", "status"),
    ("created_after=yesterday", "created_after"),
    ("created_before=2024-13-45", "created_before"),
    ("created_after=2024-12-02&created_before=2024-12-01", "created_before"),
    ("created_after=2024-12-01T10:00:01Z&created_before=2024-12-01T10:00:00Z", "created_before"),
    ("sort=email", "sort"),
    ("order=sideways", "order"),
    ("page=0", "page"),
    ("per_page=abc", "per_page"),
])
def test_bad_order_list_parameters_are_a_400_naming_them(staff_client, query, name):
    response = staff_client.get(f"/api/v1/orders?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert name in body["details"]


def test_orders_sort_by_total(staff_client, place_order):
    cheap, dear = ProductFactory(price=100), ProductFactory(price=900)
    a, b = place_order((dear, 1)), place_order((cheap, 1))
    ids = [o["id"] for o in staff_client.get("/api/v1/orders?sort=total_amount&order=asc").json()["data"]]
    assert ids == [b.pk, a.pk]


def test_the_order_list_costs_the_same_queries_for_1_and_100_rows(staff_client, place_order):
    # given many orders, each with several items, and a warm key cache
    products = [ProductFactory() for _ in range(3)]
    for _ in range(30):
        place_order(*[(p, 1) for p in products])
    staff_client.get("/api/v1/orders?per_page=1")
    # when
    with CaptureQueriesContext(connection) as one:
        assert len(staff_client.get("/api/v1/orders?per_page=1").json()["data"]) == 1
    with CaptureQueriesContext(connection) as hundred:
        assert len(staff_client.get("/api/v1/orders?per_page=100&status=pending").json()["data"]) == 30
    # then
    assert len(one) == len(hundred) == 1


# --- GET /api/v1/orders/{id} -------------------------------------------------------------


def test_an_orders_detail_matches_the_contract_key_for_key(staff_client, place_order):
    # given
    product = ProductFactory(name="Premium Widget", price=1499)
    order = place_order((product, 2))
    # when
    response = staff_client.get(f"/api/v1/orders/{order.pk}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert_matches_contract(body, ORDER_DETAIL)
    assert body["shipping_address"] == ORDER_DETAIL["shipping_address"]
    assert set(body["shipping_address"]) == set(ORDER_DETAIL["shipping_address"])
    line = body["items"][0]
    assert (line["product_id"], line["product_name"], line["quantity"], line["unit_price"]) == (
        product.pk, "Premium Widget", 2, 1499)
    assert body["total_amount"] == body["subtotal_amount"] == 2998
    assert body["tax_amount"] == 520  # 21 % VAT inside 29.98
    assert body["status"] == "pending"
    assert body["groups"][0]["supplier_id"] == product.supplier_id


def test_an_unknown_order_is_a_404_in_the_staff_envelope(staff_client):
    response = staff_client.get("/api/v1/orders/999999")
    assert response.status_code == 404
    assert response.json() == {"error": "Order not found", "code": "NOT_FOUND"}
    assert staff_client.patch("/api/v1/orders/999999", {"status": "paid"}, format="json").status_code == 404


def test_an_orders_detail_costs_one_query_whatever_its_size(staff_client, place_order):
    small = place_order((ProductFactory(), 1))
    big = place_order(*[(ProductFactory(), 1) for _ in range(12)])
    staff_client.get(f"/api/v1/orders/{small.pk}")
    with CaptureQueriesContext(connection) as for_small:
        staff_client.get(f"/api/v1/orders/{small.pk}")
    with CaptureQueriesContext(connection) as for_big:
        staff_client.get(f"/api/v1/orders/{big.pk}")
    assert len(for_small) == len(for_big) == 1  # items and groups ride along as JSON arrays
    body = staff_client.get(f"/api/v1/orders/{big.pk}").json()
    assert [item["id"] for item in body["items"]] == sorted(item["id"] for item in body["items"])
    assert len(body["items"]) == 12


# --- PATCH /api/v1/orders/{id} ------------------------------------------------------------


def test_the_contracts_patch_example_ships_a_paid_order(staff_client, place_order):
    # given
    order = place_order((ProductFactory(), 1))
    staff_client.patch(f"/api/v1/orders/{order.pk}", {"status": "paid"}, format="json")
    # when
    response = staff_client.patch(
        f"/api/v1/orders/{order.pk}", {"status": "shipped", "tracking_number": "1Z999AA10123456784"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json() == {"id": order.pk, "message": "Order updated successfully"}
    detail = staff_client.get(f"/api/v1/orders/{order.pk}").json()
    assert (detail["status"], detail["tracking_number"]) == ("shipped", "1Z999AA10123456784")
    change = StatusChange.objects.filter(order=order).latest("id")
    assert change.actor_api_key_id == staff_client.api_key.pk


@pytest.mark.parametrize(
    "from_status, to_status", list(itertools.product(ORDER_STATUSES, ORDER_STATUSES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(ORDER_STATUSES, ORDER_STATUSES)],
)
def test_patching_an_orders_status_follows_the_lifecycle(staff_client, place_order, from_status, to_status):
    # given
    order = place_order((ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(status=from_status)
    allowed = state.ORDER_TRANSITIONS[from_status]
    # when
    response = staff_client.patch(f"/api/v1/orders/{order.pk}", {"status": to_status}, format="json")
    # then
    order.refresh_from_db()
    if to_status in allowed:
        assert response.status_code == 200, response.content
        assert order.status == to_status
    else:
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "VALIDATION_ERROR"
        assert body["details"]["allowed"] == allowed
        for target in allowed:
            assert target in body["error"]
        assert order.status == from_status


def test_an_unknown_status_is_a_422(staff_client, place_order):
    order = place_order((ProductFactory(), 1))
    response = staff_client.patch(f"/api/v1/orders/{order.pk}", {"status": "teleported"}, format="json")
    assert response.status_code == 422
    assert "status" in response.json()["details"]


def test_fulfillment_status_and_tracking_can_be_set_alone(staff_client, place_order):
    order = place_order((ProductFactory(), 1))
    response = staff_client.patch(
        f"/api/v1/orders/{order.pk}", {"fulfillment_status": "shipped", "tracking_number": "TRK1"}, format="json"
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status, order.tracking_number) == ("pending", "shipped", "TRK1")
    bad = staff_client.patch(f"/api/v1/orders/{order.pk}", {"fulfillment_status": "lost"}, format="json")
    assert bad.status_code == 422


def test_an_empty_patch_is_a_422(staff_client, place_order):
    order = place_order((ProductFactory(), 1))
    assert staff_client.patch(f"/api/v1/orders/{order.pk}", {}, format="json").status_code == 422


def test_cancelling_through_the_api_restocks(staff_client, place_order):
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 7))
    response = staff_client.patch(f"/api/v1/orders/{order.pk}", {"status": "cancelled"}, format="json")
    assert response.status_code == 200
    assert Product.objects.get(pk=product.pk).stock_qty == 10


def test_shipping_an_order_through_the_api_ships_its_pending_groups_but_not_a_cancelled_one(
    make_staff_client, place_order,
):
    # given a paid order of two suppliers, one of whom cancelled its part
    client = make_staff_client(scopes=["write:orders"])
    kept, dropped = ProductFactory(stock_qty=10), ProductFactory(stock_qty=10)
    order = place_order((kept, 2), (dropped, 3))
    assert client.patch(f"/api/v1/orders/{order.pk}", {"status": "paid"}, format="json").status_code == 200
    cancelled = order.groups.get(supplier=dropped.supplier)
    assert client.patch(f"/api/v1/orders/{order.pk}/groups/{cancelled.pk}", {"status": "cancelled"},
                        format="json").status_code == 200
    pending = order.groups.get(supplier=kept.supplier)
    # when
    response = client.patch(f"/api/v1/orders/{order.pk}", {"status": "shipped", "tracking_number": "T1"},
                            format="json")
    # then
    assert response.status_code == 200, response.content
    assert OrderGroup.objects.get(pk=pending.pk).status == "shipped"
    assert OrderGroup.objects.get(pk=cancelled.pk).status == "cancelled"
    change = StatusChange.objects.filter(group=pending).get()
    assert (change.from_status, change.to_status, change.comment, change.actor_api_key_id) == (
        "pending", "shipped", "Moved with the order to shipped", client.api_key.pk)
    assert Order.objects.get(pk=order.pk).fulfillment_status == "shipped"
    assert Product.objects.get(pk=dropped.pk).stock_qty == 10


# --- PATCH /api/v1/orders/{id}/groups/{group_id} ------------------------------------------


@pytest.mark.parametrize(
    "from_status, to_status", list(itertools.product(GROUP_STATUSES, GROUP_STATUSES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(GROUP_STATUSES, GROUP_STATUSES)],
)
def test_patching_a_groups_status_follows_the_group_lifecycle(staff_client, place_order, from_status, to_status):
    # given a group of a paid order
    order = place_order((ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(status="paid")
    group = order.groups.get()
    OrderGroup.objects.filter(pk=group.pk).update(status=from_status)
    allowed = state.group_allowed_targets(from_status, staff=True)
    # when
    response = staff_client.patch(f"/api/v1/orders/{order.pk}/groups/{group.pk}", {"status": to_status},
                                  format="json")
    # then
    group.refresh_from_db()
    if to_status in allowed:
        assert response.status_code == 200, response.content
        assert response.json() == {"id": group.pk, "message": "Order group updated successfully"}
        assert group.status == to_status
    else:
        assert response.status_code == 422
        assert response.json()["details"]["allowed"] == allowed
        assert group.status == from_status


def test_a_group_of_another_order_is_a_404(staff_client, place_order):
    product = ProductFactory()
    first, second = place_order((product, 1)), place_order((product, 1))
    response = staff_client.patch(
        f"/api/v1/orders/{first.pk}/groups/{second.groups.get().pk}", {"status": "confirmed"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_group_of_a_refunded_order_cannot_be_confirmed(staff_client, place_order):
    # given an order paid then refunded before its supplier did anything
    order = place_order((ProductFactory(stock_qty=5), 2))
    for target in ["paid", "refunded"]:
        assert staff_client.patch(f"/api/v1/orders/{order.pk}", {"status": target}, format="json").status_code == 200
    group = order.groups.get()
    assert group.status == "cancelled"  # refunding cancelled it
    OrderGroup.objects.filter(pk=group.pk).update(status="pending")  # as if an older refund had left it behind
    # when
    response = staff_client.patch(f"/api/v1/orders/{order.pk}/groups/{group.pk}", {"status": "confirmed"},
                                  format="json")
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "the order is refunded" in response.json()["error"]
    assert OrderGroup.objects.get(pk=group.pk).status == "pending"


def test_cancelling_a_group_of_a_completed_order_is_a_422_and_restocks_nothing(staff_client, place_order):
    # given a completed order
    product = ProductFactory(stock_qty=5)
    order = place_order((product, 2))
    for target in ["paid", "shipped", "delivered", "completed"]:
        assert staff_client.patch(f"/api/v1/orders/{order.pk}", {"status": target}, format="json").status_code == 200
    group = order.groups.get()
    # when
    response = staff_client.patch(f"/api/v1/orders/{order.pk}/groups/{group.pk}", {"status": "cancelled"},
                                  format="json")
    # then (completing the order completed its group too, and a completed group is final)
    assert response.status_code == 422
    assert response.json()["details"]["allowed"] == []
    assert OrderGroup.objects.get(pk=group.pk).status == "completed"
    assert Product.objects.get(pk=product.pk).stock_qty == 3


def test_an_email_longer_than_254_characters_is_a_422_naming_it(staff_client):
    product = ProductFactory(stock_qty=5)
    response = staff_client.post("/api/v1/orders", _order_body((product, 1), email="a" * 243 + "@example.com"),
                                 format="json")
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"email"}
    assert Product.objects.get(pk=product.pk).stock_qty == 5


def test_a_quantity_past_the_services_line_limit_is_a_422_and_the_openapi_document_gives_that_limit(
    make_staff_client,
):
    from django.test import Client

    from commerce.services import MAX_INT, MAX_ORDER_QUANTITY

    client = make_staff_client(scopes=["write:orders"])
    product = ProductFactory(stock_qty=MAX_INT)

    response = client.post("/api/v1/orders", _order_body((product, MAX_ORDER_QUANTITY + 1)), format="json")

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"items.0.quantity"}
    assert not Order.objects.exists()
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["schemas"]["OrderItemInputRequest"]["properties"]["quantity"]["maximum"] == (
        MAX_ORDER_QUANTITY)

"""Supplier API orders: the key's supplier lists, reads and moves its own order groups only."""
import itertools

import pytest
import yaml
from django.test import Client

from commerce import services, state
from commerce.actors import Actor
from commerce.models import Order, OrderGroup, Product, StatusChange
from tests.factories import ProductFactory, SupplierFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

ADDRESS = {"line1": "1 Canal St", "city": "Amsterdam", "state": "NH", "postal_code": "1011 AB", "country": "NL"}
GROUP_STATUSES = [s for s, _ in OrderGroup.STATUS_CHOICES]
LIST_FIELDS = {"id", "order_number", "status", "subtotal", "currency", "items_count", "customer", "created_at",
               "updated_at"}
DETAIL_FIELDS = LIST_FIELDS | {"tax", "shipping_address", "items", "status_history"}


def place(*lines, email="buyer@example.com") -> Order:
    return services.order_place(
        email=email, items=[{"product_id": p.pk, "quantity": q} for p, q in lines], shipping_address=ADDRESS,
        actor=Actor.system(),
    )


def group_of(order: Order, supplier) -> OrderGroup:
    return order.groups.get(supplier=supplier)


def assert_supplier_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def _stock(product) -> int:
    return Product.objects.values_list("stock_qty", flat=True).get(pk=product.pk)


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def client(make_supplier_client, supplier):
    return make_supplier_client(supplier)


# --- GET /orders ---------------------------------------------------------------------------


def test_listing_orders_shows_the_suppliers_own_groups_newest_first(client, supplier):
    # given two orders with this supplier's products, one of them shared with another supplier
    mine, theirs = ProductFactory(supplier=supplier, price=250), ProductFactory(price=999)
    first = place((mine, 2), (theirs, 1), email="first@example.com")
    second = place((mine, 4))
    place((theirs, 3))  # another supplier's order alone
    # when
    response = client.get("/api/v1/supplier/orders")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert set(body["data"]) == {"orders", "pagination"}
    assert body["data"]["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 2, "per_page": 20}
    orders = body["data"]["orders"]
    assert [o["id"] for o in orders] == [group_of(second, supplier).pk, group_of(first, supplier).pk]
    newest = orders[1]
    assert set(newest) == LIST_FIELDS
    group = group_of(first, supplier)
    assert newest == {
        "id": group.pk,
        "order_number": first.order_number,
        "status": "pending",
        "subtotal": 5.0,  # 2 × 2.50 euros: this supplier's items only
        "currency": first.currency,
        "items_count": 2,
        "customer": {"email": "first@example.com"},
        "created_at": newest["created_at"],
        "updated_at": newest["updated_at"],
    }
    assert newest["created_at"].endswith("Z")


@pytest.mark.parametrize("status", GROUP_STATUSES)
def test_the_status_filter_lists_only_groups_in_that_status(client, supplier, status):
    # given one group in each status
    product = ProductFactory(supplier=supplier, stock_qty=100)
    groups = {}
    for each in GROUP_STATUSES:
        group = group_of(place((product, 1)), supplier)
        OrderGroup.objects.filter(pk=group.pk).update(status=each)
        groups[each] = group.pk
    # when
    response = client.get(f"/api/v1/supplier/orders?status={status}")
    # then
    assert response.status_code == 200, response.content
    assert [o["id"] for o in response.json()["data"]["orders"]] == [groups[status]]
    assert response.json()["data"]["orders"][0]["status"] == status


def test_an_unknown_status_filter_is_a_400_naming_it(client):
    body = assert_supplier_error(client.get("/api/v1/supplier/orders?status=paid"), 400, "VALIDATION_ERROR")
    assert "status" in body["error"]["details"]


def test_the_list_pages_twenty_by_default_and_at_most_a_hundred(client, supplier):
    product = ProductFactory(supplier=supplier, stock_qty=1000)
    for _ in range(3):
        place((product, 1))
    page = client.get("/api/v1/supplier/orders?per_page=2&page=2").json()["data"]
    assert len(page["orders"]) == 1
    assert page["pagination"] == {"current_page": 2, "total_pages": 2, "total_items": 3, "per_page": 2}
    assert client.get("/api/v1/supplier/orders?per_page=500").json()["data"]["pagination"]["per_page"] == 100


# --- GET /orders/{id} ----------------------------------------------------------------------


def test_an_order_groups_detail_holds_own_items_customer_address_amounts_and_history(client, supplier):
    # given an order shared with another supplier, confirmed by this one
    rose = ProductFactory(supplier=supplier, name="Red Rose", sku="ROSE-1", price=250)
    tulip = ProductFactory(supplier=supplier, name="Tulip", sku="TUL-1", price=199)
    other = ProductFactory(name="Other's", price=5000)
    order = place((rose, 4), (other, 1), (tulip, 1), email="shop@example.com")
    group = group_of(order, supplier)
    services.order_group_transition(group=group, to_status="confirmed", actor=Actor.supplier(supplier.pk),
                                    comment="On it")
    # when
    response = client.get(f"/api/v1/supplier/orders/{group.pk}")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert set(data) == DETAIL_FIELDS
    assert (data["id"], data["order_number"], data["status"]) == (group.pk, order.order_number, "confirmed")
    assert data["subtotal"] == 11.99
    assert data["tax"] == 2.09  # VAT contained: 1.74 + 0.35 (21 %, rounded per line)
    assert data["items_count"] == 5
    assert data["customer"] == {"email": "shop@example.com"}
    assert data["shipping_address"] == ADDRESS
    assert [(i["product_id"], i["product_name"], i["sku"], i["quantity"], i["unit_price"], i["line_total"])
            for i in data["items"]] == [(rose.pk, "Red Rose", "ROSE-1", 4, 2.5, 10.0),
                                        (tulip.pk, "Tulip", "TUL-1", 1, 1.99, 1.99)]
    assert data["items"][0]["vat_rate"] == 21.0
    assert data["items"][0]["tax"] == 1.74
    assert set(data["items"][0]) == {"id", "product_id", "product_name", "sku", "quantity", "unit_price",
                                     "line_total", "vat_rate", "tax"}
    assert [(h["from_status"], h["to_status"], h["comment"]) for h in data["status_history"]] == [
        ("pending", "confirmed", "On it")
    ]
    assert data["status_history"][0]["created_at"].endswith("Z")


def test_another_suppliers_order_group_is_the_same_404_as_a_missing_one(client):
    # given another supplier's group
    order = place((ProductFactory(), 1))
    theirs = order.groups.get()
    missing = OrderGroup.objects.order_by("-pk").first().pk + 1000
    # when
    other = client.get(f"/api/v1/supplier/orders/{theirs.pk}")
    absent = client.get(f"/api/v1/supplier/orders/{missing}")
    # then
    assert_supplier_error(other, 404, "NOT_FOUND")
    assert other.json() == absent.json()


# --- POST /orders/{id}/status --------------------------------------------------------------


def test_confirming_a_group_answers_the_updated_group_and_records_history_and_event(client, supplier):
    # given a new (unpaid: paid on invoice) order
    order = place((ProductFactory(supplier=supplier), 2))
    group = group_of(order, supplier)
    events_before = Event.objects.filter(type="order.updated").count()
    # when
    response = client.post(f"/api/v1/supplier/orders/{group.pk}/status",
                           {"status": "confirmed", "comment": "Preparing for shipment"}, format="json")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert set(body["data"]) == DETAIL_FIELDS
    assert (body["data"]["id"], body["data"]["status"]) == (group.pk, "confirmed")
    assert body["data"]["status_history"][-1]["comment"] == "Preparing for shipment"
    change = StatusChange.objects.get(group=group)
    assert (change.from_status, change.to_status, change.comment) == ("pending", "confirmed",
                                                                      "Preparing for shipment")
    assert change.actor_api_key_id == client.api_key.pk
    assert OrderGroup.objects.get(pk=group.pk).status == "confirmed"
    assert Event.objects.filter(type="order.updated").count() == events_before + 1


def test_a_group_walks_the_whole_table_to_delivered(client, supplier):
    group = group_of(place((ProductFactory(supplier=supplier), 1)), supplier)
    for target in ["confirmed", "processing", "shipped", "delivered"]:
        response = client.post(f"/api/v1/supplier/orders/{group.pk}/status", {"status": target}, format="json")
        assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == "delivered"
    assert [h["to_status"] for h in response.json()["data"]["status_history"]] == [
        "confirmed", "processing", "shipped", "delivered"
    ]
    assert Order.objects.get(pk=group.order_id).fulfillment_status == "delivered"


@pytest.mark.parametrize(
    "from_status, to_status", list(itertools.product(GROUP_STATUSES, GROUP_STATUSES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(GROUP_STATUSES, GROUP_STATUSES)],
)
def test_a_move_off_the_table_is_a_422_naming_the_allowed_targets(client, supplier, from_status, to_status):
    # given a group in from_status
    group = group_of(place((ProductFactory(supplier=supplier), 1)), supplier)
    OrderGroup.objects.filter(pk=group.pk).update(status=from_status)
    allowed = state.group_allowed_targets(from_status, staff=False)
    # when
    response = client.post(f"/api/v1/supplier/orders/{group.pk}/status", {"status": to_status}, format="json")
    # then
    if to_status in allowed:
        assert response.status_code == 200, response.content
        assert OrderGroup.objects.get(pk=group.pk).status == to_status
    else:
        body = assert_supplier_error(response, 422, "VALIDATION_ERROR")
        assert body["error"]["details"]["allowed"] == allowed
        assert OrderGroup.objects.get(pk=group.pk).status == from_status
        assert not StatusChange.objects.filter(group=group).exists()


def test_cancelling_a_group_puts_its_stock_back(client, supplier):
    # given an order that took 3 of 10
    product = ProductFactory(supplier=supplier, stock_qty=10)
    other = ProductFactory(stock_qty=10)
    order = place((product, 3), (other, 2))
    group = group_of(order, supplier)
    assert _stock(product) == 7
    # when
    response = client.post(f"/api/v1/supplier/orders/{group.pk}/status",
                           {"status": "cancelled", "comment": "Out of roses"}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == "cancelled"
    assert _stock(product) == 10
    assert _stock(other) == 8  # the other supplier's portion is untouched
    assert Order.objects.get(pk=order.pk).status == "pending"


def test_a_group_of_a_shipped_order_cannot_be_cancelled(client, supplier):
    product = ProductFactory(supplier=supplier, stock_qty=10)
    order = place((product, 3))
    Order.objects.filter(pk=order.pk).update(status="shipped")
    group = group_of(order, supplier)
    OrderGroup.objects.filter(pk=group.pk).update(status="processing")
    response = client.post(f"/api/v1/supplier/orders/{group.pk}/status", {"status": "cancelled"}, format="json")
    assert_supplier_error(response, 422, "VALIDATION_ERROR")
    assert _stock(product) == 7


def test_moving_another_suppliers_group_is_the_same_404_and_changes_nothing(client):
    # given another supplier's group
    product = ProductFactory(stock_qty=10)
    theirs = place((product, 2)).groups.get()
    missing = theirs.pk + 1000
    # when
    other = client.post(f"/api/v1/supplier/orders/{theirs.pk}/status", {"status": "cancelled"}, format="json")
    absent = client.post(f"/api/v1/supplier/orders/{missing}/status", {"status": "cancelled"}, format="json")
    # then
    assert_supplier_error(other, 404, "NOT_FOUND")
    assert other.json() == absent.json()
    assert OrderGroup.objects.get(pk=theirs.pk).status == "pending"
    assert _stock(product) == 8
    assert not StatusChange.objects.filter(group=theirs).exists()


@pytest.mark.parametrize("body, field", [
    ({"status": "paid"}, "status"),
    ({}, "status"),
    ({"status": "confirmed", "note": "x"}, "note"),
    ({"status": "confirmed", "comment": 5}, "comment"),
])
def test_a_malformed_status_body_is_a_422_naming_the_field(client, supplier, body, field):
    group = group_of(place((ProductFactory(supplier=supplier), 1)), supplier)
    response = client.post(f"/api/v1/supplier/orders/{group.pk}/status", body, format="json")
    assert field in assert_supplier_error(response, 422, "VALIDATION_ERROR")["error"]["details"]
    assert OrderGroup.objects.get(pk=group.pk).status == "pending"


# --- speed -------------------------------------------------------------------------------


# --- the OpenAPI document ---------------------------------------------------------------------


def test_the_order_endpoints_are_documented_inside_the_supplier_envelope(client):
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    components = schema["components"]["schemas"]

    def resolve(node):
        ref = node.get("$ref")
        return components[ref.rsplit("/", 1)[1]] if ref else node

    def ok_data(path, method):
        body = resolve(schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"])
        assert set(body["properties"]) == {"success", "data"}, path
        return resolve(body["properties"]["data"])

    page = ok_data("/api/v1/supplier/orders", "get")
    assert set(page["properties"]) == {"orders", "pagination"}
    assert set(resolve(page["properties"]["orders"]["items"])["properties"]) == LIST_FIELDS
    assert set(ok_data("/api/v1/supplier/orders/{id}", "get")["properties"]) == DETAIL_FIELDS
    assert set(ok_data("/api/v1/supplier/orders/{id}/status", "post")["properties"]) == DETAIL_FIELDS
    status_param = {p["name"]: p for p in schema["paths"]["/api/v1/supplier/orders"]["get"]["parameters"]}["status"]
    assert status_param["schema"]["enum"] == GROUP_STATUSES

"""The performance rule every API read obeys: once the key is warm, one SQL query and no write."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce import services as commerce_services
from commerce.actors import Actor
from commerce.models import ProductImage
from tests.factories import AppointmentFactory, CategoryFactory, LeadFactory, ProductFactory, SupplierFactory
from verso.api import pagecache
from webhooks import services as webhook_services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

ADDRESS = {"line1": "1 Canal St", "city": "Amsterdam", "state": "NH", "postal_code": "1011", "country": "NL"}


@pytest.fixture
def one_of_everything():
    category = CategoryFactory()
    product = ProductFactory(category=category, stock_qty=10)
    order = commerce_services.order_place(
        email="c@example.com", items=[{"product_id": product.pk, "quantity": 2}], shipping_address=ADDRESS,
        actor=Actor.system(),
    )
    return {
        "products": product.pk, "categories": category.pk, "orders": order.pk,
        "leads": LeadFactory().pk, "appointments": AppointmentFactory().pk,
    }


@pytest.mark.parametrize("resource", ["products", "categories", "orders", "leads", "appointments"])
def test_a_warm_get_costs_one_select(make_staff_client, one_of_everything, resource):
    client = make_staff_client(rate_limit_override="1000/m")
    for path in (f"/api/v1/{resource}", f"/api/v1/{resource}/{one_of_everything[resource]}"):
        _assert_one_select(client, path)


def _assert_one_select(client, path: str) -> None:
    """Warm key, page not cached (this process's page cache emptied): one SELECT, no write."""
    assert client.get(path).status_code == 200  # warms the key snapshot
    pagecache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    statements = [q["sql"] for q in queries]
    assert len(statements) == 1, (path, statements)
    assert statements[0].lstrip().upper().startswith("SELECT"), (path, statements)


@pytest.mark.parametrize("path", ["webhooks", "webhooks/{webhook}", "webhooks/{webhook}/deliveries"])
def test_a_warm_webhooks_get_costs_one_select(make_staff_client, path):
    webhook, _ = webhook_services.webhook_create(name="Orders", url="https://hooks.example.com/v",
                                                 events=["order.created"])
    event = Event.objects.create(type="order.created", data={})
    Delivery.objects.create(webhook=webhook, event=event, event_type=event.type)
    client = make_staff_client(scopes=["manage:webhooks"], rate_limit_override="1000/m")
    _assert_one_select(client, "/api/v1/" + path.format(webhook=webhook.pk))


# --- Supplier API (the supplier row is never re-read: the key's snapshot says who and whether verified)

@pytest.mark.parametrize("path", [
    "products", "products/{product}", "products/{product}/images", "categories",
    "orders", "orders?status=pending", "orders/{group}",
])
def test_a_warm_supplier_get_costs_one_select(make_supplier_client, place_order, path):
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, category=CategoryFactory(parent=CategoryFactory()))
    ProductImage.objects.create(product=product, image="products/a.jpg", is_primary=True)
    ProductImage.objects.create(product=product, image="products/b.jpg", position=1)
    group = place_order((product, 1)).groups.get()
    client = make_supplier_client(supplier, rate_limit_override="1000/m")
    _assert_one_select(client, "/api/v1/supplier/" + path.format(product=product.pk, group=group.pk))

"""The performance rule every Staff API read obeys: once the key is warm, one SQL query and no write."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce import services as commerce_services
from commerce.actors import Actor
from tests.factories import AppointmentFactory, CategoryFactory, LeadFactory, ProductFactory

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
        assert client.get(path).status_code == 200  # warms the key snapshot
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        statements = [q["sql"] for q in queries]
        assert len(statements) == 1, (path, statements)
        assert statements[0].lstrip().upper().startswith("SELECT"), (path, statements)

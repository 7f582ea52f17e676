"""The portal's dashboard: products by status, open order groups by status, low stock, each linking to its list."""
import pytest

from commerce.models import Product
from tests.factories import ProductFactory

from .portal_helpers import portal_client

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_my_products_orders_and_low_stock_and_links_to_the_lists(place_order):
    client = portal_client()
    mine = ProductFactory(supplier=client.supplier, name="Rose", stock_qty=8, low_stock_threshold=10)
    ProductFactory(supplier=client.supplier, approval_status=Product.PENDING)
    ProductFactory(supplier=client.supplier, approval_status=Product.PENDING, is_active=False)
    ProductFactory(supplier=client.supplier, approval_status=Product.REJECTED)
    theirs = ProductFactory(name="Their Lily", stock_qty=1)
    place_order((mine, 1))
    place_order((mine, 1), (theirs, 1))

    response = client.get("/portal/")

    assert response.status_code == 200
    assert dict(response.context["product_counts"]) == {"active": 1, "inactive": 1, "pending": 2, "rejected": 1}
    assert dict(response.context["open_groups"]) == {"pending": 2, "confirmed": 0, "processing": 0, "shipped": 0}
    page = response.content.decode()
    assert 'href="/portal/products/?status=pending"><strong>2</strong> Pending' in page
    assert 'href="/portal/orders/?status=pending"><strong>2</strong> Pending' in page
    assert "Rose" in page and "Their Lily" not in page  # 8 left after the two orders: low
    assert 'href="/portal/products/?stock=low"' in page


def test_a_new_supplier_sees_an_empty_dashboard():
    response = portal_client().get("/portal/")

    assert response.status_code == 200
    assert "No product on sale is low on stock." in response.content.decode()

"""Tenant isolation, for every Supplier API route with an id in its path, found by walking the
URL resolver (so a route added later is covered the day it lands).

Supplier A calls each route with supplier B's ids. The answer must be exactly what a missing
id gets (same status, same body), and none of B's rows may change. A route whose ids this
module does not know how to fill fails loudly, so nobody forgets to cover it.
"""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from commerce import services as commerce_services
from commerce.actors import Actor
from commerce.models import OrderGroup, Product, ProductImage, StatusChange
from settlement import services as settlement_services
from settlement.models import Statement
from settlement.periods import period_of
from supplier.models import Supplier
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

PREFIX = "api/v1/supplier/"
MISSING_ID = 9_000_000_000_000_000_000  # a valid id that names no row
ID_PARAMETER = re.compile(r"<id:\w+>")

# What a POST to each route carries: enough to do real work if the ids were the caller's own
# (a download that must never start is aimed at a port where nothing listens).
POST_BODIES = {
    "products/{}": {"name": "Taken over", "stock_qty": 0, "is_active": False},
    "products/{}/images": {"image_url": "http://127.0.0.1:9/never.jpg"},
    "orders/{}/status": {"status": "cancelled", "comment": "not yours"},
}


def _body(route: str, method: str) -> dict | None:
    return POST_BODIES.get(ID_PARAMETER.sub("{}", route), {}) if method == "post" else None


def _supplier_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route under the Supplier API's prefix, as its pattern text (``products/<id:pk>``)."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _supplier_routes(entry.url_patterns, text)
        elif isinstance(entry, URLPattern) and text.startswith(PREFIX) and "<" in text:
            routes.append(text.removeprefix(PREFIX))
    return sorted(set(routes))


ROUTES_WITH_IDS = _supplier_routes()


def _fill(route: str, first_id: int, second_id: int) -> str:
    """The route with its first id (a product's or an order's) and its second (an image's) filled in."""
    ids = iter([str(first_id), str(second_id)])
    return ID_PARAMETER.sub(lambda _match: next(ids), route)


def _view_class(route: str):
    return get_resolver().resolve(f"/{PREFIX}{_fill(route, 1, 1)}").func.view_class


def _theirs(place_order):
    """Supplier B's product (with an image) and an order group, and a snapshot of all B's rows."""
    other = SupplierFactory()
    product = ProductFactory(supplier=other, stock_qty=10)
    image = ProductImage.objects.create(product=product, image="products/theirs.jpg", is_primary=True)
    order = place_order((product, 2))
    Product.objects.filter(pk=product.pk).update(stock_qty=8)  # as placed
    group = order.groups.get()
    return other, product, image, group


def _snapshot(supplier) -> list:
    return [
        list(Product.objects.filter(supplier=supplier).order_by("pk").values()),
        list(ProductImage.objects.filter(product__supplier=supplier).order_by("pk").values()),
        list(OrderGroup.objects.filter(supplier=supplier).order_by("pk").values()),
        StatusChange.objects.filter(group__supplier=supplier).count(),
    ]


def _ids_for(route: str, product, image, group) -> int:
    if route.startswith("products/"):
        return product.pk
    if route.startswith("orders/"):
        return group.pk
    if route.startswith("settlements/"):
        return _their_issued_statement(group).pk
    raise AssertionError(f"tests/supplier/test_tenant_isolation.py does not know the ids of {route!r}: teach it")


def _their_issued_statement(group) -> Statement:
    """The group delivered, and this month's statements issued: B's statement, visible to B."""
    for status in ("confirmed", "processing", "shipped", "delivered"):
        commerce_services.order_group_transition(group=group, to_status=status, actor=Actor.system())
    settlement_services.statements_generate(period=period_of(timezone.now()), issue=True)
    return Statement.objects.get(supplier_id=group.supplier_id)


def test_the_supplier_api_has_routes_with_ids_to_check():
    assert ROUTES_WITH_IDS, "no Supplier API route with an id: has supplier/api/urls.py been emptied?"


@pytest.mark.parametrize("route", ROUTES_WITH_IDS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_suppliers_id_is_answered_exactly_like_a_missing_one(
    route, method, supplier_client, place_order
):
    if not hasattr(_view_class(route), method):
        pytest.skip(f"{route} has no {method.upper()}")
    other, product, image, group = _theirs(place_order)
    their_id = _ids_for(route, product, image, group)
    before = _snapshot(other)
    body = _body(route, method)

    def call(first_id: int, image_id: int):
        path = f"/{PREFIX}{_fill(route, first_id, image_id)}"
        return getattr(supplier_client, method)(path, body, format="json") if method == "post" \
            else supplier_client.get(path)

    theirs = call(their_id, image.pk)
    missing = call(MISSING_ID, MISSING_ID)

    assert theirs.status_code == missing.status_code == 404, (route, theirs.content, missing.content)
    assert theirs.json() == missing.json()
    assert _snapshot(other) == before


def test_their_image_under_my_own_product_is_answered_like_a_missing_image(
    supplier_client, place_order
):
    mine = ProductFactory(supplier=Supplier.objects.get(pk=supplier_client.api_key.supplier_id))
    other, product, image, group = _theirs(place_order)
    before = _snapshot(other)
    image_routes = [r for r in ROUTES_WITH_IDS if len(ID_PARAMETER.findall(r)) == 2]
    assert image_routes, "no route with an image id in it"
    for route in image_routes:
        for method in ("get", "post"):
            if not hasattr(_view_class(route), method):
                continue
            theirs = getattr(supplier_client, method)(f"/{PREFIX}{_fill(route, mine.pk, image.pk)}")
            missing = getattr(supplier_client, method)(f"/{PREFIX}{_fill(route, mine.pk, MISSING_ID)}")
            assert theirs.status_code == missing.status_code == 404, route
            assert theirs.json() == missing.json()
    assert _snapshot(other) == before

"""Supplier API categories: every active category, flat, with its parent and type."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.models import Category
from tests.factories import CategoryFactory, SupplierFactory
from tests.helpers import assert_same_shape, assert_supplier_error
from tests.helpers import assert_supplier_error as error
from tests.helpers import assert_supplier_ok as ok
from verso.api.services import api_key_revoke

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/supplier/categories"
# The contract's example (reference/supplier-api.md), with the pagination every list has.
CATEGORY_EXAMPLE = {"id": 3, "name": "Roses", "slug": "roses", "parent_id": 1, "type": "flower"}
PAGINATION_EXAMPLE = {"current_page": 1, "total_pages": 5, "total_items": 94, "per_page": 20}


def test_categories_are_the_active_ones_flat_by_name_with_parent_and_type(supplier_client):
    # given
    flowers = CategoryFactory(name="Flowers", slug="flowers")
    roses = CategoryFactory(name="Roses", slug="roses", parent=flowers)
    vases = CategoryFactory(name="Vases", slug="vases", type=Category.TYPE_SUPPLY)
    CategoryFactory(name="Archived", is_active=False)
    # when
    data = ok(supplier_client.get(CATEGORIES))
    # then
    assert set(data) == {"categories", "pagination"}
    assert_same_shape(data["pagination"], PAGINATION_EXAMPLE)
    assert data["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 3, "per_page": 20}
    assert_same_shape(data["categories"][1], CATEGORY_EXAMPLE)
    assert data["categories"] == [
        {"id": flowers.pk, "name": "Flowers", "slug": "flowers", "parent_id": None, "type": "flower"},
        {"id": roses.pk, "name": "Roses", "slug": "roses", "parent_id": flowers.pk, "type": "flower"},
        {"id": vases.pk, "name": "Vases", "slug": "vases", "parent_id": None, "type": "supply"},
    ]


def test_categories_page_by_20_and_at_most_100(supplier_client):
    CategoryFactory.create_batch(21)
    first = ok(supplier_client.get(CATEGORIES))
    clamped = ok(supplier_client.get(f"{CATEGORIES}?per_page=1000&page=1"))
    assert (len(first["categories"]), first["pagination"]["total_pages"]) == (20, 2)
    assert (len(clamped["categories"]), clamped["pagination"]["per_page"]) == (21, 100)
    error(supplier_client.get(f"{CATEGORIES}?page=0"), 400, "VALIDATION_ERROR")


def test_a_page_of_categories_is_one_query_whatever_its_size(make_supplier_client):
    client = make_supplier_client(SupplierFactory(), rate_limit_override="1000/m")
    CategoryFactory.create_batch(5, parent=CategoryFactory())
    assert client.get(CATEGORIES).status_code == 200  # warms the key
    counts = []
    for per_page in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{CATEGORIES}?per_page={per_page}").status_code == 200
        counts.append(len(queries))
    assert counts == [1, 1]


def test_only_a_verified_suppliers_live_key_lists_categories(make_supplier_client, staff_client, anon_client):
    CategoryFactory()
    assert_supplier_error(make_supplier_client(SupplierFactory(is_verified=False)).get(CATEGORIES), 403, "FORBIDDEN")
    revoked = make_supplier_client(SupplierFactory())
    api_key_revoke(api_key=revoked.api_key)
    assert_supplier_error(revoked.get(CATEGORIES), 403, "FORBIDDEN")
    assert_supplier_error(staff_client.get(CATEGORIES), 403, "FORBIDDEN")
    assert_supplier_error(anon_client.get(CATEGORIES), 401, "UNAUTHORIZED")
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_0123456789ab_nope")
    assert_supplier_error(anon_client.get(CATEGORIES), 401, "UNAUTHORIZED")

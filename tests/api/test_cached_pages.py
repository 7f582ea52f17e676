"""Cached list pages: a repeated read costs no SQL, and every write path is seen by the next read.

A list page is served from the process's page cache only under the generation this
request read from Redis; each test below fills the cache, writes through one path, and
reads again (verso.generations lists which writes feed which generation).
"""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce import images, services
from commerce.actors import Actor
from commerce.models import Category, Product, ProductImage
from crm.models import Lead
from tests.factories import CategoryFactory, LeadFactory, ProductFactory, SupplierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

PRODUCTS = "/api/v1/products?per_page=100"
CATEGORIES = "/api/v1/categories?per_page=100"
LEADS = "/api/v1/leads?per_page=100"
SUPPLIER_PRODUCTS = "/api/v1/supplier/products?per_page=100"
SUPPLIER_CATEGORIES = "/api/v1/supplier/categories?per_page=100"


def staff_products(client) -> dict:
    response = client.get(PRODUCTS)
    assert response.status_code == 200, response.content
    return {p["id"]: p for p in response.json()["data"]}


def supplier_products(client) -> dict:
    response = client.get(SUPPLIER_PRODUCTS)
    assert response.status_code == 200, response.content
    return {p["id"]: p for p in response.json()["data"]["products"]}


def leads(client) -> dict:
    response = client.get(LEADS)
    assert response.status_code == 200, response.content
    return {lead["id"]: lead for lead in response.json()["data"]}


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def supplier_api(make_supplier_client, supplier):
    return make_supplier_client(supplier, rate_limit_override="1000/m")


@pytest.fixture
def staff(make_staff_client):
    return make_staff_client(rate_limit_override="1000/m")


# --- what a cached page costs -------------------------------------------------------------


@pytest.mark.parametrize("url", [PRODUCTS, CATEGORIES, LEADS, "/api/v1/products?per_page=1&page=3"])
def test_a_staff_list_read_again_costs_no_query(staff, url):
    ProductFactory.create_batch(5)
    LeadFactory.create_batch(3)
    staff.get(url)
    assert queries(staff, url) == 0


@pytest.mark.parametrize("url", [SUPPLIER_PRODUCTS, SUPPLIER_CATEGORIES])
def test_a_supplier_list_read_again_costs_no_query(supplier_api, supplier, url):
    ProductFactory.create_batch(3, supplier=supplier)
    supplier_api.get(url)
    assert queries(supplier_api, url) == 0


def test_a_page_costs_the_same_queries_whatever_its_size(staff):
    ProductFactory.create_batch(30)
    staff.get("/api/v1/products?per_page=7")  # warms the key
    assert queries(staff, "/api/v1/products?per_page=1") == queries(staff, "/api/v1/products?per_page=100") == 1


def test_a_page_asked_for_with_a_very_long_query_string_is_answered_but_not_kept(staff):
    # unknown parameters are ignored, so long junk queries must not fill the cache's entries
    ProductFactory.create_batch(2)
    url = PRODUCTS + "&note=" + "x" * 1_000
    first = staff.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        second = staff.get(url)
    assert second.content == first.content
    assert len(captured) == 1  # the page again (its total is not kept either)


def test_a_cached_page_is_never_another_suppliers(make_supplier_client):
    mine, theirs = SupplierFactory(), SupplierFactory()
    ProductFactory(supplier=mine, name="Mine")
    ProductFactory(supplier=theirs, name="Theirs")
    me, them = make_supplier_client(mine), make_supplier_client(theirs)
    assert [p["name"] for p in supplier_products(me).values()] == ["Mine"]
    assert [p["name"] for p in supplier_products(them).values()] == ["Theirs"]
    assert [p["name"] for p in supplier_products(me).values()] == ["Mine"]


def test_a_cached_page_still_counts_against_the_rate_limit(make_staff_client, throttle_clock):
    client = make_staff_client(rate_limit_override="3/m")
    codes = [client.get(PRODUCTS).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_cached_page_answers_with_the_same_body_and_headers_as_the_view(staff, throttle_clock):
    ProductFactory.create_batch(3)
    first, second = staff.get(PRODUCTS), staff.get(PRODUCTS)
    assert first.content == second.content
    assert int(second["X-RateLimit-Remaining"]) == int(first["X-RateLimit-Remaining"]) - 1  # counted once each
    same = lambda response: {h: v for h, v in response.items() if h != "X-RateLimit-Remaining"}  # noqa: E731
    assert same(first) == same(second)


def test_a_cached_page_is_refused_to_a_key_without_the_scope(staff, make_staff_client):
    staff.get(PRODUCTS)
    staff.get(PRODUCTS)
    leads_only = make_staff_client(scopes=["read:leads"])
    leads_only.get(LEADS)
    response = leads_only.get(PRODUCTS)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_a_cached_page_is_refused_to_the_other_apis_keys_and_an_unverified_supplier(staff, supplier_api, supplier):
    from supplier import services as supplier_services

    staff.get(PRODUCTS)
    supplier_api.get(SUPPLIER_PRODUCTS)
    assert supplier_api.get(PRODUCTS).status_code == 403
    assert staff.get(SUPPLIER_PRODUCTS).status_code == 403
    supplier_services.supplier_set_verified(supplier=supplier, verified=False)
    assert supplier_api.get(SUPPLIER_PRODUCTS).status_code == 403


def test_a_revoked_key_is_refused_even_for_a_cached_page(staff):
    from verso.api.services import api_key_revoke

    assert staff.get(PRODUCTS).status_code == 200
    api_key_revoke(api_key=staff.api_key)
    assert staff.get(PRODUCTS).status_code == 401


# --- every write path is seen by the next read ----------------------------------------------


def test_a_product_created_through_the_staff_api_is_listed_next(staff):
    assert staff_products(staff) == {}
    response = staff.post("/api/v1/products", {"name": "New rose", "price": 150}, format="json")
    assert response.status_code == 201, response.content
    assert [p["name"] for p in staff_products(staff).values()] == ["New rose"]


def test_a_product_changed_through_the_staff_api_is_listed_changed(staff):
    product = ProductFactory(name="Old")
    staff_products(staff)
    assert staff.patch(f"/api/v1/products/{product.pk}", {"name": "New"}, format="json").status_code == 200
    assert staff_products(staff)[product.pk]["name"] == "New"


def test_a_product_deleted_through_the_staff_api_leaves_the_list(staff):
    product = ProductFactory()
    assert product.pk in staff_products(staff)
    assert staff.delete(f"/api/v1/products/{product.pk}").status_code == 200
    assert product.pk not in staff_products(staff)


def test_a_product_created_through_the_supplier_api_is_listed_next(supplier_api):
    category = CategoryFactory()
    assert supplier_products(supplier_api) == {}
    response = supplier_api.post("/api/v1/supplier/products", {
        "name": "Tulip", "category_id": category.pk, "base_price": 2.5, "unit": "stem",
    }, format="json")
    assert response.status_code == 201, response.content
    assert [p["name"] for p in supplier_products(supplier_api).values()] == ["Tulip"]


def test_bulk_stock_and_price_updates_are_listed_next(supplier_api, supplier):
    product = ProductFactory(supplier=supplier, sku="T-1", stock_qty=5, price=100)
    assert supplier_products(supplier_api)[product.pk]["stock_qty"] == 5
    response = supplier_api.post("/api/v1/supplier/stock", {"items": [{"sku": "T-1", "stock_qty": 42}]}, format="json")
    assert response.status_code == 200, response.content
    assert supplier_products(supplier_api)[product.pk]["stock_qty"] == 42
    response = supplier_api.post("/api/v1/supplier/prices", {"items": [{"sku": "T-1", "base_price": 3.5}]},
                                 format="json")
    assert response.status_code == 200, response.content
    assert supplier_products(supplier_api)[product.pk]["base_price"] == 3.5


def test_an_order_and_its_cancellation_change_the_listed_stock(staff, place_order):
    product = ProductFactory(stock_qty=10)
    assert staff_products(staff)[product.pk]["inventory_count"] == 10
    order = place_order((product, 4))
    assert staff_products(staff)[product.pk]["inventory_count"] == 6
    services.order_transition(order=order, to_status="cancelled", actor=Actor.system())
    assert staff_products(staff)[product.pk]["inventory_count"] == 10


def test_products_added_approved_and_deleted_in_the_admin_are_listed_so(staff, make_admin_client):
    admin = make_admin_client("commerce.view_product", "commerce.add_product", "commerce.change_product",
                              "commerce.delete_product", "commerce.approve_product")
    category = CategoryFactory()
    pending = ProductFactory(approval_status=Product.PENDING)
    assert staff_products(staff)[pending.pk]["approval_status"] == "pending"
    response = admin.post("/admin/commerce/product/add/", {
        "name": "Admin rose", "slug": "", "sku": "AR-1", "description": "", "type": "flower", "unit": "stem",
        "price": "120", "stock_qty": "50", "min_order_qty": "1", "low_stock_threshold": "10", "vat_rate": "9",
        "category": category.pk, "is_active": "on", "supplier": "",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Admin rose" in {p["name"] for p in staff_products(staff).values()}
    admin.post("/admin/commerce/product/", {"action": "approve_products", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert staff_products(staff)[pending.pk]["approval_status"] == "approved"
    admin.post("/admin/commerce/product/", {"action": "soft_delete_products", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert pending.pk not in staff_products(staff)


def test_a_renamed_category_is_listed_renamed_in_both_apis(staff, supplier_api, supplier):
    category = CategoryFactory(name="Roses")
    product = ProductFactory(supplier=supplier, category=category)
    assert supplier_products(supplier_api)[product.pk]["category"]["name"] == "Roses"
    staff.get(CATEGORIES)
    response = staff.patch(f"/api/v1/categories/{category.pk}", {"name": "Garden roses"}, format="json")
    assert response.status_code == 200, response.content
    assert supplier_products(supplier_api)[product.pk]["category"]["name"] == "Garden roses"
    assert {c["name"] for c in staff.get(CATEGORIES).json()["data"]} == {"Garden roses"}


def test_a_category_changed_in_the_admin_is_listed_changed(staff, make_admin_client):
    admin = make_admin_client("commerce.view_category", "commerce.change_category")
    category = CategoryFactory(name="Roses")
    staff.get(CATEGORIES)
    response = admin.post(f"/admin/commerce/category/{category.pk}/change/", {
        "name": "Tulips", "slug": category.slug, "type": "flower", "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [c["name"] for c in staff.get(CATEGORIES).json()["data"]] == ["Tulips"]


def test_a_products_primary_image_changes_are_listed_next(supplier_api, supplier):
    product = ProductFactory(supplier=supplier)
    assert supplier_products(supplier_api)[product.pk]["primary_image"] is None
    first = ProductImage.objects.create(product=product, image="products/a.jpg", is_primary=True)
    second = ProductImage.objects.create(product=product, image="products/b.jpg", position=1)
    assert supplier_products(supplier_api)[product.pk]["primary_image"].endswith("products/a.jpg")
    images.product_image_set_primary(image=second, actor=Actor.supplier(supplier.pk))
    assert supplier_products(supplier_api)[product.pk]["primary_image"].endswith("products/b.jpg")
    images.product_image_delete(image=ProductImage.objects.get(pk=second.pk), actor=Actor.supplier(supplier.pk))
    assert supplier_products(supplier_api)[product.pk]["primary_image"].endswith("products/a.jpg")
    images.product_image_delete(image=ProductImage.objects.get(pk=first.pk), actor=Actor.supplier(supplier.pk))
    assert supplier_products(supplier_api)[product.pk]["primary_image"] is None


def test_a_set_based_update_is_listed_next(staff):
    product = ProductFactory(stock_qty=1)
    staff_products(staff)
    Product.objects.filter(pk=product.pk).update(stock_qty=99)
    assert staff_products(staff)[product.pk]["inventory_count"] == 99
    Category.objects.filter(pk=product.category_id).delete()  # SET_NULL on the product, by SQL
    assert staff_products(staff)[product.pk]["category_id"] is None


def test_a_raw_sql_write_is_listed_after_the_bump_generations_command(staff):
    product = ProductFactory(name="Before")
    staff_products(staff)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE commerce_product SET name = 'After' WHERE id = %s", [product.pk])
    call_command("bump_generations")
    assert staff_products(staff)[product.pk]["name"] == "After"


def test_leads_created_and_changed_through_the_api_are_listed_next(staff):
    assert leads(staff) == {}
    response = staff.post("/api/v1/leads", {
        "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "+31 6 1234 5678",
        "message": "Hello",
    }, format="json")
    assert response.status_code == 201, response.content
    lead_id = response.json()["id"]
    assert leads(staff)[lead_id]["status"] == "New"
    assert staff.patch(f"/api/v1/leads/{lead_id}", {"status": "Contacted"}, format="json").status_code == 200
    assert leads(staff)[lead_id]["status"] == "Contacted"


def test_a_lead_moved_in_the_admin_is_listed_moved(staff, make_admin_client):
    admin = make_admin_client("crm.view_lead", "crm.change_lead")
    lead = LeadFactory()
    assert leads(staff)[lead.pk]["status"] == "New"
    admin.post("/admin/crm/lead/", {"action": "mark_won", ACTION_CHECKBOX_NAME: [lead.pk]})
    assert leads(staff)[lead.pk]["status"] == "Won"


def test_a_lead_from_the_contact_form_is_listed_next(staff, client):
    assert leads(staff) == {}
    response = client.post("/contact/", {
        "first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "+1-555-987-6543",
        "message": "Looking for weekly deliveries",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [lead["email"] for lead in leads(staff).values()] == ["jane@example.com"]
    assert Lead.objects.count() == 1


# --- deep pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/api/v1/products?per_page=3&page={}",
    "/api/v1/products?per_page=3&sort=name&order=asc&page={}",
    "/api/v1/leads?per_page=3&page={}",
    "/api/v1/orders?per_page=3&page={}",
])
def test_a_deep_page_read_ids_first_lists_the_same_rows_in_one_query(staff, place_order, monkeypatch, url):
    from verso.api import pagecache, pagination

    products = ProductFactory.create_batch(10, stock_qty=50)
    LeadFactory.create_batch(10)
    for product in products:
        place_order((product, 1))

    def pages() -> list:
        pagecache.clear()
        bodies = [staff.get(url.format(n)).json() for n in range(1, 6)]
        return [([row["id"] for row in body["data"]], body["pagination"]) for body in bodies]

    expected = pages()
    monkeypatch.setattr(pagination, "LATE_ROW_OFFSET", 3)  # from page 2 on
    assert pages() == expected
    pagecache.clear()
    assert queries(staff, url.format(3)) == 1


def test_a_deep_supplier_page_read_ids_first_lists_the_same_rows(supplier_api, supplier, monkeypatch):
    from verso.api import pagecache, pagination

    ProductFactory.create_batch(7, supplier=supplier)
    ProductFactory.create_batch(3)

    def pages() -> list:
        pagecache.clear()
        return [supplier_api.get(f"/api/v1/supplier/products?per_page=2&page={n}").json()["data"] for n in range(1, 6)]

    expected = pages()
    monkeypatch.setattr(pagination, "LATE_ROW_OFFSET", 2)
    assert pages() == expected


def test_a_known_total_is_not_counted_again_and_moves_with_a_write(staff):
    ProductFactory.create_batch(5)
    assert staff.get("/api/v1/products?per_page=2").json()["pagination"]["total"] == 5
    # another page of the same list: its rows are read, its total is known
    with CaptureQueriesContext(connection) as captured:
        body = staff.get("/api/v1/products?per_page=2&page=2").json()
    assert body["pagination"]["total"] == 5
    assert len(captured) == 1 and "COUNT(" not in captured[0]["sql"].upper()
    ProductFactory()
    assert staff.get("/api/v1/products?per_page=2&page=3").json()["pagination"]["total"] == 6


def test_a_round_trip_script_redis_does_not_hold_is_loaded_again(staff, monkeypatch):
    import uuid

    from verso.api import roundtrip

    staff.get(PRODUCTS)  # the key is known: the next request takes the one-script round trip
    # a script text Redis has never seen (as after a restart or SCRIPT FLUSH)
    monkeypatch.setattr(roundtrip, "WARM", f"{roundtrip.WARM}-- {uuid.uuid4().hex}\n")
    monkeypatch.setattr(roundtrip, "_scripts", {})
    first, second = staff.get(PRODUCTS), staff.get(PRODUCTS)
    assert (first.status_code, second.status_code) == (200, 200)
    assert int(first["X-RateLimit-Remaining"]) - int(second["X-RateLimit-Remaining"]) == 1


def test_a_key_that_expires_is_refused_on_its_next_request_even_for_a_cached_page(make_staff_client, monkeypatch):
    from datetime import UTC, datetime

    from tests.conftest import StoppedClock
    from verso.api import keys

    clock = StoppedClock(1_800_000_000)
    monkeypatch.setattr(keys, "clock", clock)
    client = make_staff_client(expires_at=datetime.fromtimestamp(1_800_000_060, UTC))
    assert client.get(PRODUCTS).status_code == 200
    assert client.get(PRODUCTS).status_code == 200  # served from the page cache
    clock.advance(60)  # the key's snapshot is still recent: only its expiry has passed
    response = client.get(PRODUCTS)
    assert response.status_code == 401
    assert response.json()["error"] == "This API key has expired."

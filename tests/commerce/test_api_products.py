"""Staff API products and categories: list, filter, search, sort, read, create, update, delete."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.models import Category, Product
from tests.commerce.contract import PAGINATION, PRODUCT, assert_matches_contract
from tests.factories import CategoryFactory, ProductFactory, SupplierFactory
from verso.api.scopes import ALL_SCOPES
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


# --- list ---------------------------------------------------------------------------------


def test_the_product_list_matches_the_contract_key_for_key(staff_client):
    # given
    product = ProductFactory(name="Premium Widget", price=4999, stock_qty=50, compare_at_price=None)
    # when
    response = staff_client.get("/api/v1/products")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "pagination"}
    assert_matches_contract(body["pagination"], PAGINATION)
    row = body["data"][0]
    assert_matches_contract(row, PRODUCT)
    assert (row["id"], row["inventory_count"], row["category_id"]) == (product.pk, 50, product.category_id)
    assert row["compare_at_price"] is None
    assert (row["sku"], row["supplier_id"], row["approval_status"], row["stock_status"]) == (
        product.sku, product.supplier_id, "approved", "in_stock")


def test_a_products_detail_is_the_same_representation_as_in_the_list(staff_client):
    product = ProductFactory()
    listed = staff_client.get("/api/v1/products").json()["data"][0]
    detail = staff_client.get(f"/api/v1/products/{product.pk}")
    assert detail.status_code == 200
    assert detail.json() == listed


def test_the_list_shows_every_live_product_whatever_its_approval_but_not_deleted_ones(staff_client):
    approved, pending = ProductFactory(), ProductFactory(approval_status=Product.PENDING)
    rejected = ProductFactory(approval_status=Product.REJECTED)
    ProductFactory(deleted_at=timezone.now())
    assert sorted(_ids(staff_client.get("/api/v1/products"))) == sorted([approved.pk, pending.pk, rejected.pk])
    assert _ids(staff_client.get("/api/v1/products?approval_status=pending")) == [pending.pk]


def test_products_filter_by_digital_stock_and_category(staff_client):
    # given
    flowers, vases = CategoryFactory(), CategoryFactory()
    card = ProductFactory(is_digital=True, category=vases, stock_qty=5)
    sold_out = ProductFactory(stock_qty=0, category=flowers)
    rose = ProductFactory(stock_qty=40, category=flowers)
    # when / then
    assert _ids(staff_client.get("/api/v1/products?is_digital=true")) == [card.pk]
    assert sorted(_ids(staff_client.get("/api/v1/products?is_digital=false"))) == sorted([sold_out.pk, rose.pk])
    assert sorted(_ids(staff_client.get("/api/v1/products?in_stock=true"))) == sorted([card.pk, rose.pk])
    assert _ids(staff_client.get("/api/v1/products?in_stock=false")) == [sold_out.pk]
    assert sorted(_ids(staff_client.get(f"/api/v1/products?category_id={flowers.pk}"))) == sorted(
        [sold_out.pk, rose.pk])
    assert _ids(staff_client.get(f"/api/v1/products?category_id={flowers.pk}&in_stock=true")) == [rose.pk]
    assert _ids(staff_client.get("/api/v1/products?category_id=999999")) == []


def test_stock_status_is_derived_from_stock_and_threshold(staff_client):
    out = ProductFactory(stock_qty=0, low_stock_threshold=5)
    low = ProductFactory(stock_qty=5, low_stock_threshold=5)
    plenty = ProductFactory(stock_qty=6, low_stock_threshold=5)
    rows = {r["id"]: r["stock_status"] for r in staff_client.get("/api/v1/products").json()["data"]}
    assert rows == {out.pk: "out_of_stock", low.pk: "low_stock", plenty.pk: "in_stock"}
    # the filter (SQL) sorts every row exactly as the representation (Python) labels it
    for status in ("out_of_stock", "low_stock", "in_stock"):
        wanted = [pk for pk, shown in rows.items() if shown == status]
        assert _ids(staff_client.get(f"/api/v1/products?stock_status={status}")) == wanted


def test_products_can_be_searched_by_name_sku_or_description(staff_client):
    naomi = ProductFactory(name="Red Naomi rose", sku="RN-60")
    vase = ProductFactory(name="Vase", description="Goes well with a naomi bouquet")
    ProductFactory(name="Tulip", sku="TU-1")
    assert sorted(_ids(staff_client.get("/api/v1/products?search=naomi"))) == sorted([naomi.pk, vase.pk])
    assert _ids(staff_client.get("/api/v1/products?search=rn-60")) == [naomi.pk]


def test_products_sort_by_a_whitelisted_field(staff_client):
    cheap, dear, middle = ProductFactory(price=100), ProductFactory(price=900), ProductFactory(price=500)
    assert _ids(staff_client.get("/api/v1/products?sort=price&order=asc")) == [cheap.pk, middle.pk, dear.pk]
    assert _ids(staff_client.get("/api/v1/products?sort=price")) == [dear.pk, middle.pk, cheap.pk]
    assert _ids(staff_client.get("/api/v1/products")) == [middle.pk, dear.pk, cheap.pk]  # newest first


@pytest.mark.parametrize("query, name", [
    ("is_digital=maybe", "is_digital"),
    ("in_stock=2", "in_stock"),
    ("category_id=roses", "category_id"),
    ("approval_status=lost", "approval_status"),
    ("sort=password", "sort"),
    ("order=up", "order"),
    ("per_page=0", "per_page"),
])
def test_bad_product_list_parameters_are_a_400_naming_them(staff_client, query, name):
    response = staff_client.get(f"/api/v1/products?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert name in response.json()["details"]


def test_per_page_is_clamped_to_100(staff_client):
    ProductFactory()
    assert staff_client.get("/api/v1/products?per_page=500").json()["pagination"]["per_page"] == 100


def test_the_product_list_costs_one_query_for_1_or_100_rows(staff_client):
    # given
    ProductFactory.create_batch(40)
    staff_client.get("/api/v1/products?per_page=2")  # warm the key cache (another page: not cached)
    # when
    with CaptureQueriesContext(connection) as one:
        staff_client.get("/api/v1/products?per_page=1")
    with CaptureQueriesContext(connection) as hundred:
        rows = staff_client.get("/api/v1/products?per_page=100&in_stock=true&search=product&sort=name").json()
    # then
    assert len(rows["data"]) == 40
    assert len(one) == len(hundred) == 1


def test_an_unknown_or_deleted_product_is_a_404(staff_client):
    deleted = ProductFactory(deleted_at=timezone.now())
    for pk in (999999, deleted.pk):
        response = staff_client.get(f"/api/v1/products/{pk}")
        assert response.status_code == 404
        assert response.json() == {"error": "Product not found", "code": "NOT_FOUND"}
        assert staff_client.patch(f"/api/v1/products/{pk}", {"price": 1}, format="json").status_code == 404
        assert staff_client.delete(f"/api/v1/products/{pk}").status_code == 404


# --- create / update / delete --------------------------------------------------------------


def test_creating_a_product_answers_201_and_approves_it_at_once(staff_client):
    # when: the contract's example request
    response = staff_client.post(
        "/api/v1/products",
        {"name": "New Widget", "price": 2999, "description": "Our latest widget model", "inventory_count": 100},
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    product = Product.objects.get()
    assert response.json() == {"id": product.pk, "message": "Product created successfully"}
    assert (product.name, product.price, product.stock_qty, product.slug) == ("New Widget", 2999, 100, "new-widget")
    assert product.approval_status == Product.APPROVED
    assert product.supplier_id is None  # the operator's own product
    assert Event.objects.get(type="product.created").data["id"] == product.pk


def test_creating_a_product_needs_name_and_price(staff_client):
    response = staff_client.post("/api/v1/products", {"description": "x"}, format="json")
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"name", "price"}


@pytest.mark.parametrize("body, field", [
    ({"price": -1}, "price"),
    ({"inventory_count": -5}, "inventory_count"),
    ({"category_id": 999999}, "category_id"),
    ({"unit": "bucket"}, "unit"),
    ({"supplier_id": 999999}, "supplier_id"),
])
def test_invalid_product_fields_are_a_422_naming_them(staff_client, body, field):
    response = staff_client.post("/api/v1/products", {"name": "X", "price": 100, **body}, format="json")
    assert response.status_code == 422
    assert field in response.json()["details"]


def test_a_sku_is_unique_per_seller_among_live_products(staff_client):
    # given
    supplier = SupplierFactory()
    taken = ProductFactory(supplier=supplier, sku="ROSE-1")
    ProductFactory(supplier=None, sku="OWN-1")
    # when / then: same seller, same sku → 422 naming sku
    same = staff_client.post("/api/v1/products", {"name": "A", "price": 1, "sku": "ROSE-1",
                                                  "supplier_id": supplier.pk}, format="json")
    assert same.status_code == 422
    assert same.json()["code"] == "VALIDATION_ERROR"
    assert "sku" in same.json()["details"]
    own = staff_client.post("/api/v1/products", {"name": "B", "price": 1, "sku": "OWN-1"}, format="json")
    assert own.status_code == 422
    assert "sku" in own.json()["details"]
    # another seller may use it
    other = staff_client.post("/api/v1/products", {"name": "C", "price": 1, "sku": "ROSE-1"}, format="json")
    assert other.status_code == 201
    # and once the first is deleted, its seller may reuse it
    staff_client.delete(f"/api/v1/products/{taken.pk}")
    again = staff_client.post("/api/v1/products", {"name": "D", "price": 1, "sku": "ROSE-1",
                                                   "supplier_id": supplier.pk}, format="json")
    assert again.status_code == 201


def test_patching_a_product_changes_only_the_given_fields(staff_client):
    # given
    product = ProductFactory(name="Old", price=100, stock_qty=5, description="keep me")
    # when
    response = staff_client.patch(f"/api/v1/products/{product.pk}", {"price": 250, "inventory_count": 9},
                                  format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {"id": product.pk, "message": "Product updated successfully"}
    product.refresh_from_db()
    assert (product.name, product.price, product.stock_qty, product.description) == ("Old", 250, 9, "keep me")
    assert Event.objects.filter(type="product.updated").count() == 1


def test_patching_cannot_change_the_approval_status(staff_client):
    product = ProductFactory(approval_status=Product.PENDING)
    response = staff_client.patch(f"/api/v1/products/{product.pk}", {"approval_status": "approved"}, format="json")
    assert response.status_code == 422
    assert response.json()["details"] == {"approval_status": "Unknown field."}
    product.refresh_from_db()
    assert product.approval_status == Product.PENDING


def test_deleting_a_product_is_a_soft_delete(staff_client, place_order):
    # given a product that has been ordered
    product = ProductFactory()
    order = place_order((product, 1))
    # when
    response = staff_client.delete(f"/api/v1/products/{product.pk}")
    # then
    assert response.status_code == 200
    assert response.json() == {"id": product.pk, "message": "Product deleted successfully"}
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert _ids(staff_client.get("/api/v1/products")) == []
    assert staff_client.get(f"/api/v1/orders/{order.pk}").json()["items"][0]["product_id"] == product.pk


@pytest.mark.parametrize("method, path, scope", [
    ("get", "/api/v1/products", "read:products"),
    ("get", "/api/v1/products/{id}", "read:products"),
    ("post", "/api/v1/products", "write:products"),
    ("patch", "/api/v1/products/{id}", "write:products"),
    ("delete", "/api/v1/products/{id}", "write:products"),
    ("get", "/api/v1/categories", "read:products"),
    ("get", "/api/v1/categories/{cat}", "read:products"),
    ("post", "/api/v1/categories", "write:products"),
    ("patch", "/api/v1/categories/{cat}", "write:products"),
])
def test_each_catalogue_endpoint_needs_its_scope(make_staff_client, method, path, scope):
    product = ProductFactory()
    client = make_staff_client(scopes=[s for s in ALL_SCOPES if s != scope])
    response = getattr(client, method)(path.format(id=product.pk, cat=product.category_id), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_a_read_only_key_can_read_products(make_staff_client):
    ProductFactory()
    client = make_staff_client(scopes=["read:products"])
    assert client.get("/api/v1/products").status_code == 200


# --- categories ---------------------------------------------------------------------------


def test_categories_can_be_created_listed_read_and_updated(staff_client):
    # when
    top = staff_client.post("/api/v1/categories", {"name": "Supplies", "type": "supply"}, format="json")
    child = staff_client.post("/api/v1/categories", {"name": "Vases", "parent_id": top.json()["id"]}, format="json")
    # then
    assert top.status_code == child.status_code == 201
    assert child.json()["message"] == "Category created successfully"
    vases = staff_client.get(f"/api/v1/categories/{child.json()['id']}").json()
    assert (vases["name"], vases["slug"], vases["parent_id"], vases["type"], vases["is_active"]) == (
        "Vases", "vases", top.json()["id"], "supply", True)
    listed = staff_client.get("/api/v1/categories").json()
    assert [c["name"] for c in listed["data"]] == ["Supplies", "Vases"]
    assert _ids(staff_client.get(f"/api/v1/categories?parent_id={top.json()['id']}")) == [child.json()["id"]]
    patched = staff_client.patch(f"/api/v1/categories/{vases['id']}", {"is_active": False}, format="json")
    assert patched.json() == {"id": vases["id"], "message": "Category updated successfully"}
    assert Category.objects.get(pk=vases["id"]).is_active is False


def test_a_category_cannot_become_its_own_ancestor(staff_client):
    top = CategoryFactory()
    child = CategoryFactory(parent=top)
    response = staff_client.patch(f"/api/v1/categories/{top.pk}", {"parent_id": child.pk}, format="json")
    assert response.status_code == 422
    assert "parent_id" in response.json()["details"]


def test_a_taken_category_slug_is_a_409(staff_client):
    CategoryFactory(slug="roses")
    response = staff_client.post("/api/v1/categories", {"name": "Roses", "slug": "roses"}, format="json")
    assert response.status_code == 409


def test_an_unknown_category_is_a_404(staff_client):
    response = staff_client.get("/api/v1/categories/999999")
    assert response.status_code == 404
    assert response.json() == {"error": "Category not found", "code": "NOT_FOUND"}


def test_bad_category_list_parameters_are_a_400(staff_client):
    assert staff_client.get("/api/v1/categories?parent_id=x").status_code == 400
    assert staff_client.get("/api/v1/categories?sort=slug").status_code == 400


def test_the_category_list_costs_one_query(staff_client):
    CategoryFactory.create_batch(30)
    staff_client.get("/api/v1/categories?per_page=2")  # warms the key (another page: not cached)
    with CaptureQueriesContext(connection) as one:
        staff_client.get("/api/v1/categories?per_page=1")
    with CaptureQueriesContext(connection) as hundred:
        staff_client.get("/api/v1/categories?per_page=100")
    assert len(one) == len(hundred) == 1


def test_two_categories_with_a_200_character_name_are_both_created(staff_client):
    first = staff_client.post("/api/v1/categories", {"name": "x" * 200}, format="json")
    second = staff_client.post("/api/v1/categories", {"name": "x" * 200}, format="json")
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert staff_client.get(f"/api/v1/categories/{second.json()['id']}").json()["slug"] == "x" * 198 + "-2"


def test_a_product_slug_of_dashes_only_falls_back_to_one_made_from_the_name(staff_client):
    response = staff_client.post("/api/v1/products", {"name": "Red Rose", "price": 1, "slug": "---"}, format="json")
    assert response.status_code == 201
    assert staff_client.get(f"/api/v1/products/{response.json()['id']}").json()["slug"] == "red-rose"


@pytest.mark.parametrize("field", [
    "price", "compare_at_price", "inventory_count", "min_order_qty", "low_stock_threshold", "stem_length",
])
def test_whole_numbers_beyond_the_database_column_are_a_422_naming_them(staff_client, field):
    created = staff_client.post("/api/v1/products", {"name": "X", "price": 100, field: 2**40}, format="json")
    assert created.status_code == 422
    assert field in created.json()["details"]
    product = ProductFactory()
    patched = staff_client.patch(f"/api/v1/products/{product.pk}", {field: 2**31}, format="json")
    assert patched.status_code == 422
    assert field in patched.json()["details"]

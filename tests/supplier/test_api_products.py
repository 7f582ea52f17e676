"""Supplier API products: a supplier lists, reads, creates, updates and deletes its own products only."""
import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.models import Category, Product, ProductImage
from tests.factories import CategoryFactory, ProductFactory, SupplierFactory
from tests.helpers import assert_same_shape
from tests.helpers import assert_supplier_error as error
from tests.helpers import assert_supplier_ok as ok
from verso.api.services import api_key_revoke
from webhooks.models import Event

pytestmark = pytest.mark.django_db

# The contract's examples (reference/supplier-api.md).
PRODUCT_EXAMPLE = {
    "id": 42,
    "name": "Red Roses Premium",
    "sku": "ROSE-RED-001",
    "type": "flower",
    "base_price": 2.50,
    "unit": "stem",
    "stock_qty": 500,
    "stock_status": "in_stock",
    "is_active": True,
    "is_approved": True,
    "category": {"id": 3, "name": "Roses"},
    "primary_image": "/uploads/products/rose-red.jpg",
}
PAGINATION_EXAMPLE = {"current_page": 1, "total_pages": 5, "total_items": 94, "per_page": 20}
IMAGE_EXAMPLE = {
    "id": 1, "url": "/uploads/products/abc123.jpg", "thumbnail_url": "/uploads/products/thumb_abc123.jpg",
    "is_primary": True,
}
# GET /products/{id}: the list's fields and the rest of the product, its approval and images.
PRODUCT_DETAIL_EXAMPLE = {
    **PRODUCT_EXAMPLE,
    "description": "Long-stemmed red roses",
    "min_order_qty": 10,
    "color": "Red",
    "stem_length": 60,
    "country_of_origin": "Netherlands",
    "vat_rate": 21.0,
    "approval_status": "approved",
    "rejection_reason": "Blurry photos",
    "images": [IMAGE_EXAMPLE],
    "created_at": "2024-12-01T10:30:00Z",
    "updated_at": "2024-12-01T10:30:00Z",
}

PRODUCTS = "/api/v1/supplier/products"


def supplier_of(client):
    return client.api_key.supplier


def ids(response) -> list[int]:
    return [row["id"] for row in ok(response)["products"]]


def add_image(product, name: str, *, primary: bool = False, position: int = 0) -> ProductImage:
    return ProductImage.objects.create(
        product=product, image=f"products/{name}.jpg", thumbnail=f"products/thumbs/{name}.jpg", is_primary=primary,
        position=position,
    )


def roses(supplier, **fields) -> Product:
    defaults = {
        "name": "Red Roses Premium", "sku": "ROSE-RED-001", "price": 250, "unit": "stem", "stock_qty": 500,
        "category": CategoryFactory(name="Roses"),
    }
    return ProductFactory(supplier=supplier, **{**defaults, **fields})


def snapshot(product: Product) -> dict:
    product.refresh_from_db()
    return {f.attname: getattr(product, f.attname) for f in Product._meta.concrete_fields}


# --- GET /products ------------------------------------------------------------------------


def test_the_product_list_matches_the_contract_key_for_key(supplier_client):
    # given
    product = roses(supplier_of(supplier_client))
    add_image(product, "rose-side", position=1)
    add_image(product, "rose-red", primary=True, position=0)
    # when
    data = ok(supplier_client.get(PRODUCTS))
    # then
    assert set(data) == {"products", "pagination"}
    assert_same_shape(data["pagination"], PAGINATION_EXAMPLE)
    assert data["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 1, "per_page": 20}
    [row] = data["products"]
    assert_same_shape(row, PRODUCT_EXAMPLE)
    assert row == {
        "id": product.pk, "name": "Red Roses Premium", "sku": "ROSE-RED-001", "type": "flower", "base_price": 2.5,
        "unit": "stem", "stock_qty": 500, "stock_status": "in_stock", "is_active": True, "is_approved": True,
        "category": {"id": product.category_id, "name": "Roses"}, "primary_image": "/media/products/rose-red.jpg",
    }


def test_base_price_is_a_json_number_of_euros(supplier_client):
    roses(supplier_of(supplier_client), price=1999)
    response = supplier_client.get(PRODUCTS)
    assert b'"base_price":19.99' in response.content


def test_a_product_without_sku_category_or_image_lists_them_as_null(supplier_client):
    ProductFactory(supplier=supplier_of(supplier_client), sku="", category=None, stock_qty=3,
                   approval_status=Product.PENDING)
    [row] = ok(supplier_client.get(PRODUCTS))["products"]
    assert (row["sku"], row["category"], row["primary_image"]) == (None, None, None)
    assert (row["stock_status"], row["is_approved"]) == ("low_stock", False)


def test_the_list_holds_only_the_suppliers_own_live_products_newest_first(supplier_client):
    # given
    supplier = supplier_of(supplier_client)
    older, newer = ProductFactory(supplier=supplier), ProductFactory(supplier=supplier)
    ProductFactory(supplier=supplier, deleted_at=timezone.now())
    ProductFactory()  # another supplier's
    ProductFactory(supplier=None)  # the operator's own
    # when / then
    assert ids(supplier_client.get(PRODUCTS)) == [newer.pk, older.pk]


def test_the_status_filter_finds_active_inactive_pending_and_rejected_products(supplier_client):
    # given
    supplier = supplier_of(supplier_client)
    on_sale = ProductFactory(supplier=supplier)
    off_sale = ProductFactory(supplier=supplier, is_active=False)
    waiting = ProductFactory(supplier=supplier, approval_status=Product.PENDING)
    refused = ProductFactory(supplier=supplier, approval_status=Product.REJECTED, rejection_reason="Blurry")
    ProductFactory(is_active=False)  # another supplier's
    # when / then
    assert ids(supplier_client.get(f"{PRODUCTS}?status=active")) == [on_sale.pk]
    assert ids(supplier_client.get(f"{PRODUCTS}?status=inactive")) == [off_sale.pk]
    assert ids(supplier_client.get(f"{PRODUCTS}?status=pending")) == [waiting.pk]
    assert ids(supplier_client.get(f"{PRODUCTS}?status=rejected")) == [refused.pk]


def test_an_unknown_status_is_a_400_naming_it(supplier_client):
    details = error(supplier_client.get(f"{PRODUCTS}?status=approved"), 400, "VALIDATION_ERROR")["details"]
    assert "status" in details


def test_search_finds_products_by_name_or_sku_in_any_case(supplier_client):
    # given
    supplier = supplier_of(supplier_client)
    naomi = ProductFactory(supplier=supplier, name="Red Naomi rose", sku="RN-60")
    tulip = ProductFactory(supplier=supplier, name="Tulip", sku="TU-NAOMI-2")
    ProductFactory(supplier=supplier, name="Lily", sku="LI-1", description="naomi in the description only")
    ProductFactory(name="Naomi of another supplier")
    # when / then
    assert ids(supplier_client.get(f"{PRODUCTS}?search=naomi")) == [tulip.pk, naomi.pk]
    assert ids(supplier_client.get(f"{PRODUCTS}?search=rn-60")) == [naomi.pk]
    assert len(ids(supplier_client.get(f"{PRODUCTS}?search="))) == 3  # an empty search box filters nothing


def test_the_list_pages_by_20_and_at_most_100(supplier_client):
    # given
    ProductFactory.create_batch(21, supplier=supplier_of(supplier_client))
    # when
    first = ok(supplier_client.get(PRODUCTS))
    second = ok(supplier_client.get(f"{PRODUCTS}?page=2"))
    clamped = ok(supplier_client.get(f"{PRODUCTS}?per_page=500"))
    # then
    assert len(first["products"]) == 20 and first["pagination"]["total_pages"] == 2
    assert len(second["products"]) == 1 and second["pagination"]["current_page"] == 2
    assert clamped["pagination"]["per_page"] == 100 and len(clamped["products"]) == 21


def test_a_page_costs_the_same_queries_whatever_its_size(make_supplier_client):
    # given: products with categories and images, so a per-row query would show
    supplier = SupplierFactory()
    client = make_supplier_client(supplier, rate_limit_override="1000/m")
    for n in range(6):
        add_image(ProductFactory(supplier=supplier), f"p{n}", primary=True)
    assert client.get(PRODUCTS).status_code == 200  # warms the key
    # when
    counts = []
    for per_page in (1, 6, 100):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{PRODUCTS}?per_page={per_page}&search=product&status=active").status_code == 200
        counts.append(len(queries))
    # then
    assert counts == [1, 1, 1]


# --- GET /products/{id} -------------------------------------------------------------------


def test_a_products_detail_has_its_images_approval_and_every_field(supplier_client):
    # given
    product = roses(
        supplier_of(supplier_client), description="Long-stemmed red roses", min_order_qty=10, color="Red",
        stem_length=60, country_of_origin="Netherlands", approval_status=Product.REJECTED,
        rejection_reason="Blurry photos",
    )
    second = add_image(product, "rose-2", position=1)
    first = add_image(product, "rose-1", primary=True, position=0)
    # when
    data = ok(supplier_client.get(f"{PRODUCTS}/{product.pk}"))
    # then
    assert_same_shape(data, {**PRODUCT_DETAIL_EXAMPLE, "is_approved": False})
    for image in data["images"]:
        assert_same_shape(image, IMAGE_EXAMPLE)
    assert data["images"] == [
        {"id": first.pk, "url": "/media/products/rose-1.jpg", "thumbnail_url": "/media/products/thumbs/rose-1.jpg",
         "is_primary": True},
        {"id": second.pk, "url": "/media/products/rose-2.jpg", "thumbnail_url": "/media/products/thumbs/rose-2.jpg",
         "is_primary": False},
    ]
    assert data["primary_image"] == "/media/products/rose-1.jpg"
    assert (data["approval_status"], data["rejection_reason"], data["is_approved"]) == (
        "rejected", "Blurry photos", False)
    assert (data["base_price"], data["vat_rate"], data["min_order_qty"], data["stem_length"]) == (2.5, 21, 10, 60)
    assert (data["color"], data["country_of_origin"]) == ("Red", "Netherlands")
    assert data["created_at"].endswith("Z")


def test_a_detail_agrees_with_the_list_on_the_lists_fields(supplier_client):
    product = roses(supplier_of(supplier_client))
    add_image(product, "only", primary=True)
    [listed] = ok(supplier_client.get(PRODUCTS))["products"]
    detail = ok(supplier_client.get(f"{PRODUCTS}/{product.pk}"))
    assert {name: detail[name] for name in listed} == listed


def test_a_product_without_images_has_an_empty_image_list(supplier_client):
    product = ProductFactory(supplier=supplier_of(supplier_client), color="", rejection_reason="")
    data = ok(supplier_client.get(f"{PRODUCTS}/{product.pk}"))
    assert (data["images"], data["primary_image"], data["color"], data["rejection_reason"]) == ([], None, None, None)


def test_another_suppliers_product_is_not_found_like_a_missing_one(supplier_client):
    # given
    theirs = ProductFactory()
    mine = ProductFactory(supplier=supplier_of(supplier_client))
    missing = mine.pk + theirs.pk + 1000
    # when
    other = supplier_client.get(f"{PRODUCTS}/{theirs.pk}")
    absent = supplier_client.get(f"{PRODUCTS}/{missing}")
    deleted = ProductFactory(supplier=supplier_of(supplier_client), deleted_at=timezone.now())
    gone = supplier_client.get(f"{PRODUCTS}/{deleted.pk}")
    # then
    error(other, 404, "NOT_FOUND")
    assert other.json() == absent.json() == gone.json()


# --- POST /products -----------------------------------------------------------------------


def test_creating_a_product_with_the_required_fields_applies_the_contracts_defaults(supplier_client):
    # given: a category of supplies; the product is a flower all the same unless it says otherwise
    vases = CategoryFactory(name="Vases", type=Category.TYPE_SUPPLY)
    # when
    response = supplier_client.post(
        PRODUCTS, {"name": "Red Roses", "category_id": vases.pk, "base_price": 2.5, "unit": "stem"}, format="json"
    )
    # then
    data = ok(response, 201)
    assert_same_shape(data, {**PRODUCT_DETAIL_EXAMPLE, "sku": None, "primary_image": None, "is_approved": False,
                             "color": None, "stem_length": None, "country_of_origin": None,
                             "rejection_reason": None})
    product = Product.objects.get(pk=data["id"])
    assert product.supplier_id == supplier_of(supplier_client).pk
    assert (product.price, product.type, product.unit, product.category_id) == (250, "flower", "stem", vases.pk)
    assert (product.vat_rate, product.min_order_qty, product.stock_qty) == (21, 1, 0)
    assert (product.approval_status, product.is_active) == (Product.PENDING, True)
    assert (data["approval_status"], data["is_approved"], data["base_price"], data["vat_rate"]) == (
        "pending", False, 2.5, 21)
    assert Event.objects.get(type="product.created").data["id"] == product.pk


def test_creating_a_product_takes_every_field_of_the_contract(supplier_client):
    # given
    roses_category = CategoryFactory(name="Roses")
    body = {
        "name": "Red Roses Premium", "category_id": roses_category.pk, "base_price": 2.57, "unit": "bunch",
        "type": "supply", "description": "Fresh", "sku": "ROSE-RED-001", "stock_qty": 500, "min_order_qty": 5,
        "color": "Red", "stem_length": 60, "country_of_origin": "Netherlands", "vat_rate": 9.5, "image_url": "",
    }
    # when
    data = ok(supplier_client.post(PRODUCTS, body, format="json"), 201)
    # then
    product = Product.objects.get(pk=data["id"])
    assert (product.price, product.type, product.unit, product.sku, product.stock_qty, product.min_order_qty) == (
        257, "supply", "bunch", "ROSE-RED-001", 500, 5)
    assert (product.color, product.stem_length, product.country_of_origin, str(product.vat_rate)) == (
        "Red", 60, "Netherlands", "9.50")
    assert (data["base_price"], data["vat_rate"], data["category"]) == (
        2.57, 9.5, {"id": roses_category.pk, "name": "Roses"})


def test_creating_without_the_required_fields_is_a_422_naming_each(supplier_client):
    response = supplier_client.post(PRODUCTS, {"description": "no name"}, format="json")
    details = error(response, 422, "VALIDATION_ERROR")["details"]
    assert {"name", "category_id", "base_price", "unit"} <= set(details)
    assert not Product.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("base_price", "2.50"),  # a string, not a number
    ("base_price", 2.555),  # more than cents
    ("base_price", -1),
    ("vat_rate", 100.5),
    ("vat_rate", "21"),
    ("vat_rate", 9.555),
    ("unit", "litre"),
    ("type", "plant"),
    ("stock_qty", -1),
    ("min_order_qty", 0),
    ("category_id", 0),
    ("name", "   "),
    ("image_url", 5),
    ("supplier_id", 99),  # the tenant comes from the key, never from the body
    ("approval_status", "approved"),
])
def test_a_bad_create_body_is_a_422_naming_the_field(supplier_client, field, value):
    category = CategoryFactory()
    body = {"name": "Roses", "category_id": category.pk, "base_price": 2.5, "unit": "stem", field: value}
    details = error(supplier_client.post(PRODUCTS, body, format="json"), 422, "VALIDATION_ERROR")["details"]
    assert field in details
    assert not Product.objects.exists()


def test_an_unknown_category_is_a_422_naming_category_id(supplier_client):
    body = {"name": "Roses", "category_id": 10**12, "base_price": 2.5, "unit": "stem"}
    details = error(supplier_client.post(PRODUCTS, body, format="json"), 422, "VALIDATION_ERROR")["details"]
    assert "category_id" in details


def test_a_sku_is_unique_among_the_suppliers_live_products_only(supplier_client):
    # given
    supplier = supplier_of(supplier_client)
    category = CategoryFactory()
    taken = ProductFactory(supplier=supplier, sku="ROSE-1")
    ProductFactory(sku="THEIRS-1")  # another supplier's
    body = {"name": "Roses", "category_id": category.pk, "base_price": 2.5, "unit": "stem"}
    # when / then: the supplier's own live SKU is a 422 naming sku
    clash = error(supplier_client.post(PRODUCTS, {**body, "sku": "ROSE-1"}, format="json"), 422, "VALIDATION_ERROR")
    assert "sku" in clash["details"]
    assert Product.objects.filter(sku="ROSE-1").count() == 1
    # another supplier's SKU is free for this one
    assert ok(supplier_client.post(PRODUCTS, {**body, "sku": "THEIRS-1"}, format="json"), 201)["sku"] == "THEIRS-1"
    # and a deleted product's SKU is free again
    ok(supplier_client.post(f"{PRODUCTS}/{taken.pk}/delete"))
    assert ok(supplier_client.post(PRODUCTS, {**body, "sku": "ROSE-1"}, format="json"), 201)["sku"] == "ROSE-1"


# --- POST /products/{id} ------------------------------------------------------------------


def test_an_update_changes_only_the_given_fields_and_answers_the_product(supplier_client):
    # given
    product = roses(supplier_of(supplier_client), description="keep me")
    before = snapshot(product)
    # when
    response = supplier_client.post(
        f"{PRODUCTS}/{product.pk}", {"base_price": 3.1, "stock_qty": 42, "vat_rate": 9}, format="json"
    )
    # then
    data = ok(response)
    assert (data["id"], data["base_price"], data["stock_qty"], data["vat_rate"]) == (product.pk, 3.1, 42, 9)
    after = snapshot(product)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"price", "stock_qty", "vat_rate", "updated_at"}
    assert (after["price"], after["description"]) == (310, "keep me")
    assert Event.objects.get(type="product.updated").data["id"] == product.pk


def test_a_supplier_takes_a_product_off_sale_and_back_with_is_active(supplier_client):
    product = ProductFactory(supplier=supplier_of(supplier_client))
    assert ok(supplier_client.post(f"{PRODUCTS}/{product.pk}", {"is_active": False}, format="json"))[
        "is_active"] is False
    product.refresh_from_db()
    assert (product.is_active, product.approval_status) == (False, Product.APPROVED)
    assert ids(supplier_client.get(f"{PRODUCTS}?status=inactive")) == [product.pk]
    ok(supplier_client.post(f"{PRODUCTS}/{product.pk}", {"is_active": True}, format="json"))
    assert ids(supplier_client.get(f"{PRODUCTS}?status=active")) == [product.pk]


def test_editing_a_rejected_product_sends_it_back_for_approval(supplier_client):
    product = ProductFactory(supplier=supplier_of(supplier_client), approval_status=Product.REJECTED,
                             rejection_reason="Blurry")
    data = ok(supplier_client.post(f"{PRODUCTS}/{product.pk}", {"description": "Sharper"}, format="json"))
    assert data["approval_status"] == "pending"
    product.refresh_from_db()
    assert product.approval_status == Product.PENDING


def test_a_bad_update_body_is_a_422_naming_each_field_and_changes_nothing(supplier_client):
    # given
    product = ProductFactory(supplier=supplier_of(supplier_client))
    before = snapshot(product)
    # when
    response = supplier_client.post(
        f"{PRODUCTS}/{product.pk}",
        {"base_price": -1, "is_active": "no", "supplier_id": 1, "image_url": "https://example.com/a.jpg", "name": ""},
        format="json",
    )
    # then
    details = error(response, 422, "VALIDATION_ERROR")["details"]
    assert {"base_price", "is_active", "supplier_id", "image_url", "name"} <= set(details)
    assert snapshot(product) == before


def test_updating_to_a_sku_the_supplier_already_uses_is_a_422_naming_sku(supplier_client):
    supplier = supplier_of(supplier_client)
    ProductFactory(supplier=supplier, sku="ROSE-1")
    product = ProductFactory(supplier=supplier, sku="ROSE-2")
    details = error(supplier_client.post(f"{PRODUCTS}/{product.pk}", {"sku": "ROSE-1"}, format="json"),
                    422, "VALIDATION_ERROR")["details"]
    assert "sku" in details
    product.refresh_from_db()
    assert product.sku == "ROSE-2"


def test_updating_another_suppliers_product_is_not_found_and_changes_nothing(supplier_client):
    # given
    theirs = ProductFactory()
    before = snapshot(theirs)
    missing = theirs.pk + 1000
    # when
    other = supplier_client.post(f"{PRODUCTS}/{theirs.pk}", {"stock_qty": 0, "is_active": False}, format="json")
    absent = supplier_client.post(f"{PRODUCTS}/{missing}", {"stock_qty": 0, "is_active": False}, format="json")
    # then
    error(other, 404, "NOT_FOUND")
    assert other.json() == absent.json()
    assert snapshot(theirs) == before
    assert not Event.objects.exists()


# --- POST /products/{id}/delete -----------------------------------------------------------


def test_deleting_a_product_hides_it_and_answers_200(supplier_client):
    # given
    product = ProductFactory(supplier=supplier_of(supplier_client))
    # when
    data = ok(supplier_client.post(f"{PRODUCTS}/{product.pk}/delete"))
    # then
    assert data == {"id": product.pk, "message": "Product deleted successfully"}
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert ids(supplier_client.get(PRODUCTS)) == []
    error(supplier_client.get(f"{PRODUCTS}/{product.pk}"), 404, "NOT_FOUND")
    error(supplier_client.post(f"{PRODUCTS}/{product.pk}/delete"), 404, "NOT_FOUND")  # already gone


def test_deleting_another_suppliers_product_is_not_found_and_changes_nothing(supplier_client):
    theirs = ProductFactory()
    before = snapshot(theirs)
    other = supplier_client.post(f"{PRODUCTS}/{theirs.pk}/delete")
    absent = supplier_client.post(f"{PRODUCTS}/{theirs.pk + 1000}/delete")
    error(other, 404, "NOT_FOUND")
    assert other.json() == absent.json()
    assert snapshot(theirs) == before


# --- who may call them --------------------------------------------------------------------

DOORS = [
    ("get", PRODUCTS),
    ("get", PRODUCTS + "/{id}"),
    ("post", PRODUCTS),
    ("post", PRODUCTS + "/{id}"),
    ("post", PRODUCTS + "/{id}/delete"),
]


def _call(client, method: str, path: str, product: Product):
    url = path.format(id=product.pk)
    if method == "get":
        return client.get(url)
    body = {"stock_qty": 1} if url != PRODUCTS else {
        "name": "X", "category_id": product.category_id, "base_price": 1, "unit": "stem"}
    return client.post(url, body, format="json")


@pytest.mark.parametrize("method, path", DOORS)
def test_an_unverified_suppliers_key_is_403(make_supplier_client, method, path):
    supplier = SupplierFactory(is_verified=False)
    product = ProductFactory(supplier=supplier)
    before = snapshot(product)
    error(_call(make_supplier_client(supplier), method, path, product), 403, "FORBIDDEN")
    assert snapshot(product) == before and Product.objects.count() == 1


@pytest.mark.parametrize("method, path", DOORS)
def test_a_revoked_key_is_403(make_supplier_client, method, path):
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier)
    client = make_supplier_client(supplier)
    api_key_revoke(api_key=client.api_key)
    error(_call(client, method, path, product), 403, "FORBIDDEN")
    assert Product.objects.filter(deleted_at__isnull=True, stock_qty=100).count() == 1


@pytest.mark.parametrize("method, path", DOORS)
def test_a_staff_key_is_403(staff_client, method, path):
    product = ProductFactory()
    error(_call(staff_client, method, path, product), 403, "FORBIDDEN")
    assert Product.objects.filter(deleted_at__isnull=True, stock_qty=100).count() == 1


@pytest.mark.parametrize("method, path", DOORS)
def test_a_missing_or_unknown_key_is_401(anon_client, method, path):
    product = ProductFactory()
    error(_call(anon_client, method, path, product), 401, "UNAUTHORIZED")
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_0123456789ab_nope")
    error(_call(anon_client, method, path, product), 401, "UNAUTHORIZED")
    assert Product.objects.filter(deleted_at__isnull=True, stock_qty=100).count() == 1


# --- the OpenAPI document -----------------------------------------------------------------


def test_the_openapi_document_shows_the_supplier_envelope_around_products(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    components = schema["components"]["schemas"]

    def resolve(node):
        ref = node.get("$ref")
        return components[ref.rsplit("/", 1)[1]] if ref else node

    def success_data(path, method, status="200"):
        operation = schema["paths"][path][method]
        body = resolve(operation["responses"][status]["content"]["application/json"]["schema"])
        assert set(body["properties"]) == {"success", "data"}, (path, method)
        return resolve(body["properties"]["data"])

    page = success_data("/api/v1/supplier/products", "get")
    assert set(page["properties"]) == {"products", "pagination"}
    item = resolve(page["properties"]["products"]["items"])
    assert set(item["properties"]) == set(PRODUCT_EXAMPLE)
    assert item["properties"]["base_price"]["type"] == "number"
    detail = success_data("/api/v1/supplier/products/{id}", "get")
    assert set(detail["properties"]) == set(PRODUCT_DETAIL_EXAMPLE)
    assert set(success_data("/api/v1/supplier/products", "post", "201")["properties"]) == set(PRODUCT_DETAIL_EXAMPLE)
    assert set(success_data("/api/v1/supplier/products/{id}/delete", "post")["properties"]) == {"id", "message"}
    categories = success_data("/api/v1/supplier/categories", "get")
    assert set(categories["properties"]) == {"categories", "pagination"}
    create = resolve(schema["paths"]["/api/v1/supplier/products"]["post"]["requestBody"]["content"][
        "application/json"]["schema"])
    assert set(create["required"]) == {"name", "category_id", "base_price", "unit"}
    assert create["properties"]["vat_rate"]["type"] == "number"


def test_a_supplier_cannot_file_a_product_under_an_inactive_category(supplier_client):
    # given a category staff have retired (the supplier's category list no longer shows it)
    retired = CategoryFactory(is_active=False)
    body = {"name": "Roses", "category_id": retired.pk, "base_price": 2.5, "unit": "stem"}
    # when
    response = supplier_client.post(PRODUCTS, body, format="json")
    # then
    details = error(response, 422, "VALIDATION_ERROR")["details"]
    assert details == {"category_id": f"No category with id {retired.pk}."}
    assert not Product.objects.exists()


@pytest.mark.parametrize("base_price", [2.500000001, 0.001, -0.01])
def test_a_price_with_more_than_cents_is_refused_but_float_noise_is_not(supplier_client, base_price):
    category = CategoryFactory()
    body = {"name": "Roses", "category_id": category.pk, "base_price": base_price, "unit": "stem"}
    assert "base_price" in error(supplier_client.post(PRODUCTS, body, format="json"), 422, "VALIDATION_ERROR")[
        "details"]
    noisy = supplier_client.post(PRODUCTS, {**body, "base_price": 0.1 + 0.2}, format="json")  # 0.30000000000000004
    assert noisy.status_code == 201 and Product.objects.get().price == 30

"""The portal's product pages: list (search, status, stock, pages), create, edit, delete, with the API's rules."""
import pytest

from commerce.actors import Actor
from commerce.models import Product
from commerce.services import product_reject
from tests.factories import CategoryFactory, ProductFactory, SupplierFactory
from webhooks.models import Event

from .portal_helpers import edit_data, portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return portal_client()


def product_form(category, **overrides) -> dict:
    return {
        "name": "Red Roses Premium", "category_id": category.pk, "base_price": "2.50", "unit": "stem",
        "type": "flower", "sku": "ROSE-RED-001", "description": "Long-stemmed", "stock_qty": "500",
        "min_order_qty": "10", "color": "red", "stem_length": "60", "country_of_origin": "Kenya",
        "vat_rate": "9", **overrides,
    }


# --- list ----------------------------------------------------------------------------------------


def test_the_list_shows_only_my_live_products_with_their_status(client):
    ProductFactory(supplier=client.supplier, name="Tulip Yellow", approval_status=Product.PENDING)
    ProductFactory(supplier=client.supplier, name="Gone Rose", deleted_at="2026-01-01T00:00:00Z")
    ProductFactory(name="Someone Else's Lily")

    page = client.get("/portal/products/").content.decode()

    assert "Tulip Yellow" in page and "Pending approval" in page
    assert "Gone Rose" not in page
    assert "Someone Else" not in page


def test_the_list_searches_name_or_sku_and_filters_by_status(client):
    ProductFactory(supplier=client.supplier, name="Rose Red", sku="R-1")
    ProductFactory(supplier=client.supplier, name="Tulip", sku="ROSE-LIKE")
    ProductFactory(supplier=client.supplier, name="Rose Off", sku="R-3", is_active=False)
    ProductFactory(supplier=client.supplier, name="Rose Refused", sku="R-4", approval_status=Product.REJECTED)
    ProductFactory(supplier=client.supplier, name="Lily", sku="L-1")

    found = client.get("/portal/products/?search=rose").content.decode()
    active = client.get("/portal/products/?search=rose&status=active").content.decode()
    inactive = client.get("/portal/products/?status=inactive").content.decode()
    rejected = client.get("/portal/products/?status=rejected").content.decode()

    assert all(name in found for name in ("Rose Red", "Tulip", "Rose Off", "Rose Refused")) and "Lily" not in found
    assert "Rose Red" in active and "Tulip" in active and "Rose Off" not in active and "Rose Refused" not in active
    assert "Rose Off" in inactive and "Rose Red" not in inactive
    assert "Rose Refused" in rejected and "Rose Red" not in rejected


def test_the_list_filters_low_stock_products(client):
    ProductFactory(supplier=client.supplier, name="Almost Gone", stock_qty=3, low_stock_threshold=10)
    ProductFactory(supplier=client.supplier, name="Sold Out", stock_qty=0)
    ProductFactory(supplier=client.supplier, name="Plenty", stock_qty=500)

    page = client.get("/portal/products/?stock=low").content.decode()

    assert "Almost Gone" in page and "Sold Out" in page and "Plenty" not in page


def test_the_list_is_paginated_twenty_a_page_keeping_the_filters(client):
    for n in range(25):
        ProductFactory(supplier=client.supplier, name=f"Rose {n:02d}")

    first = client.get("/portal/products/?search=rose").content.decode()
    second = client.get("/portal/products/?search=rose&page=2").content.decode()
    beyond = client.get("/portal/products/?search=rose&page=99")

    assert "Page 1 of 2 · 25 products" in first
    assert 'href="?search=rose&amp;page=2"' in first
    assert "Rose 00" in second and "Rose 24" not in second
    assert beyond.status_code == 200 and "Page 2 of 2" in beyond.content.decode()


def test_an_unknown_status_filter_is_not_an_error(client):
    ProductFactory(supplier=client.supplier, name="Rose")

    response = client.get("/portal/products/?status=bogus")

    assert response.status_code == 200
    assert "Rose" in response.content.decode()


# --- create --------------------------------------------------------------------------------------


def test_creating_a_product_stores_every_field_and_leaves_it_pending(client):
    category = CategoryFactory()

    response = client.post("/portal/products/new/", product_form(category))

    product = Product.objects.get(supplier=client.supplier)
    assert response.status_code == 302 and response["Location"] == f"/portal/products/{product.pk}/"
    assert (product.name, product.price, product.unit, product.type, product.sku) == (
        "Red Roses Premium", 250, "stem", "flower", "ROSE-RED-001")
    assert (product.stock_qty, product.min_order_qty, product.color, product.stem_length) == (500, 10, "red", 60)
    assert (product.country_of_origin, str(product.vat_rate), product.category_id) == ("Kenya", "9.00", category.pk)
    assert product.approval_status == Product.PENDING
    page = client.get(response["Location"]).content.decode()
    assert "waits for approval" in page and "Pending approval" in page
    assert Event.objects.filter(type="product.created").count() == 1


def test_the_create_form_shows_field_errors_next_to_the_fields(client):
    response = client.post("/portal/products/new/", product_form(
        CategoryFactory(), name="", base_price="2.555", stock_qty="-1", vat_rate="101", unit="litre"))

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "base_price", "stock_qty", "vat_rate", "unit"}
    assert 'id="id_base_price_error"' in response.content.decode()
    assert not Product.objects.exists()


def test_a_sku_i_already_use_is_refused_by_the_same_rule_as_the_api(client):
    ProductFactory(supplier=client.supplier, sku="ROSE-RED-001")
    ProductFactory(sku="ELSEWHERE")  # another supplier's SKU is free for me

    taken = client.post("/portal/products/new/", product_form(CategoryFactory()))
    free = client.post("/portal/products/new/", product_form(CategoryFactory(), sku="ELSEWHERE"))

    assert taken.status_code == 200
    assert taken.context["form"].errors["sku"] == ["A product with SKU 'ROSE-RED-001' already exists."]
    assert free.status_code == 302


def test_an_inactive_category_cannot_be_chosen(client):
    hidden = CategoryFactory(is_active=False)

    response = client.post("/portal/products/new/", product_form(hidden))

    assert response.status_code == 200 and "category_id" in response.context["form"].errors
    assert not Product.objects.exists()


def test_a_supplier_id_in_the_form_is_ignored(client):
    other = SupplierFactory()

    client.post("/portal/products/new/", {**product_form(CategoryFactory()), "supplier_id": other.pk})

    assert Product.objects.get().supplier == client.supplier


# --- edit ----------------------------------------------------------------------------------------


def test_the_edit_page_shows_the_product_filled_in(client):
    product = ProductFactory(supplier=client.supplier, name="Rose", price=1234, stem_length=None)

    response = client.get(f"/portal/products/{product.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Rose"' in page and 'value="12.34"' in page


def test_editing_changes_only_what_was_changed_on_the_page(client):
    product = ProductFactory(supplier=client.supplier, name="Rose", stock_qty=100, price=1000)
    form = client.get(f"/portal/products/{product.pk}/").context["form"]
    Product.objects.filter(pk=product.pk).update(stock_qty=42)  # the API sold some meanwhile

    response = client.post(f"/portal/products/{product.pk}/", edit_data(form, name="Rose Deluxe", base_price="11"))

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.price, product.stock_qty) == ("Rose Deluxe", 1100, 42)
    assert "Your changes were saved" in client.get(response["Location"]).content.decode()


def test_unticking_on_sale_takes_the_product_off_sale(client):
    product = ProductFactory(supplier=client.supplier)
    form = client.get(f"/portal/products/{product.pk}/").context["form"]

    client.post(f"/portal/products/{product.pk}/", edit_data(form, is_active=False))

    product.refresh_from_db()
    assert product.is_active is False


def test_a_rejected_product_shows_the_reason_and_an_edit_resubmits_it(client):
    product = ProductFactory(supplier=client.supplier, approval_status=Product.PENDING)
    product_reject(product=product, actor=Actor.system(), reason="The photo shows tulips, not roses.")

    page = client.get(f"/portal/products/{product.pk}/")
    assert "The photo shows tulips, not roses." in page.content.decode()
    client.post(f"/portal/products/{product.pk}/", edit_data(page.context["form"], description="Roses, really"))

    product.refresh_from_db()
    assert product.approval_status == Product.PENDING


def test_an_edit_with_errors_keeps_the_product_as_it_was(client):
    product = ProductFactory(supplier=client.supplier, name="Rose")
    form = client.get(f"/portal/products/{product.pk}/").context["form"]

    response = client.post(f"/portal/products/{product.pk}/", edit_data(form, name="   ", min_order_qty="0"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "min_order_qty"}
    product.refresh_from_db()
    assert product.name == "Rose"


# --- delete --------------------------------------------------------------------------------------


def test_deleting_asks_first_then_soft_deletes(client):
    product = ProductFactory(supplier=client.supplier, name="Rose", sku="R-1")

    confirm = client.get(f"/portal/products/{product.pk}/delete/")
    assert confirm.status_code == 200 and "Delete “Rose”?" in confirm.content.decode()
    product.refresh_from_db()
    assert product.deleted_at is None

    response = client.post(f"/portal/products/{product.pk}/delete/")

    assert response["Location"] == "/portal/products/"
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert client.get(f"/portal/products/{product.pk}/").status_code == 404
    assert "“Rose” was deleted" in client.get("/portal/products/").content.decode()


def test_the_list_and_the_dashboard_cost_the_same_queries_for_3_or_20_products(client):
    from tests.helpers import queries_for

    for _ in range(3):
        ProductFactory(supplier=client.supplier, stock_qty=1)
    few = (queries_for(client, "/portal/products/"), queries_for(client, "/portal/"))
    for _ in range(17):
        ProductFactory(supplier=client.supplier, stock_qty=1)

    assert (queries_for(client, "/portal/products/"), queries_for(client, "/portal/")) == few


def test_a_bad_filter_value_is_shown_and_the_good_ones_still_apply(client):
    ProductFactory(supplier=client.supplier, name="Rose")
    ProductFactory(supplier=client.supplier, name="Lily")

    response = client.get("/portal/products/?status=bogus&search=rose")

    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "Rose" in page and "Lily" not in page

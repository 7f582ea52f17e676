"""Product rules: who approves what, SKUs per seller, soft delete; and the database's own guards."""
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import services
from commerce.actors import Actor
from commerce.models import Product, ProductImage
from tests.factories import ProductFactory, SupplierFactory
from verso.errors import InvalidTransition, NotFound, ValidationFailed
from webhooks.models import Event

pytestmark = pytest.mark.django_db

STAFF = Actor(kind="staff")  # a staff login or Staff API key, as far as the rules care


def test_a_supplier_creates_a_pending_product_for_itself_whatever_it_asks(db):
    # given
    mine, other = SupplierFactory(), SupplierFactory()
    # when
    product = services.product_create(
        actor=Actor.supplier(mine.pk), name="Rose", price=100, supplier_id=other.pk, sku="R-1"
    )
    # then
    assert (product.supplier_id, product.approval_status) == (mine.pk, Product.PENDING)
    assert Event.objects.get(type="product.created").data["approval_status"] == "pending"


def test_a_supplier_that_names_no_supplier_still_creates_its_own_product(db):
    mine = SupplierFactory()
    product = services.product_create(actor=Actor.supplier(mine.pk), name="Rose", price=100)
    assert product.supplier_id == mine.pk


def test_staff_create_products_approved_for_any_seller(db):
    supplier = SupplierFactory()
    product = services.product_create(actor=STAFF, name="Rose", price=100, supplier_id=supplier.pk)
    assert (product.supplier_id, product.approval_status) == (supplier.pk, Product.APPROVED)


def test_a_product_takes_its_categorys_type_unless_told(db):
    from tests.factories import CategoryFactory

    vases = CategoryFactory(type="supply")
    assert services.product_create(actor=STAFF, name="Vase", price=1, category_id=vases.pk).type == "supply"
    assert services.product_create(actor=STAFF, name="Odd", price=1, category_id=vases.pk,
                                   type="flower").type == "flower"


def test_slugs_are_made_unique(db):
    first = services.product_create(actor=STAFF, name="Red Rose", price=1)
    second = services.product_create(actor=STAFF, name="Red Rose", price=1)
    assert (first.slug, second.slug) == ("red-rose", "red-rose-2")


def test_a_slug_that_slugifies_to_nothing_falls_back_to_the_name(db):
    created = services.product_create(actor=STAFF, name="Red Rose", price=1, slug="---")
    assert created.slug == "red-rose"
    updated = services.product_update(product=created, actor=STAFF, changes={"slug": "!!!", "name": "Tulip"})
    assert updated.slug == "tulip"


def test_a_client_given_slug_already_taken_is_made_unique_too(db):
    first = services.product_create(actor=STAFF, name="Red Rose", price=1, slug="roses")
    second = services.product_create(actor=STAFF, name="White Rose", price=1, slug="roses")
    third = services.product_create(actor=STAFF, name="Pink Rose", price=1)
    moved = services.product_update(product=third, actor=STAFF, changes={"slug": "roses"})
    assert (first.slug, second.slug, moved.slug) == ("roses", "roses-2", "roses-3")
    # keeping one's own slug is not a clash
    assert services.product_update(product=first, actor=STAFF, changes={"slug": "roses"}).slug == "roses"


def test_a_slug_as_long_as_the_column_still_gets_a_suffix_that_fits(db):
    long_slug = "a" * 220
    services.product_create(actor=STAFF, name="A", price=1, slug=long_slug)
    second = services.product_create(actor=STAFF, name="A", price=1, slug=long_slug)
    assert second.slug == "a" * 218 + "-2"


def test_a_rejection_needs_a_reason_and_approval_clears_it(db):
    product = ProductFactory(approval_status=Product.PENDING)
    with pytest.raises(ValidationFailed):
        services.product_reject(product=product, actor=STAFF, reason="  ")
    rejected = services.product_reject(product=product, actor=STAFF, reason="No photos")
    assert (rejected.approval_status, rejected.rejection_reason) == ("rejected", "No photos")
    approved = services.product_approve(product=product, actor=STAFF)
    assert (approved.approval_status, approved.rejection_reason) == ("approved", "")
    with pytest.raises(InvalidTransition):
        services.product_approve(product=product, actor=STAFF)


def test_suppliers_cannot_approve_products(db):
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, approval_status=Product.PENDING)
    with pytest.raises(NotFound):
        services.product_approve(product=product, actor=Actor.supplier(supplier.pk))


def test_a_supplier_editing_a_rejected_product_sends_it_back_for_approval(db):
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, approval_status=Product.REJECTED, rejection_reason="blurry")
    updated = services.product_update(product=product, actor=Actor.supplier(supplier.pk),
                                      changes={"description": "New photos"})
    assert updated.approval_status == Product.PENDING


def test_a_supplier_cannot_edit_another_suppliers_product(db):
    product = ProductFactory()
    with pytest.raises(NotFound):
        services.product_update(product=product, actor=Actor.supplier(SupplierFactory().pk),
                                changes={"price": 1})


def test_a_taken_sku_is_a_validation_error_naming_sku(db):
    supplier = SupplierFactory()
    ProductFactory(supplier=supplier, sku="X-1")
    with pytest.raises(ValidationFailed) as created:
        services.product_create(actor=STAFF, name="Dup", price=1, sku="X-1", supplier_id=supplier.pk)
    assert "sku" in created.value.details
    other = ProductFactory(supplier=supplier, sku="X-2")
    with pytest.raises(ValidationFailed) as updated:
        services.product_update(product=other, actor=STAFF, changes={"sku": "X-1"})
    assert "sku" in updated.value.details


def test_soft_deleting_emits_an_update_and_frees_the_sku(db):
    product = ProductFactory(sku="S-1")
    services.product_soft_delete(product=product, actor=STAFF)
    assert Event.objects.get(type="product.updated").data["deleted_at"] is not None
    services.product_create(actor=STAFF, name="Again", price=1, sku="S-1", supplier_id=product.supplier_id)
    with pytest.raises(NotFound):
        services.product_soft_delete(product=product, actor=STAFF)


# --- the database's guards (they hold even if a service were bypassed) ---------------------


def test_the_database_refuses_a_second_live_sku_for_one_supplier(db):
    supplier = SupplierFactory()
    ProductFactory(supplier=supplier, sku="DB-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(supplier=supplier, sku="DB-1")
    ProductFactory(supplier=supplier, sku="DB-1-old", deleted_at=timezone.now())
    ProductFactory(supplier=supplier, sku="", name="no sku 1")
    ProductFactory(supplier=supplier, sku="", name="no sku 2")  # blank SKUs never collide


def test_the_database_refuses_a_second_live_operator_sku(db):
    ProductFactory(supplier=None, sku="OP-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(supplier=None, sku="OP-1")


def test_the_database_allows_a_deleted_duplicate_sku(db):
    supplier = SupplierFactory()
    ProductFactory(supplier=supplier, sku="D-1", deleted_at=timezone.now())
    ProductFactory(supplier=supplier, sku="D-1")  # would raise IntegrityError if deleted rows counted
    assert Product.objects.filter(supplier=supplier, sku="D-1").count() == 2


@pytest.mark.parametrize("field, value", [("price", -1), ("stock_qty", -1), ("compare_at_price", -5),
                                          ("min_order_qty", 0)])
def test_the_database_refuses_negative_numbers(db, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(**{field: value})


def test_the_database_allows_only_one_primary_image_per_product(db):
    product = ProductFactory()
    ProductImage.objects.create(product=product, image="products/a.jpg", is_primary=True)
    ProductImage.objects.create(product=product, image="products/b.jpg", is_primary=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductImage.objects.create(product=product, image="products/c.jpg", is_primary=True)


@pytest.mark.parametrize("field", [
    "price", "compare_at_price", "stock_qty", "min_order_qty", "low_stock_threshold", "stem_length",
])
@pytest.mark.parametrize("value", [2**31, 2**40, True])
def test_whole_numbers_beyond_the_column_or_booleans_are_refused(db, field, value):
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(actor=STAFF, **{"name": "Rose", "price": 1, field: value})
    assert set(refused.value.details) == {field}
    product = ProductFactory()
    with pytest.raises(ValidationFailed):
        services.product_update(product=product, actor=STAFF, changes={field: value})


@pytest.mark.parametrize("given, shown", [(None, "21.00"), ("9.5", "9.50"), (6, "6.00")])
def test_product_events_render_the_vat_rate_like_the_api_with_two_decimals(db, given, shown):
    # given / when
    fields = {} if given is None else {"vat_rate": given}
    product = services.product_create(actor=STAFF, name="Rose", price=100, stock_qty=5, **fields)
    # then the event, the API (from the database) and an order line all say the same
    from commerce import representations as rep
    from commerce import selectors

    api = rep.product_dict(rep.values_of(selectors.product_get(product_id=product.pk), rep.PRODUCT_VALUES))
    assert Event.objects.get(type="product.created").data["vat_rate"] == api["vat_rate"] == shown
    services.order_place(email="a@example.com", items=[{"product_id": product.pk, "quantity": 1}],
                         shipping_address={"line1": "1 Main", "city": "X", "postal_code": "1", "country": "NL"},
                         actor=STAFF)
    assert Event.objects.get(type="order.created").data["items"][0]["vat_rate"] == shown


def test_a_product_update_that_changes_nothing_writes_and_emits_nothing(db):
    # given
    product = ProductFactory(name="Rose", price=100, sku="R-1", approval_status="approved")
    updated_at = Product.objects.get(pk=product.pk).updated_at
    # when the same values come again (the name with stray spaces)
    services.product_update(product=product, actor=STAFF, changes={"name": " Rose ", "price": 100, "sku": "R-1"})
    # then
    assert not Event.objects.filter(type="product.updated").exists()
    assert Product.objects.get(pk=product.pk).updated_at == updated_at


def test_product_updated_carries_the_previous_values_of_what_changed_in_the_apis_terms(db):
    # given
    product = ProductFactory(name="Rose", price=100, stock_qty=5, approval_status="approved")
    # when
    services.product_update(product=product, actor=STAFF, changes={"name": "Rose", "stock_qty": 7, "vat_rate": 9})
    # then
    event = Event.objects.get(type="product.updated")
    assert event.data["previous_attributes"] == {"inventory_count": 5, "vat_rate": "21.00"}
    assert (event.data["inventory_count"], event.data["vat_rate"]) == (7, "9.00")


def test_approving_a_product_says_what_its_approval_status_was(db):
    product = ProductFactory(approval_status="pending")
    services.product_approve(product=product, actor=STAFF)
    assert Event.objects.get(type="product.updated").data["previous_attributes"] == {"approval_status": "pending"}


def test_an_unknown_product_field_is_a_422_naming_it(db):
    product = ProductFactory()
    with pytest.raises(ValidationFailed) as refused:
        services.product_update(product=product, actor=STAFF, changes={"colour": "red"})
    assert (refused.value.status_code, refused.value.details) == (422, {"colour": "Unknown field."})
    with pytest.raises(ValidationFailed):
        services.product_create(actor=STAFF, name="Rose", price=100, approval_status="approved")

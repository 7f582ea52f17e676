"""Placing orders: catalogue prices, availability rules, atomic stock, groups, totals and VAT."""
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, OrderGroup, Product, StatusChange
from tests.commerce.conftest import ADDRESS
from tests.factories import ProductFactory, SupplierFactory
from verso.errors import ValidationFailed
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def _stock(product) -> int:
    return Product.objects.values_list("stock_qty", flat=True).get(pk=product.pk)


def test_placing_an_order_takes_stock_and_snapshots_catalogue_prices(place_order):
    # given
    rose = ProductFactory(name="Red Naomi", sku="RN-1", price=250, stock_qty=100)
    # when
    order = place_order((rose, 10))
    # then
    assert _stock(rose) == 90
    item = order.items.get()
    assert (item.product_name, item.sku, item.unit_price, item.quantity) == ("Red Naomi", "RN-1", 250, 10)
    assert order.subtotal_amount == order.total_amount == 2500
    assert order.status == Order.PENDING
    assert order.fulfillment_status == Order.UNFULFILLED
    assert order.currency == "eur"
    assert order.shipping_address == ADDRESS


def test_order_numbers_run_per_year_with_six_digits(place_order):
    product = ProductFactory()
    first, second = place_order((product, 1)), place_order((product, 1))
    year = timezone.now().year
    assert first.order_number == f"ORD-{year}-000001"
    assert second.order_number == f"ORD-{year}-000002"


def test_an_order_is_split_into_one_group_per_supplier_and_one_for_the_operator(place_order):
    # given
    bloom, andes = SupplierFactory(), SupplierFactory()
    a1, a2 = ProductFactory(supplier=bloom, price=100), ProductFactory(supplier=bloom, price=200)
    b1 = ProductFactory(supplier=andes, price=300)
    own = ProductFactory(supplier=None, price=400)
    # when
    order = place_order((a1, 1), (b1, 2), (a2, 3), (own, 1))
    # then
    groups = {g.supplier_id: g for g in order.groups.all()}
    assert set(groups) == {bloom.pk, andes.pk, None}
    assert groups[bloom.pk].subtotal_amount == 100 + 600
    assert groups[andes.pk].subtotal_amount == 600
    assert groups[None].subtotal_amount == 400
    assert all(g.status == OrderGroup.PENDING for g in groups.values())
    assert {i.product_id: i.group.supplier_id for i in order.items.select_related("group")} == {
        a1.pk: bloom.pk, a2.pk: bloom.pk, b1.pk: andes.pk, own.pk: None,
    }


def test_tax_is_the_vat_contained_in_each_line_rounded_half_up(place_order):
    # given: VAT-inclusive prices at different rates
    flowers = ProductFactory(price=1090, vat_rate=Decimal("9"))  # 2 × 10.90 = 21.80, VAT 9% inside = 1.80
    vase = ProductFactory(price=1210, vat_rate=Decimal("21"))  # 12.10 incl. 21% → 2.10 VAT
    odd = ProductFactory(price=1, vat_rate=Decimal("21"))  # 3 × 0.01 = 0.03 → 0.0052 → 0.01 (half up)
    gift = ProductFactory(price=2500, vat_rate=Decimal("0"))
    # when
    order = place_order((flowers, 2), (vase, 1), (odd, 3), (gift, 1))
    # then
    lines = {i.product_id: i.tax_amount for i in order.items.all()}
    assert lines == {flowers.pk: 180, vase.pk: 210, odd.pk: 1, gift.pk: 0}
    assert order.tax_amount == 391
    assert order.subtotal_amount == 2180 + 1210 + 3 + 2500
    assert order.discount_amount == order.shipping_amount == 0
    assert order.total_amount == order.subtotal_amount - order.discount_amount + order.shipping_amount


@pytest.mark.parametrize("gross, rate, vat", [(121, "21", 21), (100, "21", 17), (50, "9", 4), (1000, "0", 0),
                                              (109, "9", 9), (6, "9", 0), (12, "9", 1)])
def test_vat_contained_rounds_half_up_to_whole_cents(gross, rate, vat):
    assert services.vat_contained(gross, Decimal(rate)) == vat


def test_one_bad_item_refuses_the_whole_order_and_takes_nothing(place_order):
    # given
    good, scarce = ProductFactory(stock_qty=10), ProductFactory(stock_qty=2)
    # when
    with pytest.raises(ValidationFailed) as refused:
        place_order((good, 5), (scarce, 3))
    # then
    assert refused.value.details == {"items.1.quantity": "Only 2 in stock."}
    assert (_stock(good), _stock(scarce)) == (10, 2)
    assert not Order.objects.exists()
    assert not Event.objects.filter(type="order.created").exists()


def test_every_bad_item_is_named_by_its_index(place_order):
    # given
    fine = ProductFactory()
    pending = ProductFactory(approval_status=Product.PENDING)
    rejected = ProductFactory(approval_status=Product.REJECTED)
    inactive = ProductFactory(is_active=False)
    deleted = ProductFactory(deleted_at=timezone.now())
    by_the_box = ProductFactory(min_order_qty=10)
    # when
    with pytest.raises(ValidationFailed) as refused:
        services.order_place(
            email="a@example.com",
            items=[
                {"product_id": fine.pk, "quantity": 1},
                {"product_id": pending.pk, "quantity": 1},
                {"product_id": rejected.pk, "quantity": 1},
                {"product_id": inactive.pk, "quantity": 1},
                {"product_id": deleted.pk, "quantity": 1},
                {"product_id": by_the_box.pk, "quantity": 9},
                {"product_id": 999999, "quantity": 1},
                {"product_id": fine.pk, "quantity": 1},
            ],
            shipping_address=ADDRESS, actor=Actor.system(),
        )
    # then
    assert set(refused.value.details) == {
        "items.1.product_id", "items.2.product_id", "items.3.product_id", "items.4.product_id",
        "items.5.quantity", "items.6.product_id", "items.7.product_id",
    }
    assert "not available" in refused.value.details["items.1.product_id"]
    assert refused.value.details["items.5.quantity"] == "Minimum order quantity is 10."
    assert _stock(fine) == 100


def test_an_order_of_more_lines_than_the_limit_is_refused_by_the_service_and_takes_nothing(place_order):
    # given one more product than an order may have lines
    products = [ProductFactory(stock_qty=5) for _ in range(services.MAX_ORDER_LINES + 1)]
    # when
    with pytest.raises(ValidationFailed) as refused:
        place_order(*[(product, 1) for product in products])
    # then the service itself names the items and nothing is taken
    assert (refused.value.status_code, refused.value.details) == (
        422, {"items": f"An order may have at most {services.MAX_ORDER_LINES} items."}
    )
    assert not Order.objects.exists()
    assert set(Product.objects.values_list("stock_qty", flat=True)) == {5}
    # and an order of exactly the limit is placed
    assert place_order(*[(product, 1) for product in products[:-1]]).items.count() == services.MAX_ORDER_LINES


def test_the_minimum_order_quantity_itself_is_accepted(place_order):
    by_the_box = ProductFactory(min_order_qty=10, stock_qty=10)
    order = place_order((by_the_box, 10))
    assert order.items.get().quantity == 10
    assert _stock(by_the_box) == 0


def test_an_order_needs_a_complete_shipping_address():
    product = ProductFactory()
    with pytest.raises(ValidationFailed) as refused:
        services.order_place(
            email="a@example.com", items=[{"product_id": product.pk, "quantity": 1}],
            shipping_address={"line1": "1 Road", "country": "NL"}, actor=Actor.system(),
        )
    assert set(refused.value.details) == {"shipping_address.city", "shipping_address.postal_code"}


def test_placing_an_order_records_history_and_emits_order_created(place_order):
    product = ProductFactory()
    order = place_order((product, 1), actor=Actor(kind="staff"))
    event = Event.objects.get(type="order.created")
    assert event.data["id"] == order.pk
    assert event.data["order_number"] == order.order_number
    assert event.data["items"][0]["product_id"] == product.pk
    change = StatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status) == ("", "pending")


def test_the_database_refuses_negative_stock():
    from django.db import IntegrityError, transaction

    product = ProductFactory(stock_qty=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock_qty=-1)


def test_an_order_whose_total_would_overflow_is_refused_before_taking_stock(place_order):
    dear = ProductFactory(price=2_000_000_000, stock_qty=10)
    with pytest.raises(ValidationFailed) as refused:
        place_order((dear, 2))
    assert "items" in refused.value.details
    assert _stock(dear) == 10


@pytest.mark.parametrize("email", ["a" * 250 + "@example.com", "not an email", ""])
def test_an_email_the_column_cannot_hold_or_that_is_not_one_is_refused(email):
    product = ProductFactory(stock_qty=5)
    with pytest.raises(ValidationFailed) as refused:
        services.order_place(email=email, items=[{"product_id": product.pk, "quantity": 1}],
                             shipping_address=ADDRESS, actor=Actor.system())
    assert set(refused.value.details) == {"email"}
    assert _stock(product) == 5


@pytest.mark.parametrize("quantity", [True, 0, 2**31, "1"])
def test_a_quantity_that_is_not_a_whole_number_in_range_is_refused(quantity):
    product = ProductFactory(stock_qty=5)
    with pytest.raises(ValidationFailed) as refused:
        services.order_place(email="a@example.com", items=[{"product_id": product.pk, "quantity": quantity}],
                             shipping_address=ADDRESS, actor=Actor.system())
    assert set(refused.value.details) == {"items.0.quantity"}


def test_a_quantity_past_the_order_line_limit_is_refused_naming_the_item_and_takes_nothing(place_order):
    # given a product with more in stock than one line may ask for
    product = ProductFactory(stock_qty=services.MAX_INT)
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        place_order((product, services.MAX_ORDER_QUANTITY + 1))
    assert refused.value.details == {
        "items.0.quantity": f"Must be a whole number from 1 to {services.MAX_ORDER_QUANTITY}."}
    assert Product.objects.get(pk=product.pk).stock_qty == services.MAX_INT
    assert not Order.objects.exists()

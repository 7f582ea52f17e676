"""Records staff can read: money with its currency, an address as an address, an order with its
items, groups and timeline, a supplier with its products, open groups and keys, a product with
its images and approval history — each page in a number of queries that does not grow with rows."""
import pytest
from django.urls import reverse

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, OrderGroup, Product, ProductImage
from tests.dashboard.conftest import ADDRESS
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import queries_for, run_admin_action
from verso.api.models import ApiKey
from verso.api.services import api_key_create
from verso.money import money

pytestmark = pytest.mark.django_db


def _order(*lines, email="buyer@example.com") -> Order:
    return services.order_place(
        email=email, items=[{"product_id": p.pk, "quantity": q} for p, q in lines], shipping_address=ADDRESS,
        actor=Actor.system(),
    )


def test_money_reads_with_its_currency():
    assert money(1250, "eur") == "€12.50"
    assert money(123456789, "usd") == "$1,234,567.89"
    assert money(5, "chf") == "0.05 CHF"
    assert money(None) == "—"


def test_the_order_page_reads_as_an_order(admin_client):
    # given an order of two suppliers' products, one group moved on
    rose = ProductFactory(name="Red Naomi", price=1250, supplier=SupplierFactory(name="Bloom & Stem"))
    vase = ProductFactory(name="Bud Vase", price=800, supplier=SupplierFactory(name="Glass Works"))
    order = _order((rose, 2), (vase, 1))
    group = OrderGroup.objects.get(order=order, supplier=rose.supplier)
    services.order_group_transition(group=group, to_status="confirmed", actor=Actor.system(), comment="On it")

    # when
    html = admin_client.get(reverse("admin:commerce_order_change", args=[order.pk])).content.decode()

    # then: money with its currency, the address as lines, no JSON
    assert "€33.00" in html and "€25.00" in html  # the total and a line total
    assert "1 Dock Road<br>Unit 4<br>2611 AB Delft<br>ZH<br>NL" in html
    assert '{"line1"' not in html and "&quot;line1&quot;" not in html
    # items link to the product and their group; groups to the group and the supplier
    assert f'href="{reverse("admin:commerce_product_change", args=[rose.pk])}">Red Naomi</a>' in html
    assert f'href="{reverse("admin:commerce_ordergroup_change", args=[group.pk])}"' in html
    assert f'href="{reverse("admin:supplier_supplier_change", args=[rose.supplier_id])}">Bloom &amp; Stem</a>' in html
    # the timeline has the group's move with who and why
    assert "pending → <strong>confirmed</strong>" in html and "On it" in html


def test_the_order_page_costs_the_same_queries_with_more_items(admin_client):
    small = _order((ProductFactory(), 1))
    big = _order(*((ProductFactory(), 1) for _ in range(6)))
    for order in (small, big):
        services.order_transition(order=order, to_status="paid", actor=Actor.system())
    assert queries_for(admin_client, reverse("admin:commerce_order_change", args=[small.pk])) == queries_for(
        admin_client, reverse("admin:commerce_order_change", args=[big.pk]))


def test_the_supplier_page_shows_its_products_open_groups_and_key_prefixes(admin_client):
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, name="Avalanche", sku="BS-ROS-1")
    order = _order((product, 3))
    api_key, raw = api_key_create(name="Shop sync", scopes=[], supplier=supplier)

    html = admin_client.get(reverse("admin:supplier_supplier_change", args=[supplier.pk])).content.decode()

    assert "Avalanche" in html and "BS-ROS-1" in html
    assert order.order_number in html and "pending" in html
    assert api_key.prefix in html and "Shop sync" in html
    assert ApiKey.objects.get(pk=api_key.pk).key_hash not in html and raw not in html


def test_a_supplier_page_shows_only_the_sections_the_user_may_view(make_admin_client):
    supplier = SupplierFactory()
    ProductFactory(supplier=supplier, name="Avalanche")
    api_key, _ = api_key_create(name="Shop sync", scopes=[], supplier=supplier)
    client = make_admin_client("supplier.view_supplier", "commerce.view_product")
    html = client.get(reverse("admin:supplier_supplier_change", args=[supplier.pk])).content.decode()
    assert "Avalanche" in html
    assert api_key.prefix not in html and "Open order groups" not in html


def test_the_product_page_shows_thumbnails_and_the_approval_history(admin_client, admin_user):
    product = ProductFactory(approval_status=Product.PENDING, name="Coral Charm")
    ProductImage.objects.create(product=product, image="products/2026/11/a.jpg",
                                thumbnail="products/thumbs/2026/11/a.jpg", is_primary=True)
    changelist = reverse("admin:commerce_product_changelist")
    run_admin_action(admin_client, changelist, "reject_products", [product], apply="1", reason="Blurry photo")
    run_admin_action(admin_client, changelist, "approve_products", [product])

    html = admin_client.get(reverse("admin:commerce_product_change", args=[product.pk])).content.decode()

    assert '<img src="/media/products/thumbs/2026/11/a.jpg"' in html
    assert "pending → rejected" in html and "Blurry photo" in html and "rejected → approved" in html
    assert html.index("pending → rejected") < html.index("rejected → approved")
    assert admin_user.username in html


def test_a_supplier_resubmitting_a_rejected_product_is_in_its_history(admin_client):
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, approval_status=Product.PENDING)
    services.product_reject(product=product, actor=Actor.system(), reason="Wrong category")
    services.product_update(product=product, actor=Actor.supplier(supplier.pk), changes={"name": "Better name"})
    html = admin_client.get(reverse("admin:commerce_product_change", args=[product.pk])).content.decode()
    assert "rejected → pending" in html


def test_products_are_found_by_sku_and_orders_by_number_or_email(admin_client):
    ProductFactory(sku="FIND-ME-1", name="Needle")
    ProductFactory(sku="OTHER-2", name="Haystack")
    found = admin_client.get(reverse("admin:commerce_product_changelist"), {"q": "FIND-ME"}).context["cl"]
    assert [p.name for p in found.result_list] == ["Needle"]
    order = _order((ProductFactory(), 1), email="needle@example.com")
    _order((ProductFactory(), 1), email="hay@example.com")
    for term in ("needle@example.com", order.order_number):
        cl = admin_client.get(reverse("admin:commerce_order_changelist"), {"q": term}).context["cl"]
        assert [o.pk for o in cl.result_list] == [order.pk]

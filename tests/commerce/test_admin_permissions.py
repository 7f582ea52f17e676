"""Commerce admin actions need their permission: a view-only staff user can look but not act."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, OrderGroup, Product, StatusChange
from tests.factories import CategoryFactory, ProductFactory
from tests.helpers import admin_actions_offered, run_admin_action
from webhooks.models import Event

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/commerce/product/"
ORDERS = "/admin/commerce/order/"
GROUPS = "/admin/commerce/ordergroup/"
EMPTY_IMAGES = {f"images-{k}": v for k, v in
                {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}.items()}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _paid_order(place_order) -> Order:
    order = place_order((ProductFactory(), 1))
    return services.order_transition(order=order, to_status="paid", actor=Actor.system())


# --- products -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "permissions", [["commerce.view_product"], ["commerce.view_product", "commerce.change_product"]],
    ids=["view-only", "may-change"],
)
def test_a_user_who_may_not_approve_is_offered_no_approval_and_a_forged_one_changes_nothing(
    make_admin_client, permissions
):
    # given
    client = make_admin_client(*permissions)
    product = ProductFactory(approval_status=Product.PENDING)
    # when
    offered = admin_actions_offered(client, PRODUCTS)
    approve = run_admin_action(client, PRODUCTS, "approve_products", [product])
    reject = run_admin_action(client, PRODUCTS, "reject_products", [product], apply="1", reason="Blurry")
    # then
    assert not offered & {"approve_products", "reject_products"}
    assert (approve.status_code, reject.status_code) == (200, 200)
    product.refresh_from_db()
    assert (product.approval_status, product.rejection_reason) == (Product.PENDING, "")
    assert not Event.objects.exists()


def test_a_moderator_approves_a_product_in_one_click(make_admin_client):
    # given
    client = make_admin_client("commerce.view_product", "commerce.approve_product")
    product = ProductFactory(approval_status=Product.PENDING)
    assert admin_actions_offered(client, PRODUCTS) == {"approve_products", "reject_products"}
    # when
    response = run_admin_action(client, PRODUCTS, "approve_products", [product])
    # then
    assert "Approved 1 product(s)." in _messages(response)
    product.refresh_from_db()
    assert product.approval_status == Product.APPROVED


def test_a_moderator_rejects_a_product_with_a_reason(make_admin_client):
    client = make_admin_client("commerce.view_product", "commerce.approve_product")
    product = ProductFactory(approval_status=Product.PENDING)

    page = client.post(PRODUCTS, {"action": "reject_products", ACTION_CHECKBOX_NAME: [product.pk]})
    assert b'name="reason"' in page.content
    run_admin_action(client, PRODUCTS, "reject_products", [product], apply="1", reason="Blurry")

    product.refresh_from_db()
    assert (product.approval_status, product.rejection_reason) == (Product.REJECTED, "Blurry")


def test_only_a_user_who_may_delete_products_soft_deletes_them(make_admin_client):
    # given
    viewer = make_admin_client("commerce.view_product")
    deleter = make_admin_client("commerce.view_product", "commerce.delete_product")
    product = ProductFactory()
    # when a view-only user forges the action
    run_admin_action(viewer, PRODUCTS, "soft_delete_products", [product])
    # then nothing happens
    assert "soft_delete_products" not in admin_actions_offered(viewer, PRODUCTS)
    assert Product.objects.get(pk=product.pk).deleted_at is None
    # when the user who may delete runs it
    run_admin_action(deleter, PRODUCTS, "soft_delete_products", [product])
    # then
    assert Product.objects.get(pk=product.pk).deleted_at is not None


def test_a_view_only_user_sees_a_read_only_product_page_and_cannot_post_it(make_admin_client):
    # given
    client = make_admin_client("commerce.view_product")
    product = ProductFactory(name="Rose")
    # when
    page = client.get(f"{PRODUCTS}{product.pk}/change/")
    response = client.post(f"{PRODUCTS}{product.pk}/change/", {
        "name": "Hacked", "sku": product.sku, "type": "flower", "unit": "stem", "price": "1", "stock_qty": "1",
        "min_order_qty": "1", "low_stock_threshold": "1", "vat_rate": "21", **EMPTY_IMAGES,
    })
    # then
    assert page.status_code == 200
    assert b"Rose" in page.content and b'name="name"' not in page.content
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Rose"
    assert not Event.objects.exists()


def test_a_view_only_user_sees_a_read_only_category_page(make_admin_client):
    category = CategoryFactory(name="Roses", parent=CategoryFactory(name="Flowers"))

    page = make_admin_client("commerce.view_category").get(f"/admin/commerce/category/{category.pk}/change/")

    assert page.status_code == 200
    assert b"Roses" in page.content and b'name="name"' not in page.content


# --- orders and groups --------------------------------------------------------------------


def test_only_a_user_who_may_change_orders_moves_them(make_admin_client, place_order):
    # given
    viewer = make_admin_client("commerce.view_order")
    clerk = make_admin_client("commerce.view_order", "commerce.change_order")
    order = place_order((ProductFactory(), 1))
    history = StatusChange.objects.count()
    # when a view-only user forges a move
    run_admin_action(viewer, ORDERS, "mark_paid", [order])
    # then it is not even offered, and nothing moved
    assert admin_actions_offered(viewer, ORDERS) == set()
    assert Order.objects.get(pk=order.pk).status == "pending"
    assert StatusChange.objects.count() == history
    # when the user who may change orders moves it
    assert "mark_paid" in admin_actions_offered(clerk, ORDERS)
    run_admin_action(clerk, ORDERS, "mark_paid", [order])
    # then
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert StatusChange.objects.filter(order=order).latest("id").actor_user_id == clerk.user.pk


def test_only_a_user_who_may_change_order_groups_moves_them(make_admin_client, place_order):
    # given
    viewer = make_admin_client("commerce.view_ordergroup")
    clerk = make_admin_client("commerce.view_ordergroup", "commerce.change_ordergroup")
    group = _paid_order(place_order).groups.get()
    history = StatusChange.objects.count()
    # when a view-only user forges a move
    run_admin_action(viewer, GROUPS, "mark_confirmed", [group])
    # then
    assert admin_actions_offered(viewer, GROUPS) == set()
    assert OrderGroup.objects.get(pk=group.pk).status == "pending"
    assert StatusChange.objects.count() == history
    # when the user who may change groups moves it
    assert "mark_confirmed" in admin_actions_offered(clerk, GROUPS)
    run_admin_action(clerk, GROUPS, "mark_confirmed", [group])
    # then
    assert OrderGroup.objects.get(pk=group.pk).status == "confirmed"

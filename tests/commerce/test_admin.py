"""The commerce admin through its HTTP forms: approval, lifecycle actions, pages that render."""
import itertools

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from commerce import state
from commerce.models import Category, Order, OrderGroup, Product, StatusChange
from tests.factories import CategoryFactory, ProductFactory, SupplierFactory
from tests.helpers import admin_actions_offered, run_admin_action
from webhooks.models import Event

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/commerce/product/"
ORDERS = "/admin/commerce/order/"
GROUPS = "/admin/commerce/ordergroup/"
ORDER_STATUSES = [s for s, _ in Order.STATUS_CHOICES]
GROUP_STATUSES = [s for s, _ in OrderGroup.STATUS_CHOICES]


def _offered_actions(client, url) -> set[str]:
    """The targets the changelist's action menu offers ("mark_paid" → "paid")."""
    return {name.removeprefix("mark_") for name in admin_actions_offered(client, url) if name.startswith("mark_")}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- products -----------------------------------------------------------------------------


def test_the_awaiting_approval_queue_shows_only_products_waiting(admin_client):
    waiting = ProductFactory(name="Waiting rose", approval_status=Product.PENDING)
    ProductFactory(name="Approved tulip")
    response = admin_client.get(PRODUCTS, {"queue": "awaiting-approval"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [waiting]


def test_approving_products_through_the_admin_form(admin_client, admin_user):
    # given
    a, b = ProductFactory(approval_status=Product.PENDING), ProductFactory(approval_status=Product.REJECTED,
                                                                           rejection_reason="blurry")
    # when
    response = run_admin_action(admin_client, PRODUCTS, "approve_products", [a, b])
    # then
    assert response.status_code == 200
    assert "Approved 2 product(s)." in _messages(response)
    for product in (a, b):
        product.refresh_from_db()
        assert (product.approval_status, product.rejection_reason) == ("approved", "")
    assert Event.objects.filter(type="product.updated").count() == 2


def test_approving_an_approved_product_is_an_error_message_not_a_crash(admin_client):
    product = ProductFactory()
    response = run_admin_action(admin_client, PRODUCTS, "approve_products", [product])
    assert response.status_code == 200
    assert any("Allowed: rejected" in m for m in _messages(response))


def test_rejecting_asks_for_a_reason_on_an_intermediate_page(admin_client):
    # given
    product = ProductFactory(approval_status=Product.PENDING)
    # when: the action is chosen
    page = admin_client.post(PRODUCTS, {"action": "reject_products", ACTION_CHECKBOX_NAME: [product.pk]})
    # then: a form asks for the reason, and nothing changed yet
    assert page.status_code == 200
    assert b'name="reason"' in page.content
    product.refresh_from_db()
    assert product.approval_status == Product.PENDING

    # when: the form is sent with a reason
    response = run_admin_action(
        admin_client, PRODUCTS, "reject_products", [product], apply="1", reason="Photos are blurry"
    )
    # then
    assert "Rejected 1 product(s)." in _messages(response)
    product.refresh_from_db()
    assert (product.approval_status, product.rejection_reason) == ("rejected", "Photos are blurry")


def test_rejecting_without_a_reason_shows_the_form_again(admin_client):
    product = ProductFactory(approval_status=Product.PENDING)
    response = admin_client.post(
        PRODUCTS, {"action": "reject_products", ACTION_CHECKBOX_NAME: [product.pk], "apply": "1", "reason": ""}
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    product.refresh_from_db()
    assert product.approval_status == Product.PENDING


@pytest.mark.parametrize("for_a_supplier", [False, True], ids=["operator", "supplier"])
def test_a_product_added_in_the_admin_goes_through_the_service(admin_client, for_a_supplier):
    category = CategoryFactory()
    supplier = SupplierFactory() if for_a_supplier else None
    response = admin_client.post(f"{PRODUCTS}add/", {
        "name": "Admin rose", "slug": "", "sku": "AR-1", "description": "", "type": "flower", "unit": "stem",
        "price": "120", "stock_qty": "50", "min_order_qty": "1", "low_stock_threshold": "10", "vat_rate": "9",
        "category": category.pk, "is_active": "on", "supplier": supplier.pk if supplier else "",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(name="Admin rose")
    assert (product.slug, product.approval_status, product.supplier_id) == (
        "admin-rose", "approved", supplier.pk if supplier else None)
    assert Event.objects.filter(type="product.created").count() == 1


def test_deleting_in_the_admin_is_a_soft_delete(admin_client):
    product = ProductFactory()
    response = run_admin_action(admin_client, PRODUCTS, "soft_delete_products", [product])
    assert "Deleted 1 product(s)." in _messages(response)
    product.refresh_from_db()
    assert product.deleted_at is not None


def test_product_pages_render(admin_client):
    product = ProductFactory()
    assert admin_client.get(PRODUCTS).status_code == 200
    assert admin_client.get(f"{PRODUCTS}{product.pk}/change/").status_code == 200
    assert admin_client.get(f"{PRODUCTS}add/").status_code == 200


# --- categories ---------------------------------------------------------------------------


def test_categories_are_listed_as_a_tree(admin_client):
    flowers = CategoryFactory(name="Flowers")
    supplies = CategoryFactory(name="Supplies")
    CategoryFactory(name="Roses", parent=flowers)
    CategoryFactory(name="Vases", parent=supplies)
    CategoryFactory(name="Lilies", parent=flowers)
    response = admin_client.get("/admin/commerce/category/")
    assert response.status_code == 200
    names = [c.name for c in response.context["cl"].result_list]
    assert names == ["Flowers", "Lilies", "Roses", "Supplies", "Vases"]


def test_a_category_added_in_the_admin_gets_its_parents_type(admin_client):
    supplies = CategoryFactory(name="Supplies", type="supply")
    response = admin_client.post("/admin/commerce/category/add/", {
        "name": "Ribbons", "slug": "", "parent": supplies.pk, "type": "supply", "is_active": "on",
    })
    assert response.status_code == 302
    ribbons = Category.objects.get(name="Ribbons")
    assert (ribbons.slug, ribbons.parent_id, ribbons.type) == ("ribbons", supplies.pk, "supply")


def test_two_categories_with_a_column_long_name_can_be_added_in_the_admin(admin_client):
    for _ in range(2):
        response = admin_client.post("/admin/commerce/category/add/", {
            "name": "q" * 200, "slug": "", "type": "flower", "is_active": "on",
        })
        assert response.status_code == 302
    assert sorted(len(slug) for slug in Category.objects.values_list("slug", flat=True)) == [200, 200]


def test_a_category_is_offered_neither_as_its_own_parent_nor_under_its_descendants(admin_client):
    # given a small tree
    top = CategoryFactory(name="Flowers")
    child = CategoryFactory(name="Roses", parent=top)
    grandchild = CategoryFactory(name="Garden roses", parent=child)
    other = CategoryFactory(name="Supplies")
    # when
    page = admin_client.get(f"/admin/commerce/category/{top.pk}/change/")
    # then
    offered = set(page.context["adminform"].form.fields["parent"].queryset)
    assert offered == {other}
    # and choosing one anyway is a form error, not a 500
    response = admin_client.post(f"/admin/commerce/category/{top.pk}/change/", {
        "name": top.name, "slug": top.slug, "parent": grandchild.pk, "type": "flower", "is_active": "on",
    })
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Category.objects.get(pk=top.pk).parent_id is None


def test_a_category_rule_broken_at_save_time_is_an_error_message_not_a_500(admin_client):
    # given a slug the form accepts ("roses-" is free) that the service tidies into a taken one
    CategoryFactory(name="Roses", slug="roses")
    category = CategoryFactory(name="Tulips", slug="tulips")
    # when
    response = admin_client.post(f"/admin/commerce/category/{category.pk}/change/", {
        "name": "Tulips!", "slug": "roses-", "type": "flower", "is_active": "on",
    }, follow=True)
    # then
    assert response.status_code == 200
    assert any("already exists" in m for m in _messages(response))
    assert Category.objects.get(pk=category.pk).name == "Tulips"


# --- orders and groups --------------------------------------------------------------------


@pytest.mark.parametrize(
    "from_status, to_status", list(itertools.product(ORDER_STATUSES, ORDER_STATUSES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(ORDER_STATUSES, ORDER_STATUSES)],
)
def test_order_actions_follow_the_lifecycle(admin_client, admin_user, place_order, from_status, to_status):
    # given
    order = place_order((ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(status=from_status)
    allowed = state.ORDER_TRANSITIONS[from_status]
    action = f"mark_{to_status}"
    # when
    response = run_admin_action(admin_client, ORDERS, action, [order])
    # then
    assert response.status_code == 200
    order.refresh_from_db()
    if to_status in allowed:
        assert order.status == to_status
        assert f"Moved 1 order(s) to '{to_status}'." in _messages(response)
        change = StatusChange.objects.filter(order=order).latest("id")
        assert (change.to_status, change.actor_user_id) == (to_status, admin_user.pk)
    elif to_status in _offered_actions(admin_client, ORDERS):
        assert order.status == from_status
        assert any("Allowed:" in m for m in _messages(response))
    else:  # nothing ever moves back to pending: the admin does not even offer it
        assert order.status == from_status


@pytest.mark.parametrize(
    "from_status, to_status", list(itertools.product(GROUP_STATUSES, GROUP_STATUSES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(GROUP_STATUSES, GROUP_STATUSES)],
)
def test_group_actions_follow_the_group_lifecycle(admin_client, place_order, from_status, to_status):
    # given a group of a paid order
    order = place_order((ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(status="paid")
    group = order.groups.get()
    OrderGroup.objects.filter(pk=group.pk).update(status=from_status)
    allowed = state.group_allowed_targets(from_status, staff=True)
    # when
    response = run_admin_action(admin_client, GROUPS, f"mark_{to_status}", [group])
    # then
    assert response.status_code == 200
    group.refresh_from_db()
    if to_status in allowed:
        assert group.status == to_status
    elif to_status in _offered_actions(admin_client, GROUPS):
        assert group.status == from_status
        assert any("Allowed:" in m for m in _messages(response))
    else:
        assert group.status == from_status


def test_cancelling_in_the_admin_restocks(admin_client, place_order):
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 4))
    run_admin_action(admin_client, ORDERS, "mark_cancelled", [order])
    assert Product.objects.get(pk=product.pk).stock_qty == 10


def test_a_mixed_selection_moves_the_ones_that_may_move(admin_client, place_order):
    product = ProductFactory()
    pending, cancelled = place_order((product, 1)), place_order((product, 1))
    Order.objects.filter(pk=cancelled.pk).update(status="cancelled")
    response = run_admin_action(admin_client, ORDERS, "mark_paid", [pending, cancelled])
    assert "Moved 1 order(s) to 'paid'." in _messages(response)
    assert Order.objects.get(pk=pending.pk).status == "paid"
    assert Order.objects.get(pk=cancelled.pk).status == "cancelled"


def test_order_and_group_pages_render_with_their_history(admin_client, place_order):
    order = place_order((ProductFactory(), 2), (ProductFactory(), 1))
    run_admin_action(admin_client, ORDERS, "mark_paid", [order])
    page = admin_client.get(f"{ORDERS}{order.pk}/change/")
    assert page.status_code == 200
    assert order.order_number.encode() in page.content
    assert b"status history" in page.content.lower()
    assert admin_client.get(ORDERS).status_code == 200
    group = order.groups.first()
    assert admin_client.get(f"{GROUPS}{group.pk}/change/").status_code == 200
    assert admin_client.get(GROUPS).status_code == 200


def test_the_tracking_number_is_editable_in_the_admin(admin_client, place_order):
    order = place_order((ProductFactory(), 1))
    response = admin_client.post(f"{ORDERS}{order.pk}/change/", {
        "tracking_number": "TRK-9",
        **{f"{prefix}-{k}": v for prefix in ("groups", "items", "status_changes")
           for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0",
                        "MAX_NUM_FORMS": "1000"}.items()},
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.tracking_number == "TRK-9"


def test_orders_cannot_be_added_or_deleted_in_the_admin(admin_client, place_order):
    order = place_order((ProductFactory(), 1))
    assert admin_client.get(f"{ORDERS}add/").status_code == 403
    assert admin_client.get(f"{ORDERS}{order.pk}/delete/").status_code == 403


def test_the_admin_refuses_cancelling_a_group_of_a_completed_order_with_a_message(admin_client, place_order):
    # given a completed order
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 4))
    for target in ["paid", "shipped", "delivered", "completed"]:
        run_admin_action(admin_client, ORDERS, f"mark_{target}", [order])
    assert Order.objects.get(pk=order.pk).status == "completed"
    group = order.groups.get()
    # when
    response = run_admin_action(admin_client, GROUPS, "mark_cancelled", [group])
    # then
    assert response.status_code == 200
    # (completing the order completed its group too, and a completed group is final)
    assert any(f"order group {group.pk} from 'completed' to 'cancelled'" in m for m in _messages(response))
    assert OrderGroup.objects.get(pk=group.pk).status == "completed"
    assert Product.objects.get(pk=product.pk).stock_qty == 6

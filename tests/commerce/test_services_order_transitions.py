"""Order and supplier-group lifecycles: every move allowed or refused, history, restock, rollup."""
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce import services, state
from commerce.actors import Actor
from commerce.models import Order, OrderGroup, Product, StatusChange
from tests.factories import ProductFactory, SupplierFactory
from verso.errors import InvalidTransition, NotFound, ValidationFailed
from webhooks.models import Event

pytestmark = pytest.mark.django_db

STAFF = Actor(kind="staff")  # a staff login or Staff API key, as far as the rules care

ORDER_STATUSES = [s for s, _ in Order.STATUS_CHOICES]
GROUP_STATUSES = [s for s, _ in OrderGroup.STATUS_CHOICES]
ORDER_PAIRS = list(itertools.product(ORDER_STATUSES, ORDER_STATUSES))
GROUP_PAIRS = list(itertools.product(GROUP_STATUSES, GROUP_STATUSES))


def _stock(product) -> int:
    return Product.objects.values_list("stock_qty", flat=True).get(pk=product.pk)


def test_the_lifecycles_are_the_ones_in_the_design():
    assert state.ORDER_TRANSITIONS == {
        "pending": ["paid", "cancelled"],
        "paid": ["processing", "shipped", "cancelled", "refunded"],
        "processing": ["shipped", "cancelled"],
        "shipped": ["delivered"],
        "delivered": ["completed", "refunded"],
        "completed": ["refunded"],
        "cancelled": [],
        "refunded": [],
    }
    assert state.group_allowed_targets("pending", staff=False) == ["confirmed", "cancelled"]
    assert state.group_allowed_targets("confirmed", staff=False) == ["processing", "cancelled"]
    assert state.group_allowed_targets("processing", staff=False) == ["shipped", "cancelled"]
    assert state.group_allowed_targets("shipped", staff=False) == ["delivered"]
    assert state.group_allowed_targets("delivered", staff=False) == []
    assert state.group_allowed_targets("delivered", staff=True) == ["completed"]


@pytest.mark.parametrize("from_status, to_status", ORDER_PAIRS, ids=[f"{a}->{b}" for a, b in ORDER_PAIRS])
def test_an_order_moves_only_along_its_lifecycle(place_order, from_status, to_status):
    # given an order in from_status (set directly: this is the test's starting point)
    order = place_order((ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(status=from_status)
    order.refresh_from_db()
    allowed = state.ORDER_TRANSITIONS[from_status]
    actor = STAFF
    events_before = Event.objects.filter(type="order.updated").count()
    # when / then
    if to_status in allowed:
        moved = services.order_transition(order=order, to_status=to_status, actor=actor, comment="why")
        assert moved.status == to_status
        change = StatusChange.objects.filter(order=order).latest("id")
        assert (change.from_status, change.to_status, change.comment) == (from_status, to_status, "why")
        assert Event.objects.filter(type="order.updated").count() == events_before + 1
    else:
        with pytest.raises(InvalidTransition) as refused:
            services.order_transition(order=order, to_status=to_status, actor=actor)
        assert refused.value.allowed == allowed
        assert refused.value.status_code == 422
        order.refresh_from_db()
        assert order.status == from_status
        assert Event.objects.filter(type="order.updated").count() == events_before


@pytest.mark.parametrize("from_status, to_status", GROUP_PAIRS, ids=[f"{a}->{b}" for a, b in GROUP_PAIRS])
@pytest.mark.parametrize("as_staff", [True, False], ids=["staff", "supplier"])
def test_a_group_moves_only_along_its_lifecycle(place_order, from_status, to_status, as_staff):
    # given a group of a paid order in from_status
    supplier = SupplierFactory()
    order = place_order((ProductFactory(supplier=supplier), 1))
    Order.objects.filter(pk=order.pk).update(status="paid")
    group = order.groups.get()
    OrderGroup.objects.filter(pk=group.pk).update(status=from_status)
    group.refresh_from_db()
    actor = STAFF if as_staff else Actor.supplier(supplier.pk)
    allowed = state.group_allowed_targets(from_status, staff=as_staff)
    # when / then
    if to_status in allowed:
        moved = services.order_group_transition(group=group, to_status=to_status, actor=actor, comment="ok")
        assert moved.status == to_status
        change = StatusChange.objects.get(group=group)
        assert (change.from_status, change.to_status) == (from_status, to_status)
    else:
        with pytest.raises(InvalidTransition) as refused:
            services.order_group_transition(group=group, to_status=to_status, actor=actor)
        assert refused.value.allowed == allowed
        group.refresh_from_db()
        assert group.status == from_status
        assert not StatusChange.objects.filter(group=group).exists()


def test_a_supplier_cannot_move_another_suppliers_group(place_order):
    order = place_order((ProductFactory(), 1))
    with pytest.raises(NotFound):
        services.order_group_transition(
            group=order.groups.get(), to_status="confirmed", actor=Actor.supplier(SupplierFactory().pk)
        )


def test_history_records_the_acting_api_key_and_user(place_order, make_staff_client, admin_user):
    order = place_order((ProductFactory(), 1))
    key = make_staff_client().api_key
    services.order_transition(order=order, to_status="paid", actor=Actor(kind="staff", api_key_id=key.pk))
    services.order_transition(order=order, to_status="processing", actor=Actor.from_user(admin_user))
    paid, processing = StatusChange.objects.filter(order=order).exclude(from_status="").order_by("id")
    assert (paid.actor_api_key_id, paid.actor_user_id) == (key.pk, None)
    assert (processing.actor_api_key_id, processing.actor_user_id) == (None, admin_user.pk)


def test_cancelling_an_order_puts_all_its_stock_back_and_cancels_its_groups(place_order):
    # given
    a, b = ProductFactory(stock_qty=10), ProductFactory(stock_qty=10)
    order = place_order((a, 4), (b, 6))
    assert (_stock(a), _stock(b)) == (6, 4)
    # when
    services.order_transition(order=order, to_status="cancelled", actor=STAFF)
    # then
    assert (_stock(a), _stock(b)) == (10, 10)
    assert set(order.groups.values_list("status", flat=True)) == {"cancelled"}
    order.refresh_from_db()
    assert order.fulfillment_status == Order.FULFILLMENT_CANCELLED


def test_cancelling_a_group_restocks_only_that_groups_items(place_order):
    # given
    mine, theirs = ProductFactory(stock_qty=10), ProductFactory(stock_qty=10)
    order = place_order((mine, 3), (theirs, 5))
    group = order.groups.get(supplier=mine.supplier)
    # when
    services.order_group_transition(group=group, to_status="cancelled", actor=STAFF)
    # then
    assert (_stock(mine), _stock(theirs)) == (10, 5)


def test_cancelling_the_order_after_a_group_was_cancelled_restocks_nothing_twice(place_order):
    mine, theirs = ProductFactory(stock_qty=10), ProductFactory(stock_qty=10)
    order = place_order((mine, 3), (theirs, 5))
    services.order_group_transition(group=order.groups.get(supplier=mine.supplier), to_status="cancelled",
                                    actor=STAFF)
    services.order_transition(order=order, to_status="cancelled", actor=STAFF)
    assert (_stock(mine), _stock(theirs)) == (10, 10)


def test_an_order_with_a_shipped_group_cannot_be_cancelled(place_order):
    # given
    order = place_order((ProductFactory(), 1), (ProductFactory(), 1))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    shipped = order.groups.first()
    for target in ["confirmed", "processing", "shipped"]:
        services.order_group_transition(group=shipped, to_status=target, actor=STAFF)
    # when / then
    with pytest.raises(ValidationFailed, match="refund it instead"):
        services.order_transition(order=order, to_status="cancelled", actor=STAFF)
    order.refresh_from_db()
    assert order.status == "paid"


def test_refunding_a_paid_order_cancels_and_restocks_only_its_groups_not_yet_shipped(place_order):
    # given a paid order: one supplier has shipped, the other has not
    sent, kept = ProductFactory(stock_qty=10), ProductFactory(stock_qty=10)
    order = place_order((sent, 4), (kept, 3))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    shipped = order.groups.get(supplier=sent.supplier)
    for target in ["confirmed", "processing", "shipped"]:
        services.order_group_transition(group=shipped, to_status=target, actor=STAFF)
    waiting = order.groups.get(supplier=kept.supplier)
    # when
    services.order_transition(order=order, to_status="refunded", actor=STAFF, comment="Customer changed mind")
    # then the unshipped group is cancelled (with its history row) and its stock is back
    waiting.refresh_from_db()
    shipped.refresh_from_db()
    assert (waiting.status, shipped.status) == ("cancelled", "shipped")
    change = StatusChange.objects.filter(group=waiting).latest("id")
    assert (change.from_status, change.to_status, change.comment) == ("pending", "cancelled", "Customer changed mind")
    assert (_stock(sent), _stock(kept)) == (6, 10)  # what left the warehouse is not restocked


def test_refunding_a_delivered_order_restocks_nothing(place_order):
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 4))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    for target in ["confirmed", "processing", "shipped", "delivered"]:
        services.order_group_transition(group=order.groups.get(), to_status=target, actor=STAFF)
    services.order_transition(order=order, to_status="shipped", actor=STAFF)
    services.order_transition(order=order, to_status="delivered", actor=STAFF)
    services.order_transition(order=order, to_status="refunded", actor=STAFF)
    assert order.groups.get().status == "delivered"
    assert _stock(product) == 6


@pytest.mark.parametrize("order_status", ["cancelled", "refunded", "completed"])
@pytest.mark.parametrize("group_status, to_status", [
    ("pending", "confirmed"), ("processing", "cancelled"), ("shipped", "delivered"), ("delivered", "completed"),
])
def test_no_group_of_a_finished_order_moves(place_order, order_status, group_status, to_status):
    # given a finished order whose group the group lifecycle alone would let move
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 4))
    Order.objects.filter(pk=order.pk).update(status=order_status)
    group = order.groups.get()
    OrderGroup.objects.filter(pk=group.pk).update(status=group_status)
    # when / then
    with pytest.raises(ValidationFailed, match=f"the order is {order_status}"):
        services.order_group_transition(group=group, to_status=to_status, actor=STAFF)
    group.refresh_from_db()
    assert group.status == group_status
    assert not StatusChange.objects.filter(group=group).exists()
    assert _stock(product) == 6


@pytest.mark.parametrize("from_status, to_status, as_staff", [
    ("pending", "confirmed", False), ("confirmed", "processing", False), ("processing", "shipped", False),
    ("shipped", "delivered", False), ("processing", "shipped", True), ("delivered", "completed", True),
])
def test_a_group_of_an_unpaid_order_moves_like_any_other(place_order, from_status, to_status, as_staff):
    # given an unpaid (pending) order: B2B buyers are often paid on invoice after delivery
    supplier = SupplierFactory()
    order = place_order((ProductFactory(supplier=supplier), 1))
    group = order.groups.get()
    OrderGroup.objects.filter(pk=group.pk).update(status=from_status)
    actor = STAFF if as_staff else Actor.supplier(supplier.pk)
    # when
    services.order_group_transition(group=group, to_status=to_status, actor=actor, comment="on invoice")
    # then the group moved, with its history row, and the order is still unpaid
    assert OrderGroup.objects.get(pk=group.pk).status == to_status
    change = StatusChange.objects.get(group=group)
    assert (change.from_status, change.to_status, change.comment) == (from_status, to_status, "on invoice")
    assert Order.objects.get(pk=order.pk).status == "pending"


def test_an_unpaid_order_delivered_on_invoice_is_paid_then_refundable(place_order):
    # given an unpaid order its supplier delivered ...
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, stock_qty=10)
    order = place_order((product, 1))
    group = order.groups.get()
    for target in ["confirmed", "processing", "shipped", "delivered"]:
        services.order_group_transition(group=group, to_status=target, actor=Actor.supplier(supplier.pk))
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("pending", "delivered")
    # ... staff can no longer cancel it (goods left), but record the payment and refund after that
    with pytest.raises(ValidationFailed, match="part of it has shipped"):
        services.order_transition(order=order, to_status="cancelled", actor=STAFF)
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    services.order_transition(order=order, to_status="refunded", actor=STAFF)
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert OrderGroup.objects.get(pk=group.pk).status == "delivered"
    assert _stock(product) == 9


@pytest.mark.parametrize("order_status", ["shipped", "delivered"])
def test_no_group_of_a_shipped_or_delivered_order_can_be_cancelled(place_order, order_status):
    # given
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 4))
    Order.objects.filter(pk=order.pk).update(status=order_status)
    group = order.groups.get()
    OrderGroup.objects.filter(pk=group.pk).update(status="processing")
    # when / then: cancelling is refused and restocks nothing ...
    with pytest.raises(ValidationFailed, match="refund the order instead"):
        services.order_group_transition(group=group, to_status="cancelled", actor=STAFF)
    assert _stock(product) == 6
    # ... but the group may still catch up with its order
    services.order_group_transition(group=group, to_status="shipped", actor=STAFF)
    assert OrderGroup.objects.get(pk=group.pk).status == "shipped"


def test_cancelling_every_group_cancels_the_order(place_order):
    # given a paid order from two suppliers
    a, b = ProductFactory(stock_qty=10), ProductFactory(stock_qty=10)
    order = place_order((a, 1), (b, 2))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    first, second = order.groups.order_by("id")
    # when one group is cancelled, the order goes on
    services.order_group_transition(group=first, to_status="cancelled", actor=STAFF)
    order.refresh_from_db()
    assert order.status == "paid"
    # when the last one is too
    events_before = Event.objects.filter(type="order.updated").count()
    services.order_group_transition(group=second, to_status="cancelled", actor=STAFF)
    # then the order is cancelled, with its history row and one event
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("cancelled", "cancelled")
    change = StatusChange.objects.filter(order=order).latest("id")
    assert (change.from_status, change.to_status, change.comment) == ("paid", "cancelled",
                                                                      "All of its groups were cancelled")
    assert Event.objects.filter(type="order.updated").count() == events_before + 1
    assert Event.objects.filter(type="order.updated", data__id=order.pk, data__status="cancelled").count() == 1
    assert (_stock(a), _stock(b)) == (10, 10)


def test_cancelling_an_order_puts_back_stock_beyond_the_column_capped_not_overflowing(place_order):
    # given a product restocked to the column's maximum after an order took some
    product = ProductFactory(stock_qty=10)
    order = place_order((product, 4))
    Product.objects.filter(pk=product.pk).update(stock_qty=services.MAX_INT - 1)
    # when
    services.order_transition(order=order, to_status="cancelled", actor=STAFF)
    # then
    assert _stock(product) == services.MAX_INT


def test_fulfillment_rolls_up_from_the_groups(place_order):
    # given a paid order with two suppliers' groups
    order = place_order((ProductFactory(), 1), (ProductFactory(), 1))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    first, second = order.groups.order_by("id")

    def move(group, *targets):
        for target in targets:
            services.order_group_transition(group=group, to_status=target, actor=STAFF)
        order.refresh_from_db()
        return order.fulfillment_status

    # when / then
    assert move(first, "confirmed", "processing") == "unfulfilled"
    assert move(first, "shipped") == "partially_shipped"
    assert move(second, "confirmed", "processing", "shipped") == "shipped"
    assert move(first, "delivered") == "partially_delivered"
    assert move(second, "delivered") == "delivered"
    assert move(second, "completed") == "delivered"


def test_a_cancelled_group_does_not_hold_back_the_rollup(place_order):
    order = place_order((ProductFactory(), 1), (ProductFactory(), 1))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    first, second = order.groups.order_by("id")
    services.order_group_transition(group=first, to_status="cancelled", actor=STAFF)
    for target in ["confirmed", "processing", "shipped"]:
        services.order_group_transition(group=second, to_status=target, actor=STAFF)
    order.refresh_from_db()
    assert order.fulfillment_status == "shipped"


@pytest.mark.parametrize("statuses, expected", [
    ([], "unfulfilled"),
    (["pending"], "unfulfilled"),
    (["cancelled", "cancelled"], "cancelled"),
    (["shipped", "pending"], "partially_shipped"),
    (["shipped", "completed"], "partially_delivered"),
    (["completed", "delivered", "cancelled"], "delivered"),
])
def test_fulfillment_of_group_statuses(statuses, expected):
    assert state.fulfillment_of(statuses) == expected


def test_order_update_sets_tracking_and_moves_status_with_one_event(place_order):
    order = place_order((ProductFactory(), 1))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    before = Event.objects.filter(type="order.updated").count()
    services.order_update(order=order, actor=STAFF, status="shipped", tracking_number="1Z999AA10123456784")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == ("shipped", "1Z999AA10123456784")
    assert Event.objects.filter(type="order.updated").count() == before + 1


def test_order_update_writes_the_order_once_when_it_also_moves_its_status(place_order):
    # given a paid order
    order = place_order((ProductFactory(), 1))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    # when its status and tracking number change together
    with CaptureQueriesContext(connection) as queries:
        services.order_update(order=order, actor=STAFF, status="shipped", tracking_number="T1",
                              fulfillment_status="shipped")
    # then one UPDATE of the order row carries all of it
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "commerce_order"')]
    assert len(updates) == 1, updates
    order.refresh_from_db()
    assert (order.status, order.tracking_number, order.fulfillment_status) == ("shipped", "T1", "shipped")


def test_order_update_that_changes_nothing_writes_and_emits_nothing(place_order):
    # given an order that already has its tracking number and fulfilment status
    order = place_order((ProductFactory(), 1))
    services.order_update(order=order, actor=STAFF, tracking_number="T1", fulfillment_status="shipped")
    updated_at = Order.objects.get(pk=order.pk).updated_at
    events = Event.objects.filter(type="order.updated").count()
    # when the same values come again
    services.order_update(order=order, actor=STAFF, tracking_number=" T1 ", fulfillment_status="shipped")
    # then
    assert Event.objects.filter(type="order.updated").count() == events
    assert Order.objects.get(pk=order.pk).updated_at == updated_at


def test_every_group_status_is_either_not_yet_shipped_shipped_or_later_or_cancelled():
    # The two sets cancelling an order relies on split the group lifecycle with nothing left over.
    assert state.GROUP_NOT_YET_SHIPPED.isdisjoint(state.GROUP_SHIPPED_OR_LATER)
    assert state.GROUP_NOT_YET_SHIPPED | state.GROUP_SHIPPED_OR_LATER | {"cancelled"} == set(GROUP_STATUSES)


def test_a_group_is_found_only_under_its_own_order(place_order):
    from commerce import selectors

    first, second = place_order((ProductFactory(), 1)), place_order((ProductFactory(), 1))
    group = first.groups.get()
    assert selectors.order_group_get(order_id=first.pk, group_id=group.pk) == group
    with pytest.raises(NotFound):
        selectors.order_group_get(order_id=second.pk, group_id=group.pk)


# --- one lifecycle: the order's move drags its groups that are behind -------------------


def _paid_order_of_three_suppliers(place_order):
    """A paid order whose first group is cancelled, second processing and third still pending."""
    order = place_order(*[(ProductFactory(stock_qty=10), 1) for _ in range(3)])
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    cancelled, processing, pending = order.groups.order_by("id")
    services.order_group_transition(group=cancelled, to_status="cancelled", actor=STAFF)
    for target in ["confirmed", "processing"]:
        services.order_group_transition(group=processing, to_status=target, actor=STAFF)
    return order, (cancelled, processing, pending)


def _statuses(groups) -> list[str]:
    return [OrderGroup.objects.get(pk=group.pk).status for group in groups]


def test_shipping_an_order_ships_its_groups_that_are_behind_and_a_cancelled_group_stays_cancelled(
    place_order, admin_user,
):
    # given
    order, groups = _paid_order_of_three_suppliers(place_order)
    cancelled, processing, pending = groups
    events_before = Event.objects.filter(type="order.updated").count()
    # when
    services.order_transition(order=order, to_status="shipped", actor=Actor.from_user(admin_user), comment="DHL")
    # then the live groups are shipped, each with its history row saying why
    assert _statuses(groups) == ["cancelled", "shipped", "shipped"]
    for group, from_status in [(processing, "processing"), (pending, "pending")]:
        change = StatusChange.objects.filter(group=group).latest("id")
        assert (change.from_status, change.to_status, change.comment, change.actor_user_id) == (
            from_status, "shipped", "Moved with the order to shipped: DHL", admin_user.pk)
    assert StatusChange.objects.filter(group=cancelled).count() == 1  # only its own cancellation
    # and the order's rollup follows its groups, with one event for it all
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("shipped", "shipped")
    assert Event.objects.filter(type="order.updated").count() == events_before + 1
    shipped = Event.objects.get(type="order.updated", data__status="shipped")
    assert shipped.data["fulfillment_status"] == "shipped"


def test_delivering_then_completing_an_order_moves_every_live_group_with_it(place_order):
    # given a shipped order with a cancelled group
    order, groups = _paid_order_of_three_suppliers(place_order)
    services.order_transition(order=order, to_status="shipped", actor=STAFF)
    # when it is delivered
    services.order_transition(order=order, to_status="delivered", actor=STAFF)
    # then
    assert _statuses(groups) == ["cancelled", "delivered", "delivered"]
    assert Order.objects.get(pk=order.pk).fulfillment_status == "delivered"
    # when it is completed
    services.order_transition(order=order, to_status="completed", actor=STAFF)
    # then every live group is completed, one history row per move, and nothing is frozen half-way
    assert _statuses(groups) == ["cancelled", "completed", "completed"]
    history = StatusChange.objects.filter(group=groups[2]).order_by("id")
    assert list(history.values_list("from_status", "to_status")) == [
        ("pending", "shipped"), ("shipped", "delivered"), ("delivered", "completed"),
    ]
    assert Order.objects.get(pk=order.pk).fulfillment_status == "delivered"


def test_a_group_ahead_of_its_order_keeps_its_status(place_order):
    # given a paid order whose one supplier has already delivered and the other not started
    order = place_order((ProductFactory(), 1), (ProductFactory(), 1))
    services.order_transition(order=order, to_status="paid", actor=STAFF)
    ahead, behind = order.groups.order_by("id")
    for target in ["confirmed", "processing", "shipped", "delivered"]:
        services.order_group_transition(group=ahead, to_status=target, actor=STAFF)
    history_of_ahead = StatusChange.objects.filter(group=ahead).count()
    # when the order is shipped
    services.order_transition(order=order, to_status="shipped", actor=STAFF)
    # then only the group behind moved
    assert _statuses([ahead, behind]) == ["delivered", "shipped"]
    assert StatusChange.objects.filter(group=ahead).count() == history_of_ahead
    assert Order.objects.get(pk=order.pk).fulfillment_status == "partially_delivered"


@pytest.mark.parametrize("order_status, group_status, expected", [
    ("shipped", "pending", "shipped"), ("shipped", "processing", "shipped"), ("shipped", "shipped", None),
    ("shipped", "delivered", None), ("delivered", "confirmed", "delivered"), ("delivered", "shipped", "delivered"),
    ("delivered", "completed", None), ("completed", "pending", "completed"), ("completed", "delivered", "completed"),
    ("completed", "cancelled", None), ("delivered", "cancelled", None), ("processing", "pending", None),
    ("refunded", "pending", None),
])
def test_which_groups_move_with_their_order(order_status, group_status, expected):
    assert state.group_status_with_order(order_status=order_status, group_status=group_status) == expected

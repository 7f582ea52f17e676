"""The two order lifecycles (DESIGN.md, State machines): the one definition of what may follow what.

``commerce.services`` enforces these maps; nothing else assigns an order's or a group's
status. Moving to the status a row already has is not a transition and is refused.
"""
from .models import Order, OrderGroup

# The staff-facing order lifecycle.
ORDER_TRANSITIONS: dict[str, list[str]] = {
    Order.PENDING: [Order.PAID, Order.CANCELLED],
    Order.PAID: [Order.PROCESSING, Order.SHIPPED, Order.CANCELLED, Order.REFUNDED],
    Order.PROCESSING: [Order.SHIPPED, Order.CANCELLED],
    Order.SHIPPED: [Order.DELIVERED],
    Order.DELIVERED: [Order.COMPLETED, Order.REFUNDED],
    Order.COMPLETED: [Order.REFUNDED],
    Order.CANCELLED: [],
    Order.REFUNDED: [],
}

# A supplier's portion of an order (the Supplier API's table) ...
GROUP_TRANSITIONS: dict[str, list[str]] = {
    OrderGroup.PENDING: [OrderGroup.CONFIRMED, OrderGroup.CANCELLED],
    OrderGroup.CONFIRMED: [OrderGroup.PROCESSING, OrderGroup.CANCELLED],
    OrderGroup.PROCESSING: [OrderGroup.SHIPPED, OrderGroup.CANCELLED],
    OrderGroup.SHIPPED: [OrderGroup.DELIVERED],
    OrderGroup.DELIVERED: [],
    OrderGroup.COMPLETED: [],
    OrderGroup.CANCELLED: [],
}
# ... plus the moves only staff may make.
GROUP_STAFF_ONLY_TRANSITIONS: dict[str, list[str]] = {
    OrderGroup.DELIVERED: [OrderGroup.COMPLETED],
}


def order_allowed_targets(status: str) -> list[str]:
    return list(ORDER_TRANSITIONS.get(status, []))


def group_allowed_targets(status: str, *, staff: bool) -> list[str]:
    targets = list(GROUP_TRANSITIONS.get(status, []))
    if staff:
        targets += GROUP_STAFF_ONLY_TRANSITIONS.get(status, [])
    return targets


# Groups still in the supplier's hands: what cancelling (or refunding) the order cancels.
GROUP_NOT_YET_SHIPPED = {OrderGroup.PENDING, OrderGroup.CONFIRMED, OrderGroup.PROCESSING}
# Groups whose goods have left: they keep an order from being cancelled (refund it instead).
GROUP_SHIPPED_OR_LATER = {OrderGroup.SHIPPED, OrderGroup.DELIVERED, OrderGroup.COMPLETED}


def group_move_refusal(*, order_status: str, to_status: str) -> str | None:
    """Why the order's status forbids moving one of its groups to ``to_status``; None if it doesn't.

    The group lifecycle alone would let a supplier confirm a group of a refunded order, or
    cancel (and so restock) goods a delivered order's customer already has. So: once the
    order is over (cancelled, refunded, completed) its groups are frozen; once it is shipped
    or delivered, none of its groups can be cancelled (refund the order instead).

    The order's payment status is no reason: buyers are businesses, often paid on invoice
    after delivery, so a group of an unpaid (pending) order moves like any other. Staff
    record the payment when it arrives (pending → paid), and can refund after that.
    """
    if order_status in (Order.CANCELLED, Order.REFUNDED, Order.COMPLETED):
        return f"the order is {order_status}, so its groups can no longer change"
    if to_status == OrderGroup.CANCELLED and order_status in (Order.SHIPPED, Order.DELIVERED):
        return f"the order is {order_status}, so its groups can no longer be cancelled; refund the order instead"
    return None


_DELIVERED_OR_LATER = {OrderGroup.DELIVERED, OrderGroup.COMPLETED}

# One lifecycle: staff moving the order to one of these statuses moves every live group that
# is behind along with it (DESIGN.md), so no group is left pending under an order that is over.
# A completed order's groups are completed (the staff-only delivered→completed move).
GROUP_STATUS_WITH_ORDER: dict[str, str] = {
    Order.SHIPPED: OrderGroup.SHIPPED,
    Order.DELIVERED: OrderGroup.DELIVERED,
    Order.COMPLETED: OrderGroup.COMPLETED,
}
# The group lifecycle from start to end; cancelled is off the line (it stays cancelled).
_GROUP_PROGRESS = [
    OrderGroup.PENDING, OrderGroup.CONFIRMED, OrderGroup.PROCESSING, OrderGroup.SHIPPED, OrderGroup.DELIVERED,
    OrderGroup.COMPLETED,
]


def group_status_with_order(*, order_status: str, group_status: str) -> str | None:
    """Where a group goes when staff move its order to ``order_status``; None if it stays put.

    Only a live group that is behind moves: a cancelled group stays cancelled, and a group
    already there or further on (a delivered group of an order being shipped) keeps its status.
    """
    target = GROUP_STATUS_WITH_ORDER.get(order_status)
    if target is None or group_status not in _GROUP_PROGRESS:
        return None
    if _GROUP_PROGRESS.index(group_status) < _GROUP_PROGRESS.index(target):
        return target
    return None


def fulfillment_of(group_statuses: list[str]) -> str:
    """An order's fulfilment status from its groups' statuses; cancelled groups don't count."""
    live = [s for s in group_statuses if s != OrderGroup.CANCELLED]
    if not live:
        return Order.FULFILLMENT_CANCELLED if group_statuses else Order.UNFULFILLED
    delivered = sum(s in _DELIVERED_OR_LATER for s in live)
    shipped = sum(s in GROUP_SHIPPED_OR_LATER for s in live)
    if delivered == len(live):
        return Order.FULFILLMENT_DELIVERED
    if delivered:
        return Order.PARTIALLY_DELIVERED
    if shipped == len(live):
        return Order.FULFILLMENT_SHIPPED
    if shipped:
        return Order.PARTIALLY_SHIPPED
    return Order.UNFULFILLED


# Product approval (staff only): a rejection carries a reason; approving clears it.
PRODUCT_APPROVAL_TRANSITIONS: dict[str, list[str]] = {
    "pending": ["approved", "rejected"],
    "approved": ["rejected"],
    "rejected": ["approved"],
}

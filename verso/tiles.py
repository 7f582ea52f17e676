"""The admin home's built-in tiles: the operator's work queues and key numbers.

Each queue's condition below is its one definition: the home counts it and the
changelist's "work queue" filter (``verso.dashboard.QueueFilter``) applies it. Registered
when the ``verso`` app is ready; other apps add their own tiles with
``dashboard.register_queue`` / ``dashboard.register_number`` (see verso.dashboard).
"""
import datetime as dt

from django.db.models import Count, F, Q, Sum

from commerce.models import Order, OrderGroup, Product
from crm.models import Lead
from scheduling.models import Appointment
from supplier.models import Supplier
from webhooks.models import Delivery, Webhook

from . import dashboard
from .money import money

# How long a supplier may leave an order group pending, and an order paid but unshipped,
# before someone should look.
GROUP_PENDING_TOO_LONG = dt.timedelta(hours=48)
ORDER_UNSHIPPED_TOO_LONG = dt.timedelta(days=3)
DELIVERY_FAILURES_WINDOW = dt.timedelta(hours=24)
# Orders that count towards gross merchandise value: every order placed but these.
GMV_EXCLUDED_STATUSES = [Order.CANCELLED, Order.REFUNDED]


# --- queue conditions -------------------------------------------------------------------


def products_awaiting_approval(*, now: dt.datetime) -> Q:
    return Q(approval_status=Product.PENDING, deleted_at__isnull=True)


def suppliers_awaiting_verification(*, now: dt.datetime) -> Q:
    return Q(is_verified=False)


def order_groups_pending_too_long(*, now: dt.datetime) -> Q:
    return Q(status=OrderGroup.PENDING, order__created_at__lt=now - GROUP_PENDING_TOO_LONG)


def orders_paid_not_shipped(*, now: dt.datetime) -> Q:
    """Paid (or being prepared) and still not shipped three days after the order."""
    return Q(status__in=[Order.PAID, Order.PROCESSING], created_at__lt=now - ORDER_UNSHIPPED_TOO_LONG)


def deliveries_failed_recently(*, now: dt.datetime) -> Q:
    """Deliveries that gave up in the last 24 hours (every retry spent, or the receiver answered 410 Gone)."""
    return Q(status=Delivery.FAILED, updated_at__gte=now - DELIVERY_FAILURES_WINDOW)


def webhooks_disabled(*, now: dt.datetime) -> Q:
    """Endpoints Verso switched off (repeated failures or a 410 Gone), not the ones staff made inactive."""
    return Q(disabled_at__isnull=False)


def products_low_on_stock(*, now: dt.datetime) -> Q:
    """Live, approved, active products at or below their low-stock threshold (out of stock included)."""
    return Q(
        deleted_at__isnull=True, is_active=True, approval_status=Product.APPROVED,
        stock_qty__lte=F("low_stock_threshold"),
    )


# --- number tiles -----------------------------------------------------------------------


def order_figures(*, now: dt.datetime) -> list[dashboard.Figure]:
    """Orders placed and their gross merchandise value: today, last 7 and last 30 days (one query).

    One row per currency (one, normally): the value is summed per currency, never across.
    """
    windows = [("today", dashboard.start_of_day(now)), ("last 7 days", dashboard.start_of_day(now, days_back=6)),
               ("last 30 days", dashboard.start_of_day(now, days_back=29))]
    counted = ~Q(status__in=GMV_EXCLUDED_STATUSES)
    aggregates = {}
    for n, (_label, since) in enumerate(windows):
        aggregates[f"orders_{n}"] = Count("id", filter=Q(created_at__gte=since))
        aggregates[f"gmv_{n}"] = Sum("total_amount", filter=Q(created_at__gte=since) & counted)
    rows = list(
        Order.objects.filter(created_at__gte=windows[-1][1]).order_by().values("currency").annotate(**aggregates)
    )
    figures = []
    for n, (label, _since) in enumerate(windows):
        orders = sum(row[f"orders_{n}"] for row in rows)
        value = " + ".join(money(row[f"gmv_{n}"], row["currency"]) for row in rows if row[f"gmv_{n}"]) or money(0)
        figures.append(dashboard.Figure(label=f"Orders {label}", value=f"{orders:,}"))
        figures.append(dashboard.Figure(label=f"GMV {label}", value=value))
    return figures


def lead_figures(*, now: dt.datetime) -> list[dashboard.Figure]:
    count = Lead.objects.filter(submitted_at__gte=dashboard.start_of_week(now)).count()
    return [dashboard.Figure(label="New leads this week", value=f"{count:,}")]


def appointment_figures(*, now: dt.datetime) -> list[dashboard.Figure]:
    today = dashboard.start_of_day(now)
    count = (
        Appointment.objects.filter(scheduled_time__gte=today, scheduled_time__lt=today + dt.timedelta(days=1))
        .exclude(status=Appointment.Status.CANCELLED).count()
    )
    return [dashboard.Figure(label="Appointments today", value=f"{count:,}")]


def register() -> None:
    for queue in [
        dashboard.Queue(key="awaiting-approval", label="Products awaiting approval", model=Product,
                        condition=products_awaiting_approval),
        dashboard.Queue(key="awaiting-verification", label="Suppliers awaiting verification", model=Supplier,
                        condition=suppliers_awaiting_verification),
        dashboard.Queue(key="pending-48h", label="Order groups pending 48 hours after the order",
                        model=OrderGroup, condition=order_groups_pending_too_long),
        dashboard.Queue(key="unshipped-3d", label="Paid orders not shipped after 3 days", model=Order,
                        condition=orders_paid_not_shipped),
        dashboard.Queue(key="failed-24h", label="Webhook deliveries failed in the last 24 hours", model=Delivery,
                        condition=deliveries_failed_recently),
        dashboard.Queue(key="disabled", label="Webhook endpoints disabled after failures", model=Webhook,
                        condition=webhooks_disabled),
        dashboard.Queue(key="low-stock", label="Products low on stock", model=Product,
                        condition=products_low_on_stock),
    ]:
        dashboard.register_queue(queue)
    dashboard.register_number(dashboard.NumberTile(key="orders", title="Orders", model=Order, figures=order_figures))
    dashboard.register_number(dashboard.NumberTile(key="leads", title="Leads", model=Lead, figures=lead_figures))
    dashboard.register_number(
        dashboard.NumberTile(key="appointments", title="Appointments", model=Appointment, figures=appointment_figures)
    )

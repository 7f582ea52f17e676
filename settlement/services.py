"""Settlement rules: the only code that writes commission rates, statement lines and statements.

- A group's sale is earned when it is delivered (commerce calls ``sale_earned`` from the
  one function that moves a group); a refund of the order reverses what was earned
  (``sales_reversed``), dated when the refund happened.
- A statement collects the supplier's unassigned lines of its month; regenerating a draft
  adds what arrived since; ``draft → issued → paid``; an issued statement never changes,
  so a line that arrives later waits for the next statement generated.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commerce.models import Category, Order, OrderGroup, OrderItem
from supplier.models import Supplier
from verso.errors import InvalidTransition, ValidationFailed
from webhooks.services import emit

from . import rates
from .models import CommissionRate, CommissionRateChange, Statement, StatementLine
from .periods import period_bounds, period_of
from .representations import STATEMENT_VALUES, statement_dict

# --- rates ------------------------------------------------------------------------------


def _checked_rate(rate) -> Decimal | None:
    if rate is None or rate == "":
        return None
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not (0 <= value <= 100) or value.as_tuple().exponent < -2:
        raise ValidationFailed.for_fields({"rate": "Must be a percentage between 0 and 100 with at most 2 decimals."})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def commission_rate_set(
    *, supplier: Supplier | None = None, category: Category | None = None, rate, user=None
) -> CommissionRate | None:
    """Give a supplier or a category its own rate (``rate=None`` removes it: the fallback applies).

    Every change is logged (who, when, old → new); setting the rate it already has logs
    nothing. Orders already placed keep the rate they were placed with.
    """
    if (supplier is None) == (category is None):
        raise ValidationFailed.for_fields({"target": "Name either a supplier or a category."})
    new = _checked_rate(rate)
    # The target's row lock makes two changes of one rate take turns (and the log's order true).
    if supplier is not None:
        target = Supplier.objects.select_for_update().get(pk=supplier.pk)
        current = CommissionRate.objects.filter(supplier=target).first()
        label, fields = f"Supplier {target.name}", {"supplier": target}
    else:
        target = Category.objects.select_for_update().get(pk=category.pk)
        current = CommissionRate.objects.filter(category=target).first()
        label, fields = f"Category {target.name}", {"category": target}
    old = current.rate if current else None
    if old == new:
        return current
    if new is None:
        current.delete()
    elif current is None:
        current = CommissionRate.objects.create(rate=new, **fields)
    else:
        current.rate = new
        current.save(update_fields=["rate", "updated_at"])
    CommissionRateChange.objects.create(
        target=label, old_rate=old, new_rate=new, changed_by=user, **fields
    )
    return None if new is None else current


# --- earning ----------------------------------------------------------------------------


def _snapshot_group(group: OrderGroup) -> None:
    """Record the commission of a group placed before commissions were (rates in force now)."""
    items = list(OrderItem.objects.filter(group=group).select_related("product"))
    applicable = rates.rates_for([item.product for item in items])
    for item in items:
        share = rates.split(item.unit_price * item.quantity, applicable[item.product_id])
        item.commission_rate, item.commission_amount, item.net_amount = share.rate, share.commission, share.net
    OrderItem.objects.bulk_update(items, ["commission_rate", "commission_amount", "net_amount"])
    group.commission_amount = sum(item.commission_amount for item in items)
    group.net_amount = sum(item.net_amount for item in items)
    group.save(update_fields=["commission_amount", "net_amount"])


def sale_earned(*, group: OrderGroup) -> StatementLine | None:
    """A supplier's group was delivered: its sale is earned now. Once per group; called by
    commerce with the group locked. The operator's own group owes no one anything."""
    if group.supplier_id is None:
        return None
    existing = StatementLine.objects.filter(order_group=group, kind=StatementLine.SALE).first()
    if existing is not None:
        return existing
    if group.commission_amount is None:
        _snapshot_group(group)
    item_rates = set(OrderItem.objects.filter(group=group).values_list("commission_rate", flat=True))
    return StatementLine.objects.create(
        supplier_id=group.supplier_id, order_group=group, kind=StatementLine.SALE,
        gross_amount=group.subtotal_amount, commission_amount=group.commission_amount,
        net_amount=group.subtotal_amount - group.commission_amount,
        commission_rate=item_rates.pop() if len(item_rates) == 1 else None,
        currency=Order.objects.filter(pk=group.order_id).values_list("currency", flat=True).get(),
        earned_at=timezone.now(),
    )


def sales_reversed(*, order: Order) -> list[StatementLine]:
    """The order was refunded: each sale earned on it gets its reversal, dated now (once).

    Called by commerce with the order and its groups locked.
    """
    sales = list(StatementLine.objects.filter(order_group__order=order, kind=StatementLine.SALE))
    reversed_groups = set(StatementLine.objects.filter(
        order_group__order=order, kind=StatementLine.REFUND).values_list("order_group_id", flat=True))
    now = timezone.now()
    return StatementLine.objects.bulk_create([
        StatementLine(
            supplier_id=sale.supplier_id, order_group_id=sale.order_group_id, kind=StatementLine.REFUND,
            gross_amount=-sale.gross_amount, commission_rate=sale.commission_rate,
            commission_amount=-sale.commission_amount, net_amount=-sale.net_amount, currency=sale.currency,
            earned_at=now,
        )
        for sale in sales if sale.order_group_id not in reversed_groups
    ])


# --- statements -------------------------------------------------------------------------


def _lines_due(period: dt.date, *, supplier_id: int | None = None) -> dict[int, list[int]]:
    """The unassigned lines a statement of ``period`` takes, by supplier: those earned in the
    month, and earlier ones whose own month's statement was issued before they arrived."""
    start, end = period_bounds(period)
    closed = Statement.objects.filter(period__lt=period).exclude(status=Statement.DRAFT)
    lines = StatementLine.objects.filter(statement__isnull=True, earned_at__lt=end)
    if supplier_id is not None:
        closed, lines = closed.filter(supplier_id=supplier_id), lines.filter(supplier_id=supplier_id)
    closed_months = set(closed.values_list("supplier_id", "period"))
    due: dict[int, list[int]] = defaultdict(list)
    for line_id, line_supplier_id, earned_at in lines.values_list("id", "supplier_id", "earned_at"):
        if earned_at >= start or (line_supplier_id, period_of(earned_at)) in closed_months:
            due[line_supplier_id].append(line_id)
    return due


def _recount(statement: Statement) -> None:
    sums = statement.lines.aggregate(
        gross=Coalesce(Sum("gross_amount"), 0), commission=Coalesce(Sum("commission_amount"), 0), count=Count("id"),
    )
    statement.gross_amount, statement.commission_amount = sums["gross"], sums["commission"]
    statement.net_amount = sums["gross"] - sums["commission"]
    statement.lines_count = sums["count"]
    statement.save(update_fields=["gross_amount", "commission_amount", "net_amount", "lines_count", "updated_at"])


def _collect(statement: Statement, line_ids: list[int]) -> bool:
    """Put the unassigned lines among ``line_ids`` on a (locked, draft) statement; whether any moved."""
    moved = StatementLine.objects.filter(pk__in=line_ids, statement__isnull=True).update(statement=statement)
    if moved:
        _recount(statement)
    return bool(moved)


def _issue(statement: Statement, user) -> None:
    statement.status = Statement.ISSUED
    statement.issued_at = timezone.now()
    statement.issued_by = user
    statement.save(update_fields=["status", "issued_at", "issued_by", "updated_at"])
    emit("settlement.issued", statement_payload(statement.pk))


def statement_payload(statement_id: int) -> dict:
    return statement_dict(Statement.objects.filter(pk=statement_id).values(*STATEMENT_VALUES).get())


@transaction.atomic
def statements_generate(*, period: dt.date, issue: bool = False, user=None) -> int:
    """Make or update ``period``'s statements (and with ``issue`` issue them); how many it made or changed.

    Per supplier with lines due: a new draft, or the existing draft with the lines that
    arrived since. An issued or paid statement is left as it is. Run twice, the second run
    changes nothing (0).
    """
    period = period.replace(day=1)
    due = _lines_due(period)
    drafts = set(Statement.objects.filter(period=period, status=Statement.DRAFT).values_list("supplier_id", flat=True))
    touched = 0
    for supplier_id in sorted(set(due) | drafts):  # one lock order for concurrent runs
        statement, created = Statement.objects.get_or_create(supplier_id=supplier_id, period=period)
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.status != Statement.DRAFT:
            continue
        changed = _collect(statement, due.get(supplier_id, [])) or created
        if issue:
            _issue(statement, user)
            changed = True
        touched += changed
    return touched


def _locked(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement.pk)


@transaction.atomic
def statement_issue(*, statement: Statement, user=None) -> Statement:
    """Issue a draft (with any line of its month that arrived since it was generated): from
    now on it never changes, the supplier sees it, and ``settlement.issued`` is sent."""
    statement = _locked(statement)
    if statement.status != Statement.DRAFT:
        raise InvalidTransition(entity=f"statement {statement.pk}", from_status=statement.status,
                                to_status=Statement.ISSUED, allowed=_allowed(statement.status))
    _collect(statement, _lines_due(statement.period, supplier_id=statement.supplier_id).get(statement.supplier_id, []))
    _issue(statement, user)
    return statement


@transaction.atomic
def statement_mark_paid(*, statement: Statement, payout_reference: str, user=None) -> Statement:
    """Record that an issued statement was paid out, with the transfer's reference."""
    reference = (payout_reference or "").strip()
    max_length = Statement._meta.get_field("payout_reference").max_length
    if not reference:
        raise ValidationFailed.for_fields({"payout_reference": "A payout reference is required."})
    if len(reference) > max_length:
        raise ValidationFailed.for_fields({"payout_reference": f"At most {max_length} characters."})
    statement = _locked(statement)
    if statement.status != Statement.ISSUED:
        raise InvalidTransition(entity=f"statement {statement.pk}", from_status=statement.status,
                                to_status=Statement.PAID, allowed=_allowed(statement.status))
    statement.status = Statement.PAID
    statement.paid_at = timezone.now()
    statement.paid_by = user
    statement.payout_reference = reference
    statement.save(update_fields=["status", "paid_at", "paid_by", "payout_reference", "updated_at"])
    return statement


STATEMENT_TRANSITIONS = {Statement.DRAFT: [Statement.ISSUED], Statement.ISSUED: [Statement.PAID], Statement.PAID: []}


def _allowed(status: str) -> list[str]:
    return list(STATEMENT_TRANSITIONS[status])

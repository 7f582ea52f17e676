"""Reads of statements and lines. What a supplier can reach takes the supplier by signature."""
import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from verso.db import child_rows, decoded
from verso.errors import NotFound

from .models import Statement, StatementLine
from .representations import LINE_VALUES, STATEMENT_VALUES

# What a supplier may see: a draft is still the marketplace's working copy.
SUPPLIER_VISIBLE = [Statement.ISSUED, Statement.PAID]


def statement_list() -> QuerySet:
    """Every statement as ``.values()`` rows (the Staff API list), newest month first."""
    return Statement.objects.values(*STATEMENT_VALUES).order_by("-period", "-id")


def _detail(statements: QuerySet) -> dict | None:
    """One statement with its lines, in one query (the lines ride along as a JSON array)."""
    row = statements.values(
        *STATEMENT_VALUES, line_rows=child_rows(StatementLine.objects, parent_field="statement_id", fields=_LINE_FIELDS)
    ).first()
    if row is None:
        return None
    lines = decoded(row.pop("line_rows"), datetimes=("earned_at",), decimals={"commission_rate": 2})
    row["lines"] = sorted(lines, key=lambda line: (line["earned_at"], line["id"]))
    return row


_LINE_FIELDS = ["id", *LINE_VALUES]


def statement_detail(*, statement_id: int) -> dict:
    row = _detail(Statement.objects.filter(pk=statement_id))
    if row is None:
        raise NotFound("Settlement statement not found")
    return row


def statement_lines(*, statement_id: int) -> list[dict]:
    """A statement's lines, oldest first (the CSV export)."""
    lines = StatementLine.objects.filter(statement_id=statement_id)
    return list(lines.values(*LINE_VALUES).order_by("earned_at", "id"))


def supplier_statement_list(*, supplier_id: int) -> QuerySet:
    """The supplier's own issued and paid statements, newest month first."""
    return (Statement.objects.filter(supplier_id=supplier_id, status__in=SUPPLIER_VISIBLE)
            .values(*STATEMENT_VALUES).order_by("-period", "-id"))


def supplier_statement_get(*, supplier_id: int, statement_id: int) -> Statement:
    """One of the supplier's own issued or paid statements; anything else is a 404 that reveals nothing."""
    statement = Statement.objects.filter(
        pk=statement_id, supplier_id=supplier_id, status__in=SUPPLIER_VISIBLE
    ).first()
    if statement is None:
        raise NotFound("Settlement statement not found")
    return statement


def supplier_statement_detail(*, supplier_id: int, statement_id: int) -> dict:
    row = _detail(Statement.objects.filter(pk=statement_id, supplier_id=supplier_id, status__in=SUPPLIER_VISIBLE))
    if row is None:
        raise NotFound("Settlement statement not found")
    return row


def totals_per_month(statements: QuerySet) -> list[dict]:
    """Sums per period over ``statements`` (the admin changelist's filtered rows), one query."""
    return list(
        statements.order_by().values("period").annotate(
            statements=Count("id"), gross=Sum("gross_amount"), commission=Sum("commission_amount"),
            net=Sum("net_amount"),
        ).order_by("-period")
    )


def settlement_report(*, start: dt.datetime, end: dt.datetime) -> tuple[list[dict], dict]:
    """Per supplier and in total, what was earned in ``[start, end)``: gross sales, commission
    (the marketplace's income, net of reversals), refunds and net payable. Aggregated in SQL."""
    lines = StatementLine.objects.filter(earned_at__gte=start, earned_at__lt=end)
    sums = {
        "gross_sales": Coalesce(Sum("gross_amount", filter=Q(kind=StatementLine.SALE)), 0),
        "refunds": Coalesce(-Sum("gross_amount", filter=Q(kind=StatementLine.REFUND)), 0),
        "commission": Coalesce(Sum("commission_amount"), 0),
        "net_payable": Coalesce(Sum("net_amount"), 0),
        "lines": Count("id"),
    }
    rows = list(
        lines.order_by().values("supplier_id", "supplier__name").annotate(**sums)
        .order_by("supplier__name", "supplier_id")
    )
    total = lines.order_by().aggregate(**sums)
    return rows, total


def commission_this_month(*, now: dt.datetime) -> list[dict]:
    """The operator's commission earned so far this calendar month (UTC, like statements), net of
    refunds, per currency: one query over the month's sale and refund lines."""
    month_start = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return list(
        StatementLine.objects.filter(earned_at__gte=month_start).order_by().values("currency")
        .annotate(commission=Sum("commission_amount"), sales=Count("id", filter=Q(kind=StatementLine.SALE)))
    )

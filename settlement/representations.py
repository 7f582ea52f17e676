"""Statements and their lines as plain dicts: cents for the Staff API and events, euros for the Supplier API.

Built from ``.values()`` rows, so a list renders without a query per row.
"""
from collections.abc import Callable

from commerce.representations import iso, percent
from verso.api.fields import euros

from .periods import period_label

STATEMENT_VALUES = [
    "id", "supplier_id", "period", "status", "gross_amount", "commission_amount", "net_amount", "currency",
    "lines_count", "issued_at", "paid_at", "payout_reference",
]
LINE_VALUES = [
    "statement_id", "order_group__order__order_number", "order_group_id", "kind", "gross_amount",
    "commission_rate", "commission_amount", "net_amount", "earned_at",
]


def _cents(value: int) -> int:
    return value


def statement_dict(row: dict, *, money: Callable = _cents) -> dict:
    return {
        "id": row["id"],
        "supplier_id": row["supplier_id"],
        "period": period_label(row["period"]),
        "status": row["status"],
        "gross_amount": money(row["gross_amount"]),
        "commission_amount": money(row["commission_amount"]),
        "net_amount": money(row["net_amount"]),
        "currency": row["currency"],
        "lines_count": row["lines_count"],
        "issued_at": iso(row["issued_at"]),
        "paid_at": iso(row["paid_at"]),
        "payout_reference": row["payout_reference"] or None,
    }


def line_dict(row: dict, *, money: Callable = _cents, rate: Callable = percent) -> dict:
    return {
        "order_number": row["order_group__order__order_number"],
        "order_group_id": row["order_group_id"],
        "kind": row["kind"],
        "gross_amount": money(row["gross_amount"]),
        "commission_rate": None if row["commission_rate"] is None else rate(row["commission_rate"]),
        "commission_amount": money(row["commission_amount"]),
        "net_amount": money(row["net_amount"]),
        "earned_at": iso(row["earned_at"]),
    }


def supplier_statement_dict(row: dict) -> dict:
    return statement_dict(row, money=euros)


def supplier_line_dict(row: dict) -> dict:
    return line_dict(row, money=euros, rate=lambda value: value)

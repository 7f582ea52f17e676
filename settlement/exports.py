"""CSV files of settlement data: a statement's lines (admin and portal) and the earnings report (admin)."""
import csv
import io
from decimal import Decimal

from commerce.representations import iso

LINE_HEADER = ["order_number", "order_group_id", "kind", "earned_at", "gross", "commission_rate", "commission", "net",
               "currency"]
REPORT_HEADER = ["supplier_id", "supplier", "gross_sales", "refunds", "commission", "net_payable"]


def money(cents: int) -> str:
    """Cents as a plain decimal amount (``-12.50``), what a spreadsheet reads as a number."""
    return f"{Decimal(cents) / 100:.2f}"


def text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a name starting with = + - @)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def statement_lines_csv(lines: list[dict], *, currency: str) -> str:
    """``lines`` as settlement.selectors.statement_lines gives them; amounts in the currency's units."""
    return _csv(LINE_HEADER, (
        [line["order_group__order__order_number"], line["order_group_id"], line["kind"], iso(line["earned_at"]),
         money(line["gross_amount"]), "" if line["commission_rate"] is None else f"{line['commission_rate']:.2f}",
         money(line["commission_amount"]), money(line["net_amount"]), currency]
        for line in lines
    ))


def report_csv(rows: list[dict], total: dict) -> str:
    body = [[row["supplier_id"], text(row["supplier__name"]), money(row["gross_sales"]), money(row["refunds"]),
             money(row["commission"]), money(row["net_payable"])] for row in rows]
    body.append(["", "Total", money(total["gross_sales"]), money(total["refunds"]), money(total["commission"]),
                 money(total["net_payable"])])
    return _csv(REPORT_HEADER, body)


def statement_filename(supplier_slug: str, period_label: str) -> str:
    return f"settlement-{supplier_slug}-{period_label}.csv"

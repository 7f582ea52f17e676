"""Database limits, and reading a parent row and its children in one SQL query.

``child_rows`` turns a correlated child queryset into a JSON array column
(``jsonb_agg`` on PostgreSQL, ``json_group_array`` on SQLite), so a detail endpoint like
an order with its items and groups stays one query. ``decoded`` turns the JSON values
back into the Python types the ``.values()`` rows would have had.
"""
from decimal import Decimal

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_datetime

MAX_INT = 2_147_483_647  # the widest integer column that is not an id (32-bit on every database)
MAX_BIGINT = 9_223_372_036_854_775_807  # ids are 64-bit on every database


class JSONArrayAgg(Aggregate):
    # jsonb, not json: Django hands jsonb to JSONField as text to decode, json it does not.
    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def child_rows(queryset: QuerySet, *, parent_field: str, fields: list[str]) -> Subquery:
    """The rows of ``queryset`` that belong to the outer row (``parent_field`` = its pk), as a JSON array."""
    rows = (
        queryset.filter(**{parent_field: OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(rows=JSONArrayAgg(JSONObject(**{name: name for name in fields})))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def decoded(rows: list[dict] | None, *, datetimes: tuple = (), decimals: dict[str, int] | None = None) -> list[dict]:
    """JSON child rows with their datetimes and decimals (name → decimal places) restored, in id order."""
    rows = list(rows or [])
    for row in rows:
        for name in datetimes:
            if row[name] is not None:
                row[name] = parse_datetime(row[name].replace(" ", "T"))
        for name, places in (decimals or {}).items():
            if row[name] is not None:
                row[name] = Decimal(str(row[name])).quantize(Decimal(1).scaleb(-places))
    rows.sort(key=lambda row: row["id"])
    return rows

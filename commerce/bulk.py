"""Bulk stock and price updates: many of one supplier's products in one transaction.

Each item names a product by ``product_id`` or ``sku`` (exactly one). Items are checked one
by one and a bad item only fails itself; the good ones are applied together, in one
transaction, in a constant number of SQL queries whatever the item count: one SELECT … FOR
UPDATE of every product named (in id order, the lock order used everywhere, so two bulk
updates at once never deadlock), one UPDATE for the products that change, one INSERT for
their ``product.updated`` events.
"""
import re
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError as DRFValidationError

from verso import generations
from verso.api.fields import EuroField
from verso.db import MAX_BIGINT, MAX_INT
from verso.errors import Forbidden, ValidationFailed
from webhooks.services import emit_many_updated

from . import representations as rep
from .actors import Actor
from .models import Product

MAX_BULK_ITEMS = 500
SAME_PRODUCT = "The same product as {}."
_SAME_PRODUCT_AS_ITEM = re.compile(r"^The same product as item (\d+)\.$")
PRODUCT_NOT_FOUND = "Product not found"
_SKU_LENGTH = Product._meta.get_field("sku").max_length


def _whole_stock(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise ValueError(f"Must be a whole number from 0 to {MAX_INT}.")
    return value


def _cents(value: Any) -> int:
    # Euros are read one way in the Supplier API (EuroField): a JSON number with at most
    # 2 decimals, from 0 to the column's maximum, as whole cents.
    try:
        return EuroField().to_internal_value(value)
    except DRFValidationError as exc:
        raise ValueError(str(exc.detail[0])) from None


class _Refused(Exception):
    """One item's problem (the message of its ``errors`` entry)."""


def _identify(raw: dict) -> tuple[int | None, str | None]:
    """The item's product id or SKU; exactly one of them is given."""
    has_id, has_sku = "product_id" in raw, "sku" in raw
    if has_id and has_sku:
        raise _Refused("Give product_id or sku, not both.")
    if not has_id and not has_sku:
        raise _Refused("Give product_id or sku.")
    if has_id:
        product_id = raw["product_id"]
        if isinstance(product_id, bool) or not isinstance(product_id, int):
            raise _Refused("product_id: Must be a whole number.")
        if not 1 <= product_id <= MAX_BIGINT:
            raise _Refused(PRODUCT_NOT_FOUND)  # no product can have it
        return product_id, None
    sku = raw["sku"]
    if not isinstance(sku, str):
        raise _Refused("sku: Must be a string.")
    sku = sku.strip()  # SKUs are stored trimmed
    if not sku:
        raise _Refused("sku: Must not be blank.")
    if len(sku) > _SKU_LENGTH or "\x00" in sku:
        raise _Refused(PRODUCT_NOT_FOUND)  # no product can have it (PostgreSQL cannot even compare a NUL)
    return None, sku


def _error_entry(index: int, raw: Any, message: str) -> dict:
    """``{"index", "product_id" and/or "sku" as the item gave them, "error"}``."""
    entry: dict[str, Any] = {"index": index}
    if isinstance(raw, dict):
        for name in ("product_id", "sku"):
            if name in raw:
                entry[name] = raw[name]
    entry["error"] = message
    return entry


@transaction.atomic
def _bulk_update(
    *, supplier_id: int, items: list, actor: Actor, field: str, column: str, parse: Callable[[Any], int],
) -> dict:
    if not actor.is_staff and actor.supplier_id != supplier_id:
        raise Forbidden("A supplier may only update its own products.")
    if not isinstance(items, list) or not items:
        raise ValidationFailed.for_fields({"items": "Give at least one item."})
    if len(items) > MAX_BULK_ITEMS:
        raise ValidationFailed.for_fields({"items": f"At most {MAX_BULK_ITEMS} items per request."})

    errors: dict[int, dict] = {}
    wanted: list[tuple[int, int | None, str | None, int]] = []  # (index, product_id, sku, value)
    for index, raw in enumerate(items):
        try:
            if not isinstance(raw, dict):
                raise _Refused(f"Must be an object with product_id or sku, and {field}.")
            unknown = sorted(str(name) for name in set(raw) - {"product_id", "sku", field})
            if unknown:
                raise _Refused(f"Unknown field: {', '.join(unknown)}.")
            product_id, sku = _identify(raw)
            if field not in raw:
                raise _Refused(f"{field}: This field is required.")
            try:
                value = parse(raw[field])
            except ValueError as exc:
                raise _Refused(f"{field}: {exc}") from None
        except _Refused as refused:
            errors[index] = _error_entry(index, raw, str(refused))
            continue
        wanted.append((index, product_id, sku, value))

    rows: list[tuple] = []
    if wanted:
        ids = {product_id for _, product_id, _, _ in wanted if product_id is not None}
        skus = {sku for _, _, sku, _ in wanted if sku is not None}
        rows = _lock(supplier_id=supplier_id, ids=ids, skus=skus, column=column)
    by_id = {row[0]: row for row in rows}
    by_sku = {row[1]: row for row in rows if row[1]}

    taken: dict[int, int] = {}  # product id -> the index of the item that set it
    changed: dict[int, tuple[int, str, int, str]] = {}  # id -> (new value, new status, old value, old status)
    updated = 0
    for index, product_id, sku, value in wanted:
        raw = items[index]
        row = by_id.get(product_id) if product_id is not None else by_sku.get(sku)
        if row is None:
            errors[index] = _error_entry(index, raw, PRODUCT_NOT_FOUND)
            continue
        pk, _, old_value, old_status = row
        if pk in taken:
            errors[index] = _error_entry(index, raw, SAME_PRODUCT.format(f"item {taken[pk]}"))
            continue
        taken[pk] = index
        updated += 1
        if old_value == value:
            continue  # already so: nothing to write, no event
        status = old_status
        if column == "price" and not actor.is_staff and old_status == Product.REJECTED:
            # As in product_update: a supplier changing a rejected product resubmits it.
            status = Product.PENDING
        changed[pk] = (value, status, old_value, old_status)

    if changed:
        after_rows = _write(changed, column=column, now=timezone.now())
        updates = []
        for pk, (_, _, old_value, old_status) in changed.items():  # item order, as before
            after_row = after_rows[pk]
            after = rep.product_dict(after_row)
            # The row before differs only in the columns written (updated_at is never "previous").
            before = rep.product_dict({**after_row, column: old_value, "approval_status": old_status})
            previous = {name: before[name] for name, value in after.items()
                        if name != "updated_at" and before[name] != value}
            updates.append((after, previous))
        emit_many_updated("product.updated", updates)
    return {"updated": updated, "failed": len(errors), "errors": [errors[index] for index in sorted(errors)]}


def _quoted(name: str) -> str:
    return connection.ops.quote_name(Product._meta.get_field(name).column)


def _lock(*, supplier_id: int, ids: set[int], skus: set[str], column: str) -> list[tuple[int, str, int, str]]:
    """``(id, sku, column, approval_status)`` of the supplier's live products named by id or
    SKU, locked FOR UPDATE in id order (the lock order used everywhere, so two bulk updates
    at once never deadlock). Anyone else's product is simply not found.

    Only the columns the checks need, and the ids and SKUs as two arrays: 500 model
    instances, and a statement with 500 placeholders to build and bind, cost more than the
    rest of the request.
    """
    if connection.vendor != "postgresql":  # the embedded demo (SQLite): the same rows, through the ORM
        return list(
            Product.objects.select_for_update()
            .filter(supplier_id=supplier_id, deleted_at__isnull=True)
            .filter(Q(pk__in=ids) | (Q(sku__in=skus) & ~Q(sku="")))
            .order_by("pk")
            .values_list("pk", "sku", column, "approval_status")
        )
    table = connection.ops.quote_name(Product._meta.db_table)
    sql = (
        f"SELECT {_quoted('id')}, {_quoted('sku')}, {_quoted(column)}, {_quoted('approval_status')} FROM {table} "
        f"WHERE {_quoted('supplier')} = %s AND {_quoted('deleted_at')} IS NULL "
        f"AND ({_quoted('id')} = ANY(%s::bigint[]) OR ({_quoted('sku')} = ANY(%s::text[]) AND {_quoted('sku')} <> '')) "
        f"ORDER BY {_quoted('id')} FOR UPDATE"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [supplier_id, sorted(ids), sorted(skus)])
        return cursor.fetchall()


_COLUMNS = [Product._meta.get_field(name).column for name in rep.PRODUCT_VALUES]


def _write(changed: dict[int, tuple[int, str, int, str]], *, column: str, now) -> dict[int, dict]:
    """One UPDATE of the changed products (locked by the caller), returning each one's
    ``PRODUCT_VALUES`` row after it, by id.

    Raw SQL rather than ``bulk_update``: its ``CASE WHEN id = … THEN …`` per row and field
    was slow for Django to build and for PostgreSQL to plan; three arrays joined by id are
    one short statement whatever the count. Raw SQL bypasses TrackedQuerySet, so the cache
    generation is bumped here.
    """
    if connection.vendor != "postgresql":  # the embedded demo (SQLite): bulk_update, then read back
        Product.objects.bulk_update(
            [Product(pk=pk, **{column: value}, approval_status=status, updated_at=now)
             for pk, (value, status, _, _) in changed.items()],
            [column, "approval_status", "updated_at"],
        )
        return {row["id"]: row for row in Product.objects.filter(pk__in=list(changed)).values(*rep.PRODUCT_VALUES)}
    table = connection.ops.quote_name(Product._meta.db_table)
    target, status, updated_at = _quoted(column), _quoted("approval_status"), _quoted("updated_at")
    id_column = _quoted("id")
    returning = ", ".join(f"p.{connection.ops.quote_name(name)}" for name in _COLUMNS)
    ids = list(changed)
    sql = (
        f"UPDATE {table} AS p SET {target} = v.value, {status} = v.status, {updated_at} = %s "
        "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS value, unnest(%s::text[]) AS status) AS v "
        f"WHERE p.{id_column} = v.id RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, ids, [changed[pk][0] for pk in ids], [changed[pk][1] for pk in ids]])
        rows = {row[0]: dict(zip(rep.PRODUCT_VALUES, row, strict=True)) for row in cursor.fetchall()}
    if rows:
        generations.bump_for(Product)
    return rows


def product_stock_bulk_update(*, supplier_id: int, items: list, actor: Actor) -> dict:
    """Set ``stock_qty`` of many products: items ``{"product_id"|"sku", "stock_qty"}``.

    Returns ``{"updated", "failed", "errors": [{"index", "product_id"|"sku", "error"}]}``.
    """
    return _bulk_update(supplier_id=supplier_id, items=items, actor=actor, field="stock_qty", column="stock_qty",
                        parse=_whole_stock)


def product_price_bulk_update(*, supplier_id: int, items: list, actor: Actor) -> dict:
    """Set the price of many products: items ``{"product_id"|"sku", "base_price"}`` (euros, a
    JSON number with at most 2 decimals). Same answer as ``product_stock_bulk_update``."""
    return _bulk_update(supplier_id=supplier_id, items=items, actor=actor, field="base_price", column="price",
                        parse=_cents)


def product_stock_and_price_bulk_update(
    *, supplier_id: int, items: list, actor: Actor, describe_item: Callable[[int], str] = lambda index: f"item {index}",
) -> dict:
    """Set stock and/or price of many products (the portal's stock table and CSV upload):
    items ``{"product_id"|"sku", "stock_qty"?, "base_price"?}``.

    The two services above check and apply each half; an item is applied whole or not at all
    (a row whose price is refused keeps its old stock too). Every item is tried inside a
    savepoint first; if any failed, that is undone and only the items that failed in neither
    half are applied (again, until none fails: a product deleted meanwhile). Same answer as
    ``product_stock_bulk_update``, one ``errors`` entry per failed item (its messages joined);
    ``describe_item(index)`` names another item in a message ("line 4" for a CSV file).
    """
    if not isinstance(items, list) or not items:
        raise ValidationFailed.for_fields({"items": "Give at least one item."})
    if len(items) > MAX_BULK_ITEMS:
        raise ValidationFailed.for_fields({"items": f"At most {MAX_BULK_ITEMS} items per request."})
    errors: dict[int, dict] = {}
    for index, raw in enumerate(items):
        if isinstance(raw, dict) and "stock_qty" not in raw and "base_price" not in raw:
            errors[index] = _error_entry(index, raw, "Give stock_qty or base_price.")
    with transaction.atomic():
        tried = [index for index in range(len(items)) if index not in errors]
        while tried:
            savepoint = transaction.savepoint()
            failed = _apply_halves(supplier_id=supplier_id, items=items, indexes=tried, actor=actor,
                                   describe_item=describe_item)
            if not failed:
                transaction.savepoint_commit(savepoint)
                break
            transaction.savepoint_rollback(savepoint)
            errors.update(failed)
            tried = [index for index in tried if index not in failed]
    applied = len(items) - len(errors)
    return {"updated": applied, "failed": len(errors), "errors": [errors[index] for index in sorted(errors)]}


def _apply_halves(*, supplier_id: int, items: list, indexes: list[int], actor: Actor,
                  describe_item: Callable[[int], str]) -> dict[int, dict]:
    """Run the stock and the price service over ``items[indexes]``; the failures by item index."""
    messages: dict[int, list[str]] = {}
    for field, service in (("stock_qty", product_stock_bulk_update), ("base_price", product_price_bulk_update)):
        half = [index for index in indexes if isinstance(items[index], dict) and field in items[index]]
        if not half:
            continue
        part = [{name: value for name, value in items[index].items() if name in ("product_id", "sku", field)}
                for index in half]
        for entry in service(supplier_id=supplier_id, items=part, actor=actor)["errors"]:
            message = entry["error"]
            same = _SAME_PRODUCT_AS_ITEM.match(message)
            if same:  # the half's numbering, told in the caller's
                message = SAME_PRODUCT.format(describe_item(half[int(same.group(1))]))
            wanted = messages.setdefault(half[entry["index"]], [])
            if message not in wanted:
                wanted.append(message)
    # Items that are not objects at all fail in the services' own words, through either half.
    for index in indexes:
        if not isinstance(items[index], dict):
            messages[index] = ["Must be an object with product_id or sku, and stock_qty or base_price."]
    return {index: _error_entry(index, items[index], " ".join(texts)) for index, texts in messages.items()}

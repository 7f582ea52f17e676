"""Commerce rules: the only code that writes categories, products, orders and their history.

Every door (Staff API, Supplier API, portal, admin, demo seed) calls these functions.
Each runs in one transaction and emits its event (webhooks.services.emit) in it; a new
order group or a product decision also queues its supplier's email (supplier.notifications).
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, F, IntegerField, Value
from django.db.models.functions import Cast, Least
from django.utils import timezone
from django.utils.text import slugify

from settlement.rates import rates_for as commission_rates_for
from settlement.rates import split as commission_split
from settlement.services import sale_earned as settlement_sale_earned
from settlement.services import sales_reversed as settlement_sales_reversed
from supplier import notifications
from verso.changes import previous_values, reject_unknown_fields
from verso.db import MAX_BIGINT, MAX_INT
from verso.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from webhooks.models import Event
from webhooks.services import emit, emit_updated

from . import representations as rep
from . import state
from .actors import Actor
from .models import ApprovalChange, Category, Order, OrderGroup, OrderItem, OrderNumberCounter, Product, StatusChange

# --- helpers ----------------------------------------------------------------------------

_CATEGORY_SLUG_LENGTH = Category._meta.get_field("slug").max_length
_PRODUCT_SLUG_LENGTH = Product._meta.get_field("slug").max_length
_EMAIL_LENGTH = Order._meta.get_field("email").max_length


def _unique_slug(model, base: str, *, max_length: int, exclude_pk: int | None = None, **scope) -> str:
    """``base`` slugified, or with the first free ``-2``, ``-3`` … suffix; never longer than ``max_length``.

    The base is cut to leave room for the suffix, so a name as long as the column still
    gets a slug that fits.
    """
    base = (slugify(base) or "item")[:max_length].strip("-") or "item"
    # Every candidate starts with this stem (the base cut for the longest suffix we allow).
    stem = base[: max_length - 11]
    existing = set(
        model.objects.filter(slug__startswith=stem, **scope).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in existing:
        suffix = f"-{n}"
        slug, n = base[: max_length - len(suffix)].rstrip("-") + suffix, n + 1
    return slug


def _history(*, order: Order | None = None, group: OrderGroup | None = None, from_status: str, to_status: str,
             actor: Actor, comment: str) -> StatusChange:
    return StatusChange.objects.create(
        order=order, group=group, from_status=from_status, to_status=to_status, comment=comment,
        actor_user_id=actor.user_id, actor_api_key_id=actor.api_key_id,
    )


# --- categories -------------------------------------------------------------------------

CATEGORY_FIELDS = {"name", "slug", "parent_id", "type", "is_active"}


def _category_checks(category: Category | None, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            errors["name"] = "This field may not be blank."
    if values.get("type") is not None and values["type"] not in dict(Category.TYPE_CHOICES):
        errors["type"] = f"Must be one of: {', '.join(dict(Category.TYPE_CHOICES))}."
    parent_id = values.get("parent_id")
    if parent_id is not None:
        parent = Category.objects.filter(pk=parent_id).first()
        if parent is None:
            errors["parent_id"] = f"No category with id {parent_id}."
        elif category is not None:
            # Walk up from the new parent: meeting ourselves would make a loop.
            seen, node = set(), parent
            while node is not None and node.pk not in seen:
                if node.pk == category.pk:
                    errors["parent_id"] = "A category cannot be its own ancestor."
                    break
                seen.add(node.pk)
                node = node.parent
        if parent is not None and "type" not in values:
            values["type"] = parent.type
    if errors:
        raise ValidationFailed.for_fields(errors)
    if "slug" in values:
        values["slug"] = slugify(values["slug"] or "")[:_CATEGORY_SLUG_LENGTH].strip("-")
        if not values["slug"]:
            values.pop("slug")
        elif Category.objects.filter(slug=values["slug"]).exclude(pk=getattr(category, "pk", None)).exists():
            raise Conflict(f"A category with slug '{values['slug']}' already exists.", details={"slug": "Taken."})
    return values


def _slug_taken(exc: IntegrityError) -> bool:
    return "slug" in str(exc).lower()


def category_create(
    *, name: str, slug: str = "", parent_id: int | None = None, type: str | None = None, is_active: bool = True,
) -> Category:
    """Create a category; without a slug, one is made from the name (``-2``, ``-3`` … when taken).

    Two simultaneous creates with the same name race for the same generated slug: the
    unique index decides, and the loser tries the next free suffix. A slug the client
    chose and someone else just took is a 409, like one that was already taken.
    """
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return _category_create(name=name, slug=slug, parent_id=parent_id, type=type, is_active=is_active)
        except IntegrityError as exc:
            if not _slug_taken(exc):
                raise
            if slug and slugify(slug):
                raise Conflict(f"A category with slug '{slugify(slug)}' already exists.", details={"slug": "Taken."})
    raise Conflict("Another category with this name was created at the same time; try again.",
                   details={"slug": "Taken."})


def _category_create(*, name: str, slug: str, parent_id: int | None, type: str | None, is_active: bool) -> Category:
    values = {"name": name, "slug": slug, "parent_id": parent_id}
    if type is not None:
        values["type"] = type  # otherwise the parent's type, or flower
    values = _category_checks(None, values)
    if not values.get("slug"):
        values["slug"] = _unique_slug(Category, values["name"], max_length=_CATEGORY_SLUG_LENGTH)
    values["type"] = values.get("type") or Category.TYPE_FLOWER
    return Category.objects.create(is_active=is_active, **values)


# Re-parentings take turns (a transaction-scoped PostgreSQL advisory lock): two at once, A
# under B and B under A, would each walk a tree without the other's move and make a loop.
_CATEGORY_TREE_LOCK = 0x7665_7273_6F00_0001


def _lock_category_tree() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CATEGORY_TREE_LOCK])
    # SQLite lets one writer at a time anyway.


@transaction.atomic
def category_update(*, category: Category, changes: dict[str, Any]) -> Category:
    """Change a category under its row lock, writing only the fields that change.

    Two PATCHes of different fields at once both stick; a new parent is checked for loops
    while no other re-parenting can run, and against the tree as it is once it may.
    """
    reject_unknown_fields(changes, allowed=CATEGORY_FIELDS)
    if changes.get("parent_id") is not None:
        _lock_category_tree()  # before the row lock, always: one lock order
    try:
        category = Category.objects.select_for_update().get(pk=category.pk)
    except Category.DoesNotExist:
        raise NotFound("Category not found")
    values = _category_checks(category, dict(changes))
    changed = previous_values(category, values)
    if not changed:
        return category
    for name in changed:
        setattr(category, name, values[name])
    try:
        with transaction.atomic():
            category.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as exc:
        if not _slug_taken(exc):
            raise
        raise Conflict(f"A category with slug '{category.slug}' already exists.", details={"slug": "Taken."})
    return category


# --- products ---------------------------------------------------------------------------

# What a create or an update may set (model field names; the Staff API's
# ``inventory_count`` is ``stock_qty`` here).
PRODUCT_FIELDS = {
    "name", "slug", "sku", "description", "type", "unit", "price", "compare_at_price", "stock_qty", "min_order_qty",
    "low_stock_threshold", "color", "stem_length", "country_of_origin", "vat_rate", "is_digital", "is_active",
    "category_id", "supplier_id",
}
_CONTENT_FIELDS = PRODUCT_FIELDS - {"stock_qty", "is_active"}
# The most of one product a single order line may ask for (the Staff API and its OpenAPI
# document use it too): a typing slip, not a real order, beyond that.
MAX_ORDER_QUANTITY = 1_000_000
# The most lines one order may have (the Staff API and its OpenAPI document use it too):
# a bigger basket is several orders.
MAX_ORDER_LINES = 100


def product_payload(product: Product) -> dict:
    return rep.product_dict(rep.values_of(product, rep.PRODUCT_VALUES))


def _emit_product_updated(before: dict, after: dict) -> Event:
    """``product.updated`` with ``previous_attributes`` in the API's own names and formats
    (``inventory_count``, ``vat_rate`` "21.00"): what a consumer compares against."""
    previous = {name: before.get(name) for name, value in after.items()
                if name != "updated_at" and before.get(name) != value}
    return emit_updated("product.updated", after, previous)


def _product_checks(product: Product | None, values: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Validate and normalise the fields being set; raise ValidationFailed."""
    reject_unknown_fields(values, allowed=PRODUCT_FIELDS)
    errors: dict[str, str] = {}

    def whole(name: str, minimum: int = 0, nullable: bool = False) -> None:
        # Every integer column is 32-bit: a bigger number is a 422 here, not a DataError (500).
        if name not in values:
            return
        value = values[name]
        if value is None and nullable:
            return
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_INT:
            errors[name] = f"Must be a whole number from {minimum} to {MAX_INT}."

    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            errors["name"] = "This field may not be blank."
    whole("price")
    whole("compare_at_price", nullable=True)
    whole("stock_qty")
    whole("min_order_qty", minimum=1)
    whole("low_stock_threshold")
    whole("stem_length", nullable=True)
    if "vat_rate" in values:
        try:
            rate = Decimal(str(values["vat_rate"]))
        except ArithmeticError:
            rate = Decimal(-1)
        if not (0 <= rate <= 100) or rate.as_tuple().exponent < -2:
            errors["vat_rate"] = "Must be a percentage between 0 and 100 with at most 2 decimals."
        values["vat_rate"] = rate
    for name, choices in (("type", Product.TYPE_CHOICES), ("unit", Product.UNIT_CHOICES)):
        if name in values and values[name] not in dict(choices):
            errors[name] = f"Must be one of: {', '.join(dict(choices))}."
    if "sku" in values:
        values["sku"] = (values["sku"] or "").strip()
    for name in ("description", "color", "country_of_origin"):
        if name in values and values[name] is None:
            values[name] = ""
    category = None
    if values.get("category_id") is not None:
        category = Category.objects.filter(pk=values["category_id"]).first()
        # Suppliers see (and may use) active categories only; staff may file under any.
        if category is None or (not category.is_active and not actor.is_staff):
            errors["category_id"] = f"No category with id {values['category_id']}."
    if "supplier_id" in values:
        if not actor.is_staff:
            # A supplier's products are always its own, whatever the body says.
            values["supplier_id"] = actor.supplier_id
        elif values["supplier_id"] is not None:
            from supplier.models import Supplier

            if not Supplier.objects.filter(pk=values["supplier_id"]).exists():
                errors["supplier_id"] = f"No supplier with id {values['supplier_id']}."
    if errors:
        raise ValidationFailed.for_fields(errors)
    if category is not None and "type" not in values and product is None:
        values["type"] = category.type
    return values


def _sku_taken(sku: str) -> ValidationFailed:
    # A 422 naming the field, at every door: the Supplier API's error table has no 409, and
    # a taken SKU is the body's problem to fix, like any other invalid field.
    return ValidationFailed.for_fields({"sku": f"A product with SKU '{sku}' already exists."})


def _check_sku_free(*, sku: str, supplier_id: int | None, exclude_pk: int | None) -> None:
    if not sku:
        return
    clash = Product.objects.filter(sku=sku, supplier_id=supplier_id, deleted_at__isnull=True).exclude(pk=exclude_pk)
    if clash.exists():
        raise _sku_taken(sku)


def _save_product(product: Product) -> None:
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        # Two writers raced for the same SKU: the database's unique index decided.
        if "sku" in str(exc).lower():
            raise _sku_taken(product.sku)
        raise


def _product_slug(wanted: str | None, *, name: str, exclude_pk: int | None) -> str:
    """The slug a product gets: the one asked for, or one made from the name, unique among live products.

    A slug another live product already has gets the first free ``-2``, ``-3`` … suffix,
    whether the client chose it or not (never a 409: a supplier must not learn what other
    suppliers' products are called). One that slugifies to nothing ("---") counts as none.
    """
    base = slugify(wanted or "") or name
    return _unique_slug(Product, base, max_length=_PRODUCT_SLUG_LENGTH, exclude_pk=exclude_pk,
                        deleted_at__isnull=True)


@transaction.atomic
def product_create_check(*, actor: Actor, name: str, price: int, **fields: Any) -> dict[str, Any]:
    """Every rule product_create applies, writing nothing: the checked values, or the 422.

    A door runs it before slow work the create depends on (downloading its images), so a
    refusal costs no download; product_create runs it again in its own transaction.
    """
    # supplier_id is always among the values checked, so a supplier's product is its own
    # even when the body names no supplier (_product_checks forces it).
    values = _product_checks(None, {"supplier_id": None, **fields, "name": name, "price": price}, actor)
    _check_sku_free(sku=values.get("sku", ""), supplier_id=values.get("supplier_id"), exclude_pk=None)
    return values


def product_create(*, actor: Actor, name: str, price: int, **fields: Any) -> Product:
    """Create a product. Staff products are approved at once; a supplier's wait for approval."""
    values = product_create_check(actor=actor, name=name, price=price, **fields)
    values["slug"] = _product_slug(values.get("slug"), name=values["name"], exclude_pk=None)
    product = Product(
        approval_status=Product.APPROVED if actor.is_staff else Product.PENDING,
        **values,
    )
    _save_product(product)
    emit("product.created", product_payload(product))
    return product


@transaction.atomic
def product_update(*, product: Product, actor: Actor, changes: dict[str, Any]) -> Product:
    """Change a live product. A supplier editing a rejected product resubmits it for approval."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.deleted_at is not None:
        raise NotFound("Product not found")
    if not actor.is_staff and product.supplier_id != actor.supplier_id:
        raise NotFound("Product not found")
    values = _product_checks(product, dict(changes), actor)
    if "slug" in values:
        values["slug"] = _product_slug(values["slug"], name=values.get("name", product.name), exclude_pk=product.pk)
    changed = previous_values(product, values)
    if not changed:
        return product  # a change to nothing: no write, no event
    if "sku" in changed or "supplier_id" in changed:
        _check_sku_free(
            sku=values.get("sku", product.sku), supplier_id=values.get("supplier_id", product.supplier_id),
            exclude_pk=product.pk,
        )
    before = product_payload(product)
    for name in changed:
        setattr(product, name, values[name])
    resubmitted = (
        not actor.is_staff and product.approval_status == Product.REJECTED and bool(set(changed) & _CONTENT_FIELDS)
    )
    if resubmitted:
        product.approval_status = Product.PENDING
    _save_product(product)
    if resubmitted:
        _approval_history(product=product, from_status=Product.REJECTED, to_status=Product.PENDING, actor=actor)
    _emit_product_updated(before, product_payload(product))
    return product


@transaction.atomic
def product_soft_delete(*, product: Product, actor: Actor) -> Product:
    """Hide a product for good; its order history stays. Its SKU is free again."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.deleted_at is not None or (not actor.is_staff and product.supplier_id != actor.supplier_id):
        raise NotFound("Product not found")
    before = {**product_payload(product), "deleted_at": None}
    product.deleted_at = timezone.now()
    product.save(update_fields=["deleted_at", "updated_at"])
    _emit_product_updated(before, {**product_payload(product), "deleted_at": rep.iso(product.deleted_at)})
    return product


def _approval_history(*, product: Product, from_status: str, to_status: str, actor: Actor, reason: str = "") -> None:
    ApprovalChange.objects.create(
        product=product, from_status=from_status, to_status=to_status, reason=reason,
        actor_user_id=actor.user_id, actor_api_key_id=actor.api_key_id,
    )


def _approval_move(product: Product, to_status: str, actor: Actor) -> tuple[Product, dict]:
    """The locked product moved to ``to_status`` (not saved), and its payload before the move."""
    if not actor.is_staff:
        raise NotFound("Product not found")
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.deleted_at is not None:
        raise NotFound("Product not found")
    allowed = state.PRODUCT_APPROVAL_TRANSITIONS.get(product.approval_status, [])
    if to_status not in allowed:
        raise InvalidTransition(
            entity=f"product {product.pk}", from_status=product.approval_status, to_status=to_status, allowed=allowed
        )
    before = product_payload(product)
    product.approval_status = to_status
    return product, before


@transaction.atomic
def product_approve(*, product: Product, actor: Actor) -> Product:
    product, before = _approval_move(product, Product.APPROVED, actor)
    product.rejection_reason = ""
    product.save(update_fields=["approval_status", "rejection_reason", "updated_at"])
    _approval_history(product=product, from_status=before["approval_status"], to_status=Product.APPROVED, actor=actor)
    event = _emit_product_updated(before, product_payload(product))
    notifications.notify_product_decision(product=product, event_id=event.pk, approved=True)
    return product


@transaction.atomic
def product_reject(*, product: Product, actor: Actor, reason: str) -> Product:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("A reason is required to reject a product.", details={"reason": "Required."})
    product, before = _approval_move(product, Product.REJECTED, actor)
    product.rejection_reason = reason
    product.save(update_fields=["approval_status", "rejection_reason", "updated_at"])
    _approval_history(
        product=product, from_status=before["approval_status"], to_status=Product.REJECTED, actor=actor, reason=reason
    )
    event = _emit_product_updated(before, product_payload(product))
    notifications.notify_product_decision(product=product, event_id=event.pk, approved=False)
    return product


# --- orders -----------------------------------------------------------------------------

ADDRESS_FIELDS = ["line1", "line2", "city", "state", "postal_code", "country"]


def vat_contained(gross: int, rate: Decimal) -> int:
    """The VAT inside a VAT-inclusive amount in cents, rounded half up."""
    if not rate:
        return 0
    return int((Decimal(gross) * rate / (Decimal(100) + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _next_order_number(year: int) -> str:
    # A counter row per year, locked until our transaction ends: two orders can never
    # get the same number (no max()+1 race), on SQLite and on PostgreSQL alike.
    OrderNumberCounter.objects.get_or_create(year=year)
    counter = OrderNumberCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"ORD-{year}-{counter.last_number:06d}"


def order_payload(order_id: int) -> dict:
    from .selectors import order_detail

    return order_detail(order_id=order_id)


def _normalise_address(address: dict[str, Any]) -> dict[str, str]:
    address = address or {}
    out = {}
    for name in ADDRESS_FIELDS:
        value = address.get(name)
        if name == "line2" and not value:
            continue
        out[name] = (str(value) if value is not None else "").strip()
    errors = {f"shipping_address.{n}": "This field is required." for n in ("line1", "city", "postal_code", "country")
              if not out.get(n)}
    if errors:
        raise ValidationFailed.for_fields(errors)
    return out


def _is_whole(value: Any, minimum: int, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def _checked_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed.for_fields({"email": "Enter a valid email address."})
    if len(email) > _EMAIL_LENGTH:
        raise ValidationFailed.for_fields({"email": f"Ensure this field has no more than {_EMAIL_LENGTH} characters."})
    return email


@transaction.atomic
def order_place(
    *, email: str, items: list[dict[str, int]], shipping_address: dict[str, Any], actor: Actor
) -> Order:
    """Place an order from catalogue prices, taking stock atomically (never oversold).

    ``items`` is ``[{"product_id", "quantity"}]``. Any bad item raises ValidationFailed
    naming it (``items.<index>.<field>``) and nothing is taken.
    """
    if not items:
        raise ValidationFailed.for_fields({"items": "An order needs at least one item."})
    if len(items) > MAX_ORDER_LINES:
        raise ValidationFailed.for_fields({"items": f"An order may have at most {MAX_ORDER_LINES} items."})
    email = _checked_email(email)
    address = _normalise_address(shipping_address)
    bad_ids = {f"items.{i}.product_id": "Must be a product id." for i, item in enumerate(items)
               if not _is_whole(item["product_id"], 1, MAX_BIGINT)}
    if bad_ids:
        raise ValidationFailed.for_fields(bad_ids)
    wanted_ids = [item["product_id"] for item in items]
    products = Product.objects.in_bulk(wanted_ids)
    errors: dict[str, str] = {}
    seen: dict[int, int] = {}
    for index, item in enumerate(items):
        product_id, quantity = item["product_id"], item["quantity"]
        product = products.get(product_id)
        if not _is_whole(quantity, 1, MAX_ORDER_QUANTITY):
            errors[f"items.{index}.quantity"] = f"Must be a whole number from 1 to {MAX_ORDER_QUANTITY}."
        elif product_id in seen:
            errors[f"items.{index}.product_id"] = f"Product {product_id} is already item {seen[product_id]}."
        elif product is None or product.deleted_at is not None:
            errors[f"items.{index}.product_id"] = f"No product with id {product_id}."
        elif not product.is_orderable:
            errors[f"items.{index}.product_id"] = f"Product {product_id} is not available for sale."
        elif quantity < product.min_order_qty:
            errors[f"items.{index}.quantity"] = f"Minimum order quantity is {product.min_order_qty}."
        elif quantity > product.stock_qty:
            errors[f"items.{index}.quantity"] = f"Only {product.stock_qty} in stock."
        seen.setdefault(product_id, index)
    if errors:
        raise ValidationFailed.for_fields(errors)
    if sum(products[item["product_id"]].price * item["quantity"] for item in items) > MAX_INT:
        raise ValidationFailed.for_fields({"items": "The order's total is too large; split it into several orders."})

    # Take stock with conditional UPDATEs, in product-id order so that two orders never
    # wait on each other's rows in opposite orders (no deadlocks). A row that no longer
    # has enough stock (another order got there first) updates nothing: refuse the order,
    # and the transaction gives back whatever this order had already taken.
    now = timezone.now()
    for index, item in sorted(enumerate(items), key=lambda pair: pair[1]["product_id"]):
        taken = Product.objects.filter(
            pk=item["product_id"], stock_qty__gte=item["quantity"], approval_status=Product.APPROVED,
            is_active=True, deleted_at__isnull=True,
        ).update(stock_qty=F("stock_qty") - item["quantity"], updated_at=now)
        if taken != 1:
            # Someone else got there first: say what changed (stock, or availability).
            now_row = Product.objects.filter(pk=item["product_id"]).values(
                "stock_qty", "approval_status", "is_active", "deleted_at").first()
            if now_row["approval_status"] != Product.APPROVED or not now_row["is_active"] or now_row["deleted_at"]:
                raise ValidationFailed.for_fields(
                    {f"items.{index}.product_id": f"Product {item['product_id']} is not available for sale."}
                )
            raise ValidationFailed.for_fields({f"items.{index}.quantity": f"Only {now_row['stock_qty']} in stock."})

    # This order now holds every product row's lock: read names, prices and VAT again, so
    # the snapshot is what was for sale when the stock was taken, not a moment before.
    products = Product.objects.in_bulk(wanted_ids)
    lines_by_supplier: dict[int | None, list[tuple[Product, int]]] = defaultdict(list)
    for item in items:
        product = products[item["product_id"]]
        lines_by_supplier[product.supplier_id].append((product, item["quantity"]))

    order = Order.objects.create(
        order_number=_next_order_number(now.year), email=email, shipping_address=address,
    )
    # The commission rates in force now, snapshotted on each item: a later change never alters this order.
    rates = commission_rates_for(products.values())
    subtotal = tax = 0
    order_items = []
    new_groups = []
    for supplier_id, lines in lines_by_supplier.items():
        group_subtotal = sum(product.price * quantity for product, quantity in lines)
        splits = [None if rates[product.pk] is None else commission_split(product.price * quantity, rates[product.pk])
                  for product, quantity in lines]
        group = OrderGroup.objects.create(
            order=order, supplier_id=supplier_id, subtotal_amount=group_subtotal,
            commission_amount=None if supplier_id is None else sum(s.commission for s in splits),
            net_amount=None if supplier_id is None else sum(s.net for s in splits),
        )
        new_groups.append((group, [(product.name, product.sku, quantity) for product, quantity in lines]))
        for (product, quantity), share in zip(lines, splits, strict=True):
            line_tax = vat_contained(product.price * quantity, product.vat_rate)
            order_items.append(OrderItem(
                order=order, group=group, product=product, product_name=product.name, sku=product.sku,
                unit_price=product.price, quantity=quantity, vat_rate=product.vat_rate, tax_amount=line_tax,
                commission_rate=None if share is None else share.rate,
                commission_amount=None if share is None else share.commission,
                net_amount=None if share is None else share.net,
            ))
            tax += line_tax
        subtotal += group_subtotal
    OrderItem.objects.bulk_create(order_items)
    order.subtotal_amount = subtotal
    order.tax_amount = tax
    order.discount_amount = 0
    order.shipping_amount = 0  # no shipping rules yet
    order.total_amount = subtotal - order.discount_amount + order.shipping_amount
    order.save(update_fields=["subtotal_amount", "tax_amount", "discount_amount", "shipping_amount", "total_amount"])
    _history(order=order, from_status="", to_status=order.status, actor=actor, comment="Order placed")
    emit("order.created", order_payload(order.pk))
    # Each supplier hears of its new group by email, sent after commit (never if this rolls back).
    notifications.notify_new_order_groups(order_number=order.order_number, currency=order.currency, groups=new_groups)
    return order


def _restock(groups: list[OrderGroup]) -> None:
    """Put back the stock of cancelled groups in ONE pass, in ascending product id.

    That is the order order_place takes product rows in, so two cancellations (or a
    cancellation and an order) never wait on each other's rows in opposite orders: no
    deadlock. A product's quantities are summed across the groups first, so each row is
    updated once. Stock is capped at the column's maximum rather than overflowing it (a
    500 that would block the cancellation); nobody holds two billion of anything.
    """
    totals: dict[int, int] = defaultdict(int)
    for product_id, quantity in OrderItem.objects.filter(group__in=groups).values_list("product_id", "quantity"):
        totals[product_id] += quantity
    now = timezone.now()
    for product_id in sorted(totals):
        # Added in 64 bits, then capped: a 32-bit stock_qty + quantity would overflow in SQL.
        back = Cast(F("stock_qty"), BigIntegerField()) + Value(totals[product_id], output_field=BigIntegerField())
        Product.objects.filter(pk=product_id).update(
            stock_qty=Least(back, Value(MAX_INT, output_field=BigIntegerField()), output_field=IntegerField()),
            updated_at=now,
        )


def _refresh_fulfillment(order: Order) -> None:
    statuses = list(order.groups.values_list("status", flat=True))
    rolled_up = state.fulfillment_of(statuses)
    if rolled_up != order.fulfillment_status:
        order.fulfillment_status = rolled_up
        order.save(update_fields=["fulfillment_status", "updated_at"])


def _move_group(group: OrderGroup, to_status: str, actor: Actor, comment: str, *, with_order: bool = False) -> None:
    """Move a locked group (its order already locked too) along the group lifecycle.

    ``with_order``: the order's own move drives this one (state.group_status_with_order), so
    the group may skip steps of the supplier's step-by-step map.
    No event and no restock: the caller restocks the groups it cancelled, all in one pass.
    """
    allowed = state.group_allowed_targets(group.status, staff=actor.is_staff)
    if not with_order and to_status not in allowed:
        raise InvalidTransition(
            entity=f"order group {group.pk}", from_status=group.status, to_status=to_status, allowed=allowed
        )
    from_status = group.status
    group.status = to_status
    group.save(update_fields=["status", "updated_at"])
    _history(group=group, from_status=from_status, to_status=to_status, actor=actor, comment=comment)
    if to_status in (OrderGroup.DELIVERED, OrderGroup.COMPLETED) and group.supplier_id is not None:
        # Delivered: the supplier's sale is earned (settlement); completing it later changes nothing.
        settlement_sale_earned(group=group)


def _move_order(order: Order, to_status: str, actor: Actor, comment: str,
                also: dict[str, Any] | None = None) -> None:
    """Move a locked order, roll its fulfilment up from its groups and save it once.

    Cancelling or refunding it cancels its groups not yet shipped and puts their stock back
    (goods that left stay as they are: shipped and delivered groups are not restocked).
    Shipping, delivering or completing it moves its live groups that are behind along with it.
    ``also`` holds other fields to set in the same write (applied after the rollup, so a
    manual fulfilment status wins).
    """
    allowed = state.order_allowed_targets(order.status)
    if to_status not in allowed:
        raise InvalidTransition(
            entity=f"order {order.order_number}", from_status=order.status, to_status=to_status, allowed=allowed
        )
    if to_status in (Order.CANCELLED, Order.REFUNDED):
        groups = list(OrderGroup.objects.select_for_update().filter(order=order).order_by("pk"))
        gone = [g for g in groups if g.status in state.GROUP_SHIPPED_OR_LATER]
        if gone and to_status == Order.CANCELLED:
            raise ValidationFailed(
                f"Order {order.order_number} cannot be cancelled: part of it has shipped; refund it instead.",
                details={"status": "Groups already shipped: " + ", ".join(str(g.pk) for g in gone)},
            )
        default_comment = "Order cancelled" if to_status == Order.CANCELLED else "Order refunded"
        open_groups = [g for g in groups if g.status in state.GROUP_NOT_YET_SHIPPED]
        for group in open_groups:
            _move_group(group, OrderGroup.CANCELLED, actor, comment or default_comment)
        _restock(open_groups)
        if to_status == Order.REFUNDED:
            # Sales already earned are reversed, dated now (settlement); groups never delivered earned nothing.
            settlement_sales_reversed(order=order)
    elif to_status in state.GROUP_STATUS_WITH_ORDER:
        # Locked after the order and in id order, as everywhere else: no deadlock.
        groups = OrderGroup.objects.select_for_update().filter(order=order).order_by("pk")
        moved_comment = f"Moved with the order to {to_status}" + (f": {comment}" if comment else "")
        for group in groups:
            target = state.group_status_with_order(order_status=to_status, group_status=group.status)
            if target is not None:
                _move_group(group, target, actor, moved_comment, with_order=True)
    from_status = order.status
    order.status = to_status
    order.fulfillment_status = state.fulfillment_of(list(order.groups.values_list("status", flat=True)))
    for name, value in (also or {}).items():
        setattr(order, name, value)
    order.save(update_fields=list(dict.fromkeys(["status", "fulfillment_status", *(also or {}), "updated_at"])))
    _history(order=order, from_status=from_status, to_status=to_status, actor=actor, comment=comment)


def _lock_order(order_id: int) -> Order:
    try:
        return Order.objects.select_for_update().get(pk=order_id)
    except Order.DoesNotExist:
        raise NotFound("Order not found")


@transaction.atomic
def order_transition(*, order: Order, to_status: str, actor: Actor, comment: str = "") -> Order:
    if not actor.is_staff:
        raise NotFound("Order not found")
    order = _lock_order(order.pk)
    _move_order(order, to_status, actor, comment)
    emit("order.updated", order_payload(order.pk))
    return order


def _check_group_move_allowed_by_order(order: Order, group: OrderGroup, to_status: str, actor: Actor) -> None:
    # The group's own lifecycle first, so its 422 keeps naming the allowed targets.
    allowed = state.group_allowed_targets(group.status, staff=actor.is_staff)
    if to_status not in allowed:
        return  # _move_group refuses it
    reason = state.group_move_refusal(order_status=order.status, to_status=to_status)
    if reason:
        raise ValidationFailed(
            f"Cannot move order group {group.pk} from '{group.status}' to '{to_status}': {reason}.",
            details={"status": reason},
        )


def _cancel_order_when_no_group_is_left(order: Order, actor: Actor) -> None:
    """Every group cancelled one by one: the order is cancelled too (as Shopify does)."""
    if order.groups.exclude(status=OrderGroup.CANCELLED).exists():
        return
    if Order.CANCELLED not in state.order_allowed_targets(order.status):
        return
    _move_order(order, Order.CANCELLED, actor, "All of its groups were cancelled")


@transaction.atomic
def order_group_transition(*, group: OrderGroup, to_status: str, actor: Actor, comment: str = "") -> OrderGroup:
    """Move a supplier's portion of an order. Suppliers may only move their own groups."""
    # Always the order first, then the group: the same lock order as order_transition.
    order = _lock_order(group.order_id)
    group = OrderGroup.objects.select_for_update().get(pk=group.pk)
    if not actor.is_staff and group.supplier_id != actor.supplier_id:
        raise NotFound("Order not found")
    _check_group_move_allowed_by_order(order, group, to_status, actor)
    _move_group(group, to_status, actor, comment)
    if to_status == OrderGroup.CANCELLED:
        _restock([group])
        _cancel_order_when_no_group_is_left(order, actor)
    _refresh_fulfillment(order)
    emit("order.updated", order_payload(order.pk))
    return group


def order_group_mark_opened(*, group_id: int, actor: Actor) -> bool:
    """The supplier opened its group in the portal: it is no longer "new" (the badge).

    Only the group's own supplier marks it, and only the first time (a conditional UPDATE
    that writes nothing once set; callers that read ``supplier_opened_at`` skip even that).
    Not a status change: no history row, no event, ``updated_at`` untouched. True if marked now.
    """
    if not actor.is_supplier:
        return False
    return bool(OrderGroup.objects.filter(pk=group_id, supplier_id=actor.supplier_id,
                                          supplier_opened_at__isnull=True).update(supplier_opened_at=timezone.now()))


# What an order update changes; a comment alone changes nothing.
ORDER_UPDATE_FIELDS = ("status", "tracking_number", "fulfillment_status")


@transaction.atomic
def order_update(
    *, order: Order, actor: Actor, status: str | None = None, tracking_number: str | None = None,
    fulfillment_status: str | None = None, comment: str = "",
) -> Order:
    """Staff changes to an order: a status move and/or shipping details, one event."""
    if not actor.is_staff:
        raise NotFound("Order not found")
    order = _lock_order(order.pk)
    if status is None and tracking_number is None and fulfillment_status is None:
        raise ValidationFailed.for_fields(
            {"non_field_errors": f"Give at least one of {', '.join(ORDER_UPDATE_FIELDS)}."}
        )
    if fulfillment_status is not None and fulfillment_status not in dict(Order.FULFILLMENT_CHOICES):
        raise ValidationFailed.for_fields(
            {"fulfillment_status": f"Must be one of: {', '.join(dict(Order.FULFILLMENT_CHOICES))}."}
        )
    values: dict[str, Any] = {}
    if tracking_number is not None:
        values["tracking_number"] = tracking_number.strip()
    if fulfillment_status is not None:
        # A manual override; the next group change rolls it up from the groups again.
        values["fulfillment_status"] = fulfillment_status
    if status is not None:
        # Always a change (moving to the current status is refused): one write for it all.
        _move_order(order, status, actor, comment, also=values)
    else:
        changed = previous_values(order, values)
        if not changed:
            return order  # the same tracking number twice: no write, no event
        for name in changed:
            setattr(order, name, values[name])
        order.save(update_fields=[*changed, "updated_at"])
    emit("order.updated", order_payload(order.pk))
    return order

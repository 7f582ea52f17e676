"""Which commission rate applies to a product, and how a sale splits between marketplace and supplier.

The one place the precedence lives: the supplier's own rate, else its category's (or the
nearest ancestor category's), else ``VERSO_DEFAULT_COMMISSION_RATE``. Commission is
rounded half up per order item, in cents; the supplier's net is the rest, so commission
plus net is always exactly the item's gross.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q

from commerce.models import Category, Product

from .models import CommissionRate


@dataclass(frozen=True)
class Split:
    rate: Decimal
    commission: int
    net: int


def default_rate() -> Decimal:
    return Decimal(str(settings.VERSO_DEFAULT_COMMISSION_RATE)).quantize(Decimal("0.01"))


def commission_of(gross: int, rate: Decimal) -> int:
    """``rate`` percent of ``gross`` cents, rounded half up to the cent (15 % of 250 is 38)."""
    return int((Decimal(gross) * rate / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split(gross: int, rate: Decimal) -> Split:
    commission = commission_of(gross, rate)
    return Split(rate=rate, commission=commission, net=gross - commission)


def rates_for(products: Iterable[Product]) -> dict[int, Decimal | None]:
    """The rate that applies to each product now, by product id; None for the operator's own.

    One query for the rates, and only when some category has a rate, one per level of the
    products' category tree.
    """
    products = list(products)
    supplier_ids = {p.supplier_id for p in products if p.supplier_id}
    if not supplier_ids:
        return {p.pk: None for p in products}
    supplier_rates: dict[int, Decimal] = {}
    category_rates: dict[int, Decimal] = {}
    applicable = CommissionRate.objects.filter(Q(supplier_id__in=supplier_ids) | Q(category__isnull=False))
    for supplier_id, category_id, rate in applicable.order_by().values_list("supplier_id", "category_id", "rate"):
        if supplier_id:
            supplier_rates[supplier_id] = rate
        else:
            category_rates[category_id] = rate
    parents: dict[int, int | None] = {}
    if category_rates:
        # The products' categories and their ancestors only: one query per level of the tree.
        frontier = {p.category_id for p in products if p.category_id and p.supplier_id not in supplier_rates}
        while frontier:
            found = dict(Category.objects.filter(pk__in=frontier).values_list("id", "parent_id"))
            parents.update(found)
            frontier = {parent for parent in found.values() if parent and parent not in parents}
    default = default_rate()
    result: dict[int, Decimal | None] = {}
    for product in products:
        if not product.supplier_id:
            result[product.pk] = None
        elif product.supplier_id in supplier_rates:
            result[product.pk] = supplier_rates[product.supplier_id]
        else:
            category_rate = _category_rate(product.category_id, category_rates, parents)
            result[product.pk] = default if category_rate is None else category_rate
    return result


def _category_rate(category_id: int | None, rates: dict[int, Decimal], parents: dict[int, int | None]):
    seen: set[int] = set()
    while category_id is not None and category_id not in seen:
        if category_id in rates:
            return rates[category_id]
        seen.add(category_id)
        category_id = parents.get(category_id)
    return None

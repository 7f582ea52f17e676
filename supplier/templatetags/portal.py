"""Template filters for the portal's pages: {% load portal %}."""
from decimal import Decimal

from django import template

from verso.money import money as money_text

register = template.Library()


@register.filter
def euros(cents) -> str:
    """Cents as euros with two decimals: 250 -> "2.50" (empty for None)."""
    if cents is None or cents == "":
        return ""
    return f"{Decimal(int(cents)) / 100:.2f}"


@register.filter
def money(cents, currency=None) -> str:
    """Cents as an amount with its currency, the sign before the symbol: -850, "eur" -> "-€8.50"."""
    if cents is None or cents == "":
        return ""
    return money_text(int(cents), currency)

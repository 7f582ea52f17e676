"""Template filters for the portal's pages: {% load portal %}."""
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def euros(cents) -> str:
    """Cents as euros with two decimals: 250 -> "2.50" (empty for None)."""
    if cents is None or cents == "":
        return ""
    return f"{Decimal(int(cents)) / 100:.2f}"

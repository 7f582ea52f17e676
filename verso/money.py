"""Money as people read it: an amount in cents and its currency code as "€12.50"."""
from django.conf import settings

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def money(cents: int | None, currency: str | None = None) -> str:
    """``1250, "eur"`` → "€12.50"; a currency without a symbol reads "12.50 CHF"; None → "—".

    Integer arithmetic throughout (no float rounding); ``currency`` defaults to VERSO_CURRENCY.
    """
    if cents is None:
        return "—"
    code = (currency or settings.VERSO_CURRENCY).upper()
    units, rest = divmod(abs(int(cents)), 100)
    amount = f"{'-' if cents < 0 else ''}{{}}{units:,}.{rest:02d}"
    symbol = SYMBOLS.get(code)
    return amount.format(symbol) if symbol else f"{amount.format('')} {code}"

"""Demo settlement: a negotiated rate and this month's statements (issued, one paid), so the admin,
the APIs and the portal's Payouts page have something to show."""
from django.utils import timezone

from supplier.models import Supplier

from . import services
from .models import Statement
from .periods import period_of


def seed(stdout) -> None:
    """Idempotent: does nothing once any statement exists."""
    if Statement.objects.exists():
        return
    tulip = Supplier.objects.filter(slug="tulip-fields").first()
    if tulip is not None:
        # Set after the demo orders were placed: they keep the default rate they were placed with.
        services.commission_rate_set(supplier=tulip, rate="12.50")
    made = services.statements_generate(period=period_of(timezone.now()), issue=True)
    paid = Statement.objects.filter(supplier__slug="bloom-stem").first()
    if paid is not None:
        services.statement_mark_paid(statement=paid, payout_reference="DEMO-PAYOUT-0001")
    stdout.write(f"Settlement: {made} statement(s) issued.")

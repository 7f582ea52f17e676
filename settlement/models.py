"""Commission and settlement: negotiated rates (and their change log), earned lines, monthly statements.

Rows here are written only by ``settlement.services``. The money rule ``net = gross −
commission`` is a database constraint on every line and statement, so no code path can
store a statement that does not add up.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from commerce.models import default_currency


class CommissionRate(models.Model):
    """A rate that overrides the platform default: for one supplier (wins) or one category."""

    supplier = models.OneToOneField(
        "supplier.Supplier", null=True, blank=True, on_delete=models.CASCADE, related_name="commission_rate"
    )
    category = models.OneToOneField(
        "commerce.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="commission_rate"
    )
    rate = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent of the gross sale.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["supplier__name", "category__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(supplier__isnull=False) & Q(category__isnull=True))
                | (Q(supplier__isnull=True) & Q(category__isnull=False)),
                name="commission_rate_supplier_xor_category",
            ),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="commission_rate_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label}: {self.rate} %"

    @property
    def target_label(self) -> str:
        if self.supplier_id:
            return f"Supplier {self.supplier}"
        return f"Category {self.category}"


class CommissionRateChange(models.Model):
    """One row per change of a rate: who, when, old → new (None: no rate of its own, the fallback applies)."""

    supplier = models.ForeignKey(
        "supplier.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "commerce.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=250, help_text="What the rate applied to, as it was named then.")
    old_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    new_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target}: {self.old_rate} → {self.new_rate}"


class Statement(models.Model):
    """What the marketplace owes one supplier for one calendar month (UTC)."""

    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    STATUS_CHOICES = [(DRAFT, "Draft"), (ISSUED, "Issued"), (PAID, "Paid")]

    supplier = models.ForeignKey("supplier.Supplier", on_delete=models.PROTECT, related_name="statements")
    period = models.DateField(help_text="The first day of the month the statement covers.")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=DRAFT, db_index=True)
    gross_amount = models.BigIntegerField(default=0)
    commission_amount = models.BigIntegerField(default=0)
    net_amount = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default=default_currency)
    lines_count = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout_reference = models.CharField(max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period", "supplier__name", "-id"]
        permissions = [
            ("generate_settlements", "Can generate settlement statements"),
            ("issue_settlement", "Can issue settlement statements"),
            ("mark_settlement_paid", "Can mark settlement statements paid"),
        ]
        indexes = [models.Index(fields=["-period", "-id"], name="statement_newest_first")]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "period"], name="statement_one_per_supplier_month"),
            models.CheckConstraint(
                condition=Q(net_amount=F("gross_amount") - F("commission_amount")), name="statement_net_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(issued_at__isnull=False), name="statement_issued_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_at__isnull=False) & ~Q(payout_reference="")),
                name="statement_paid_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.period_label}"

    @property
    def period_label(self) -> str:
        return self.period.strftime("%Y-%m")


class StatementLine(models.Model):
    """One order group's sale (earned at delivery) or refund (its reversal), written when it happens.

    ``statement`` stays empty until the statement of the month it was earned in (or, if
    that one was already issued, the next one generated) picks it up; an issued statement's
    lines never change.
    """

    SALE = "sale"
    REFUND = "refund"
    KIND_CHOICES = [(SALE, "Sale"), (REFUND, "Refund")]

    supplier = models.ForeignKey("supplier.Supplier", on_delete=models.PROTECT, related_name="+")
    order_group = models.ForeignKey("commerce.OrderGroup", on_delete=models.PROTECT, related_name="settlement_lines")
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    gross_amount = models.BigIntegerField()
    commission_rate = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="The rate every item of the group had; empty when its items had different rates.",
    )
    commission_amount = models.BigIntegerField()
    net_amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=default_currency)
    earned_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["earned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order_group", "kind"], name="statement_line_one_per_group_and_kind"),
            models.CheckConstraint(
                condition=Q(net_amount=F("gross_amount") - F("commission_amount")), name="statement_line_net_adds_up"
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "earned_at"], condition=Q(statement__isnull=True),
                         name="statement_line_unassigned"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of group {self.order_group_id}"

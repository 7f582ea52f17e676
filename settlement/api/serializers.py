"""Shapes of statements for the OpenAPI document (responses are built by settlement.representations).

The Staff API shows money in integer cents, the Supplier API in euros (JSON numbers); a
refund line's amounts, and a month with more refunds than sales, are negative.
"""
from rest_framework import serializers

from settlement.models import Statement, StatementLine
from settlement.periods import PERIOD_PATTERN
from verso.api.fields import NamedEnumField


class StatementStatusField(NamedEnumField):
    enum_name = "SettlementStatusEnum"
    enum_choices = Statement.STATUS_CHOICES


class StatementLineKindField(NamedEnumField):
    enum_name = "SettlementLineKindEnum"
    enum_choices = StatementLine.KIND_CHOICES


class SignedEuros(serializers.FloatField):
    """An amount in euros, a JSON number (2.5); negative for refunds."""


class _StatementFields(serializers.Serializer):
    id = serializers.IntegerField()
    supplier_id = serializers.IntegerField()
    period = serializers.RegexField(PERIOD_PATTERN, help_text="The calendar month (UTC), YYYY-MM.")
    status = StatementStatusField(help_text="draft → issued → paid; an issued statement never changes.")
    currency = serializers.CharField()
    lines_count = serializers.IntegerField(help_text="One line per order group's sale or refund.")
    issued_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    payout_reference = serializers.CharField(allow_null=True, help_text="The payout's reference, once paid.")


class StatementOut(_StatementFields):
    gross_amount = serializers.IntegerField(help_text="Cents: what customers paid for the supplier's goods.")
    commission_amount = serializers.IntegerField(help_text="Cents: the marketplace's commission.")
    net_amount = serializers.IntegerField(help_text="Cents: gross_amount − commission_amount, owed to the supplier.")


class StatementLineOut(serializers.Serializer):
    order_number = serializers.CharField()
    order_group_id = serializers.IntegerField()
    kind = StatementLineKindField(help_text="sale (earned at delivery) or refund (its reversal, amounts negative).")
    gross_amount = serializers.IntegerField(help_text="Cents.")
    commission_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True,
        help_text="Percent, as it applied when the order was placed; null if the group's items had different rates.",
    )
    commission_amount = serializers.IntegerField(help_text="Cents, rounded half up per order item.")
    net_amount = serializers.IntegerField(help_text="Cents: gross_amount − commission_amount.")
    earned_at = serializers.DateTimeField(help_text="When the group was delivered, or the refund happened.")


class StatementDetailOut(StatementOut):
    lines = StatementLineOut(many=True)


class SupplierStatementOut(_StatementFields):
    gross_amount = SignedEuros(help_text="Euros: what customers paid for your goods.")
    commission_amount = SignedEuros(help_text="Euros: the marketplace's commission.")
    net_amount = SignedEuros(help_text="Euros: gross_amount − commission_amount, paid out to you.")


class SupplierStatementLineOut(serializers.Serializer):
    order_number = serializers.CharField()
    order_group_id = serializers.IntegerField(help_text="The order group's id, as in /orders/{id}.")
    kind = StatementLineKindField(help_text="sale (earned at delivery) or refund (its reversal, amounts negative).")
    gross_amount = SignedEuros()
    commission_rate = serializers.FloatField(
        allow_null=True, min_value=0, max_value=100,
        help_text="Percent, as it applied when the order was placed; null if the group's items had different rates.",
    )
    commission_amount = SignedEuros()
    net_amount = SignedEuros()
    earned_at = serializers.DateTimeField()


class SupplierStatementDetailOut(SupplierStatementOut):
    lines = SupplierStatementLineOut(many=True)

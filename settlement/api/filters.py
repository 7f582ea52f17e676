"""Query-parameter filters for the statements list; any unparsable value is a 400 naming it."""
import django_filters
from django import forms

from settlement.models import Statement
from settlement.periods import PERIOD_PATTERN, parse_period
from verso.api.query import IdFilter


class PeriodField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        period = parse_period(value)
        if period is None:
            raise forms.ValidationError("Must be a month as YYYY-MM (e.g. 2026-11).")
        return period


class PeriodFilter(django_filters.Filter):
    """A calendar month, YYYY-MM."""

    field_class = PeriodField
    openapi_schema = {"type": "string", "pattern": PERIOD_PATTERN}


class StatementFilter(django_filters.FilterSet):
    supplier_id = IdFilter(field_name="supplier_id", help_text="Statements of this supplier.")
    period = PeriodFilter(field_name="period", help_text="Statements for this month (YYYY-MM, UTC).")
    status = django_filters.ChoiceFilter(field_name="status", choices=Statement.STATUS_CHOICES,
                                         help_text="Statements in this status.")

"""Query parameters of GET /api/v1/leads: filters and the sort/order whitelist.

A bad value of any of them is a 400 naming the parameter (via ``apply_filterset``).
``created_after``/``created_before`` take an ISO 8601 datetime (a naive one is UTC) or a
date; both bounds are inclusive, and a date covers its whole UTC day.
"""
import datetime as dt
import re

import django_filters
from django import forms
from django.utils.dateparse import parse_date, parse_datetime

from crm.models import Lead

DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
SPACED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")
SORT_FIELDS = ("submitted_at", "updated_at", "first_name", "last_name", "email", "status", "source", "id")


def parse_instant(raw: str, *, end_of_day: bool) -> dt.datetime | None:
    """An ISO 8601 datetime or date as an aware datetime; None if it is neither.

    With ``end_of_day`` the result is an exclusive upper bound (compare with ``<``): the
    next midnight for a date, the instant plus one microsecond for a datetime.
    """
    raw = raw.strip()
    if DATE_ONLY.fullmatch(raw):
        try:
            day = parse_date(raw)
        except ValueError:
            return None
        if end_of_day:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    value = _parse_datetime(raw)
    if value is None and SPACED_OFFSET.search(raw):
        # An unencoded "+01:00" in a query string arrives as " 01:00".
        value = _parse_datetime(SPACED_OFFSET.sub(r"+\1", raw))
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value + dt.timedelta(microseconds=1) if end_of_day else value


def _parse_datetime(raw: str) -> dt.datetime | None:
    try:
        return parse_datetime(raw)
    except ValueError:
        return None


class InstantField(forms.CharField):
    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        instant = parse_instant(value, end_of_day=self.end_of_day)
        if instant is None:
            raise forms.ValidationError("Must be an ISO 8601 datetime (2024-12-01T10:30:00Z) or date (2024-12-01).")
        return instant


class InstantFilter(django_filters.Filter):
    field_class = InstantField


class LeadListFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Lead.Status.choices)
    created_after = InstantFilter(field_name="submitted_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="submitted_at", lookup_expr="lt", end_of_day=True)
    sort = django_filters.ChoiceFilter(choices=[(f, f) for f in SORT_FIELDS], method="noop")
    order = django_filters.ChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="noop")

    class Meta:
        model = Lead
        fields: list = []

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or "submitted_at"
        prefix = "" if self.form.cleaned_data.get("order") == "asc" else "-"
        tie_breaker = [] if sort == "id" else [f"{prefix}id"]
        return queryset.order_by(f"{prefix}{sort}", *tie_breaker)

    def is_valid(self):
        valid = super().is_valid()
        after = self.form.cleaned_data.get("created_after") if valid else None
        before = self.form.cleaned_data.get("created_before") if valid else None
        if after and before and after >= before:
            self.form.add_error("created_before", "Must not be earlier than created_after.")
            return False
        return valid

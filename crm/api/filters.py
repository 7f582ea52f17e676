"""Query parameters of GET /api/v1/leads: filters and the sort/order whitelist.

A bad value of any of them is a 400 naming the parameter. ``created_after``/``created_before``
take an ISO 8601 datetime (a naive one is UTC) or a date; both bounds are inclusive, and a
date covers its whole UTC day.
"""
import django_filters

from crm.models import Lead
from verso.api.query import InstantFilter, RangeFilterSet

SORTS = {name: name for name in (
    "submitted_at", "updated_at", "first_name", "last_name", "email", "status", "source", "id",
)}
DEFAULT_SORT = "submitted_at"


class LeadListFilter(RangeFilterSet):
    status = django_filters.ChoiceFilter(choices=Lead.Status.choices, help_text="Filter by status.")
    created_after = InstantFilter(
        field_name="submitted_at", lookup_expr="gte",
        help_text="Leads submitted at or after this ISO 8601 datetime or date (a date means its start, UTC).",
    )
    created_before = InstantFilter(
        field_name="submitted_at", lookup_expr="lt", end_of_day=True,
        help_text="Leads submitted at or before this ISO 8601 datetime or date (a date includes the whole day).",
    )

    ranges = (("created_after", "created_before"),)

    class Meta:
        model = Lead
        fields: list = []

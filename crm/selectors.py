"""Lead reads: plain rows in the Staff API's representation."""
from django.db.models import QuerySet

from .models import Lead
from .services import LEAD_FIELDS


def lead_rows() -> QuerySet:
    """Every lead as a dict of the representation's fields (filter and order it further)."""
    return Lead.objects.values(*LEAD_FIELDS)


def lead_row(*, lead_id: int) -> dict | None:
    return lead_rows().filter(pk=lead_id).first()

"""The two pagination shapes, each a single SQL query per page.

The total comes from ``COUNT(*) OVER ()`` on the page query itself, so a page costs one
query whatever its size; only a page past the end needs a separate count.
"""
import math
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window

from verso.errors import BadRequest

TOTAL_ALIAS = "pagination_total"
# Far past any real list; beyond it an offset would overflow the database's integers.
MAX_PAGE = 10_000_000


@dataclass
class Page:
    rows: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


def _positive_int(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number.", details={name: "Must be a whole number."}) from None
    if value < 1:
        raise BadRequest(f"'{name}' must be at least 1.", details={name: "Must be at least 1."})
    if value > MAX_PAGE:
        raise BadRequest(f"'{name}' must be at most {MAX_PAGE}.", details={name: f"Must be at most {MAX_PAGE}."})
    return value


def paginate(queryset: QuerySet, request, *, default_per_page: int, max_per_page: int = 100) -> Page:
    """Slice an ordered queryset (model instances or .values() rows) into a Page.

    ``per_page`` above the maximum is clamped; a non-number or a value below 1 is a 400.
    """
    page_number = _positive_int(request, "page", 1)
    per_page = min(_positive_int(request, "per_page", default_per_page), max_per_page)
    offset = (page_number - 1) * per_page
    rows = list(queryset.annotate(**{TOTAL_ALIAS: Window(Count("*"))})[offset: offset + per_page])
    if rows:
        first = rows[0]
        total = first[TOTAL_ALIAS] if isinstance(first, dict) else getattr(first, TOTAL_ALIAS)
        if isinstance(first, dict):
            for row in rows:
                del row[TOTAL_ALIAS]
    else:
        total = queryset.count() if page_number > 1 else 0
    return Page(rows=rows, page=page_number, per_page=per_page, total=total)


def staff_page_body(page: Page, data: list) -> dict:
    return {
        "data": data,
        "pagination": {"page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages},
    }


def supplier_page_body(page: Page, plural: str, data: list) -> dict:
    return {
        plural: data,
        "pagination": {
            "current_page": page.page,
            "total_pages": page.pages,
            "total_items": page.total,
            "per_page": page.per_page,
        },
    }

"""The two pagination shapes, each a single SQL query per page.

The total rides along with the page as an uncorrelated scalar subquery
(``(SELECT COUNT(id) FROM … same filters …)``), which PostgreSQL computes once per
query, so a page costs one query whatever its size and the page itself can still be
read off an index with LIMIT (a ``COUNT(*) OVER ()`` window would sort every row).
Only a page past the end needs a separate count.
"""
import math
from dataclasses import dataclass

from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from drf_spectacular.utils import OpenApiParameter

from verso.api.query import whole_number
from verso.db import MAX_BIGINT
from verso.errors import InvalidParameters

TOTAL_ALIAS = "pagination_total"
# Far past any real list; beyond it an offset would overflow the database's integers.
MAX_PAGE = 10_000_000


class _TotalOf(RawSQL):
    """``(SELECT COUNT(*) FROM (<the list's query>))``: the list's total as one column.

    Uncorrelated, so the database evaluates it once; kept out of GROUP BY so lists with
    aggregate annotations (an order's items_count) work too.
    """

    def __init__(self, queryset: QuerySet):
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        super().__init__(f"SELECT COUNT(*) FROM ({sql}) AS page_total", params, output_field=IntegerField())

    def get_group_by_cols(self):
        return []


@dataclass
class Page:
    rows: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


MAX_PER_PAGE = 100


def page_parameters(default_per_page: int) -> list[OpenApiParameter]:
    """The OpenAPI description of what ``paginate`` reads."""
    return [
        OpenApiParameter(
            "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, description="Page number (1-indexed).",
        ),
        OpenApiParameter(
            "per_page", {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_BIGINT},
            description=f"Items per page (default {default_per_page}; above {MAX_PER_PAGE} reads as {MAX_PER_PAGE}).",
        ),
    ]


def _positive_int(request, name: str, default: int, *, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return whole_number(raw, minimum=1, maximum=maximum)
    except ValueError as exc:
        raise InvalidParameters.for_params({name: str(exc)}) from None


def _page_and_size(request, *, default_per_page: int, max_per_page: int) -> tuple[int, int]:
    """``page`` and ``per_page``: above the maximum is clamped; a non-number or below 1 is a 400."""
    page_number = _positive_int(request, "page", 1, maximum=MAX_PAGE)
    return page_number, min(_positive_int(request, "per_page", default_per_page, maximum=MAX_BIGINT), max_per_page)


def paginate_rows(rows: list, request, *, default_per_page: int, max_per_page: int = MAX_PER_PAGE) -> Page:
    """A Page of a short list already in hand (a product's at most ten images)."""
    page_number, per_page = _page_and_size(request, default_per_page=default_per_page, max_per_page=max_per_page)
    offset = (page_number - 1) * per_page
    return Page(rows=rows[offset: offset + per_page], page=page_number, per_page=per_page, total=len(rows))


def paginate(queryset: QuerySet, request, *, default_per_page: int, max_per_page: int = MAX_PER_PAGE) -> Page:
    """Slice an ordered queryset (model instances or .values() rows) into a Page, in one query."""
    page_number, per_page = _page_and_size(request, default_per_page=default_per_page, max_per_page=max_per_page)
    offset = (page_number - 1) * per_page
    rows = list(queryset.annotate(**{TOTAL_ALIAS: _TotalOf(queryset)})[offset: offset + per_page])
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

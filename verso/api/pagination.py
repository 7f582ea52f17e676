"""The two pagination shapes, each a single SQL query per page.

The total rides along with the page as an uncorrelated scalar subquery
(``(SELECT COUNT(id) FROM … same filters …)``), which PostgreSQL computes once per
query, so a page costs one query whatever its size and the page itself can still be
read off an index with LIMIT (a ``COUNT(*) OVER ()`` window would sort every row).
Only a page past the end needs a separate count.

A deep page (an offset of ``LATE_ROW_OFFSET`` rows or more) is read with a "late row
lookup": the offset is walked in a subquery that reads only the ids (an index-only scan of
the list's order index), and only the page's rows are then fetched by id. Still one query.
A total the caller already knows (verso.api.pagecache keeps them per generation) is not
counted again.
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
# From this offset on, pages are read ids first (see the module's docstring).
LATE_ROW_OFFSET = 1000


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


def _page_of(rows: QuerySet, queryset: QuerySet, offset: int, per_page: int) -> QuerySet:
    """``rows`` (``queryset``, maybe with its total as a column) for this page."""
    if offset < LATE_ROW_OFFSET:
        return rows[offset: offset + per_page]
    # The ids alone walk the offset; the page's rows are read by id, in the list's order.
    return rows.filter(pk__in=queryset.values("pk")[offset: offset + per_page])


def paginate(
    queryset: QuerySet, request, *, default_per_page: int, max_per_page: int = MAX_PER_PAGE, total: int | None = None,
) -> Page:
    """Slice an ordered queryset (model instances or .values() rows) into a Page, in one query
    (``total``, when the caller knows it, is not counted again)."""
    page_number, per_page = _page_and_size(request, default_per_page=default_per_page, max_per_page=max_per_page)
    offset = (page_number - 1) * per_page
    if total is not None:
        rows = list(_page_of(queryset, queryset, offset, per_page))
        return Page(rows=rows, page=page_number, per_page=per_page, total=total)
    with_total = queryset.annotate(**{TOTAL_ALIAS: _TotalOf(queryset)})
    rows = list(_page_of(with_total, queryset, offset, per_page))
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

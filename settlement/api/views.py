"""Staff API for settlement statements (scope ``read:settlements``): money in integer cents."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from settlement import selectors
from settlement.representations import line_dict, statement_dict
from verso.api.pagination import page_parameters
from verso.api.query import filter_parameters
from verso.api.schema import staff_errors, staff_page_of
from verso.api.views import StaffAPIView, apply_filterset

from . import serializers as s
from .filters import StatementFilter


@extend_schema(tags=["Settlements"])
class StatementListView(StaffAPIView):
    required_scopes = {"GET": "read:settlements"}

    @extend_schema(
        operation_id="settlements_list",
        summary="List settlement statements",
        description="Every supplier's monthly statements (drafts included), newest month first.",
        parameters=[*page_parameters(default_per_page=25), *filter_parameters(StatementFilter)],
        responses={200: staff_page_of("SettlementPage", s.StatementOut), **staff_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        qs = apply_filterset(StatementFilter, request, selectors.statement_list())
        page = self.paginate(qs, request)
        return self.paginated_response(page, [statement_dict(row) for row in page.rows])


@extend_schema(tags=["Settlements"])
class StatementDetailView(StaffAPIView):
    required_scopes = {"GET": "read:settlements"}

    @extend_schema(
        operation_id="settlements_retrieve",
        summary="Get a settlement statement with its lines",
        description="One line per order group's sale (earned at delivery) or refund (a reversal, negative).",
        responses={200: s.StatementDetailOut, **staff_errors(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        row = selectors.statement_detail(statement_id=pk)
        return Response({**statement_dict(row), "lines": [line_dict(line) for line in row["lines"]]})

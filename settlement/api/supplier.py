"""Supplier API: the supplier's own issued and paid statements (a draft is a 404), money in euros."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from settlement import selectors
from settlement.representations import supplier_line_dict, supplier_statement_dict
from supplier.api.base import SupplierView
from supplier.api.schema import supplier_ok, supplier_page_of
from verso.api.pagination import page_parameters

from . import serializers as s


@extend_schema(tags=["Supplier Settlements"])
class SupplierStatementListView(SupplierView):
    plural = "settlements"

    @extend_schema(
        operation_id="supplier_settlements_list",
        summary="List your settlement statements",
        description=(
            "Your issued and paid monthly statements, newest month first: what customers paid for your goods, "
            "the marketplace's commission and what is paid out to you, in euros."
        ),
        parameters=page_parameters(default_per_page=20),
        responses={200: supplier_page_of("SupplierSettlementList", "settlements", s.SupplierStatementOut)},
    )
    def get(self, request):
        page = self.paginate(selectors.supplier_statement_list(supplier_id=self.supplier_id), request)
        return self.paginated_response(page, [supplier_statement_dict(row) for row in page.rows])


@extend_schema(tags=["Supplier Settlements"])
class SupplierStatementDetailView(SupplierView):
    @extend_schema(
        operation_id="supplier_settlements_retrieve",
        summary="Get a settlement statement with its lines",
        description="One line per order group's sale (earned at delivery) or refund (negative amounts).",
        responses={200: supplier_ok("SupplierSettlementDetail", s.SupplierStatementDetailOut())},
    )
    def get(self, request, pk: int):
        row = selectors.supplier_statement_detail(supplier_id=self.supplier_id, statement_id=pk)
        return Response({**supplier_statement_dict(row), "lines": [supplier_line_dict(line) for line in row["lines"]]})

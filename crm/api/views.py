"""Staff API: /api/v1/leads and /api/v1/leads/{id}."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from crm import selectors, services
from verso.api.pagination import page_parameters
from verso.api.query import filter_parameters, ordering_from, sort_parameters
from verso.api.schema import StaffWriteResult, staff_errors, staff_page_of
from verso.api.views import StaffViewSet, apply_filterset, created, read_body, updated
from verso.errors import NotFound

from .filters import DEFAULT_SORT, SORTS, LeadListFilter
from .serializers import LeadCreateInput, LeadOutput, LeadUpdateInput

LEAD_LIST_PARAMETERS = [
    *page_parameters(default_per_page=25), *filter_parameters(LeadListFilter), *sort_parameters(SORTS, DEFAULT_SORT),
]


def _lead_or_404(lead_id: int) -> dict:
    row = selectors.lead_row(lead_id=lead_id)
    if row is None:
        raise NotFound("Lead not found")
    return row


class LeadViewSet(StaffViewSet):
    cache_generations = ("leads",)
    required_scopes = {
        "list": "read:leads",
        "retrieve": "read:leads",
        "create": "write:leads",
        "partial_update": "write:leads",
    }

    @extend_schema(
        operation_id="leads_list", tags=["Leads"], summary="List leads",
        parameters=LEAD_LIST_PARAMETERS,
        responses={200: staff_page_of("LeadPage", LeadOutput), **staff_errors(400, 401, 403, 429)},
    )
    def list(self, request):
        return self.cached(request, lambda: self._page(request))

    def _page(self, request) -> dict:
        rows = apply_filterset(LeadListFilter, request, selectors.lead_rows())
        rows = rows.order_by(*ordering_from(request, allowed=SORTS, default_sort=DEFAULT_SORT))
        page = self.paginate(rows, request)
        return self.paginated_response(page, page.rows).data

    @extend_schema(
        operation_id="leads_retrieve", tags=["Leads"], summary="Get a lead",
        responses={200: LeadOutput, **staff_errors(401, 403, 404, 429)},
    )
    def retrieve(self, request, pk: int):
        return Response(_lead_or_404(pk))

    @extend_schema(
        operation_id="leads_create", tags=["Leads"], summary="Create a lead",
        request=LeadCreateInput,
        responses={201: StaffWriteResult, **staff_errors(401, 403, 409, 422, 429)},
    )
    def create(self, request):
        data = read_body(LeadCreateInput, request)
        lead = services.lead_create(**data.validated_data)
        return created(lead.id, "Lead")

    @extend_schema(
        operation_id="leads_partial_update", tags=["Leads"], summary="Update a lead",
        request=LeadUpdateInput(partial=True),
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 422, 429)},
    )
    def partial_update(self, request, pk: int):
        data = read_body(LeadUpdateInput, request, partial=True)
        lead = services.lead_update(lead_id=pk, changes=data.validated_data)
        return updated(lead.id, "Lead")

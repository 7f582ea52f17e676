"""Staff API: /api/v1/appointments and /api/v1/appointments/{id}."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from scheduling import selectors, services
from verso.api.pagination import page_parameters
from verso.api.query import filter_parameters
from verso.api.schema import StaffWriteResult, staff_errors, staff_page_of
from verso.api.views import StaffViewSet, apply_filterset, created, read_body, updated
from verso.errors import NotFound

from .filters import AppointmentListFilter
from .serializers import AppointmentCreateInput, AppointmentOutput, AppointmentUpdateInput

APPOINTMENT_LIST_PARAMETERS = [*page_parameters(default_per_page=25), *filter_parameters(AppointmentListFilter)]


class AppointmentViewSet(StaffViewSet):
    required_scopes = {
        "list": "read:appointments",
        "retrieve": "read:appointments",
        "create": "write:appointments",
        "partial_update": "write:appointments",
    }

    @extend_schema(
        operation_id="appointments_list", tags=["Appointments"], summary="List appointments",
        description="Soonest first.",
        parameters=APPOINTMENT_LIST_PARAMETERS,
        responses={200: staff_page_of("AppointmentPage", AppointmentOutput), **staff_errors(400, 401, 403, 429)},
    )
    def list(self, request):
        rows = apply_filterset(AppointmentListFilter, request, selectors.appointment_rows())
        page = self.paginate(rows, request)
        return self.paginated_response(page, page.rows)

    @extend_schema(
        operation_id="appointments_retrieve", tags=["Appointments"], summary="Get an appointment",
        responses={200: AppointmentOutput, **staff_errors(401, 403, 404, 429)},
    )
    def retrieve(self, request, pk: int):
        row = selectors.appointment_row(appointment_id=pk)
        if row is None:
            raise NotFound("Appointment not found")
        return Response(row)

    @extend_schema(
        operation_id="appointments_create", tags=["Appointments"], summary="Book an appointment",
        description="409 CONFLICT when the estimator already has an overlapping, non-cancelled appointment; "
        "`details.conflicting_appointment_id` names it.",
        request=AppointmentCreateInput,
        responses={201: StaffWriteResult, **staff_errors(401, 403, 409, 422, 429)},
    )
    def create(self, request):
        data = read_body(AppointmentCreateInput, request)
        appointment = services.appointment_create(**data.validated_data)
        return created(appointment.id, "Appointment")

    @extend_schema(
        operation_id="appointments_partial_update", tags=["Appointments"], summary="Update an appointment",
        description="Any subset of the fields. Cancelling frees the estimator's time; "
        "409 CONFLICT when the change would overlap another appointment of the estimator.",
        request=AppointmentUpdateInput(partial=True),
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 409, 422, 429)},
    )
    def partial_update(self, request, pk: int):
        data = read_body(AppointmentUpdateInput, request, partial=True)
        appointment = services.appointment_update(appointment_id=pk, changes=data.validated_data)
        return updated(appointment.id, "Appointment")

"""Test-only endpoints that exercise the API platform without a domain behind them."""
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from verso.api.views import StaffAPIView, SupplierAPIView, created
from webhooks.models import Event


class EchoInput(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    count = serializers.IntegerField(min_value=1)
    email = serializers.EmailField(required=False)


@extend_schema(exclude=True)
class StaffEchoView(StaffAPIView):
    required_scopes = {"GET": "read:leads", "POST": "write:leads"}

    def get(self, request):
        page = self.paginate(Event.objects.order_by("created_at").values("id", "type"), request)
        return self.paginated_response(page, page.rows)

    def post(self, request):
        data = EchoInput(data=request.data)
        data.is_valid(raise_exception=True)
        # A side effect we can count: each real (non-replayed) POST writes one event row.
        from webhooks.services import emit

        event = emit("lead.created", dict(data.validated_data))
        return created(str(event.id), "Echo")


@extend_schema(exclude=True)
class StaffBoomView(StaffAPIView):
    required_scopes = {"GET": "read:leads"}

    def get(self, request):
        raise RuntimeError("secret internals")


@extend_schema(exclude=True)
class SupplierEchoView(SupplierAPIView):
    plural = "events"

    def get(self, request):
        page = self.paginate(Event.objects.order_by("created_at").values("id", "type"), request)
        return self.paginated_response(page, page.rows)

    def post(self, request):
        data = EchoInput(data=request.data)
        data.is_valid(raise_exception=True)
        from webhooks.services import emit

        emit("lead.created", dict(data.validated_data))  # a side effect to count, as on the staff echo
        return Response({"echo": data.validated_data}, status=201)


@extend_schema(exclude=True)
class SupplierPreparedView(SupplierAPIView):
    """Records whether its slow preparation ran inside a transaction; refuses {"fail": true} there."""

    def prepare_outside_transaction(self, request, *args, **kwargs):
        from django.db import connection

        from verso.errors import ValidationFailed

        self.prepared_in_transaction = connection.in_atomic_block
        if request.data.get("fail"):
            raise ValidationFailed.for_fields({"image_url": "Could not be fetched."})

    def post(self, request):
        from webhooks.services import emit

        emit("lead.created", {"prepared_in_transaction": self.prepared_in_transaction})
        return Response({"prepared_in_transaction": self.prepared_in_transaction}, status=201)


@extend_schema(exclude=True)
class SupplierBoomView(SupplierAPIView):
    def get(self, request):
        raise RuntimeError("secret internals")


@extend_schema(exclude=True)
class StaffUnrenderableView(StaffAPIView):
    """Does its work, then answers with something that cannot be rendered as JSON."""

    required_scopes = {"POST": "write:leads"}

    def post(self, request):
        from webhooks.services import emit

        emit("lead.created", {"n": 1})
        return Response({"oops": object()}, status=201)


urlpatterns = [
    path("api/v1/_test/unrenderable", StaffUnrenderableView.as_view()),
    path("api/v1/_test/echo", StaffEchoView.as_view()),
    path("api/v1/_test/boom", StaffBoomView.as_view()),
    path("api/v1/supplier/_test/echo", SupplierEchoView.as_view()),
    path("api/v1/supplier/_test/boom", SupplierBoomView.as_view()),
    path("api/v1/supplier/_test/prepared", SupplierPreparedView.as_view()),
    path("", include("verso.urls")),
]

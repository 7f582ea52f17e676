"""Staff API: /api/v1/webhooks, one webhook, its delivery log and its test ping (manage:webhooks)."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from verso.api.pagination import page_parameters
from verso.api.schema import StaffWriteResult, staff_errors, staff_page_of
from verso.api.views import StaffAPIView, read_body, updated
from verso.errors import NotFound
from webhooks import selectors, services
from webhooks.models import Webhook

from .serializers import DeliveryOutput, WebhookCreated, WebhookInput, WebhookOutput, WebhookUpdateInput

SCOPE = "manage:webhooks"
PAGE_PARAMS = page_parameters(default_per_page=25)

WebhookDeleted = inline_serializer(
    "WebhookDeleted", {"id": serializers.IntegerField(), "message": serializers.CharField()}
)


def _delivery_row(delivery) -> dict:
    return {name: getattr(delivery, name) for name in selectors.DELIVERY_FIELDS}


@extend_schema(tags=["Webhooks"])
class WebhookListView(StaffAPIView):
    required_scopes = {"GET": SCOPE, "POST": SCOPE}

    @extend_schema(
        operation_id="webhooks_list", summary="List webhooks", description="Newest first.",
        parameters=PAGE_PARAMS,
        responses={200: staff_page_of("WebhookPage", WebhookOutput), **staff_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        page = self.paginate(selectors.webhook_list(), request)
        return self.paginated_response(page, page.rows)

    @extend_schema(
        operation_id="webhooks_create", summary="Create a webhook",
        description="Answers with the signing `secret`: this is the only response that ever shows it.",
        request=WebhookInput,
        responses={201: WebhookCreated, **staff_errors(401, 403, 422, 429)},
    )
    def post(self, request):
        data = read_body(WebhookInput, request).validated_data
        webhook, secret = services.webhook_create(**data)
        return Response({"id": webhook.pk, "message": "Webhook created successfully", "secret": secret}, status=201)


@extend_schema(tags=["Webhooks"])
class WebhookDetailView(StaffAPIView):
    required_scopes = {"GET": SCOPE, "PATCH": SCOPE, "DELETE": SCOPE}

    @extend_schema(
        operation_id="webhooks_retrieve", summary="Get a webhook",
        responses={200: WebhookOutput, **staff_errors(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        webhook = selectors.webhook_get(webhook_id=pk)
        return Response({name: getattr(webhook, name) for name in selectors.WEBHOOK_FIELDS})

    @extend_schema(
        operation_id="webhooks_partial_update", summary="Update a webhook",
        description="Only the fields given change. `is_active: true` re-enables an endpoint that was "
        "disabled after repeated failures. The secret cannot be changed.",
        request=WebhookUpdateInput(partial=True),
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 422, 429)},
    )
    def patch(self, request, pk: int):
        webhook = selectors.webhook_get(webhook_id=pk)
        data = read_body(WebhookUpdateInput, request, partial=True).validated_data
        services.webhook_update(webhook=webhook, changes=dict(data))
        return updated(webhook.pk, "Webhook")

    @extend_schema(
        operation_id="webhooks_destroy", summary="Delete a webhook",
        description="The webhook and its delivery log go; nothing more is sent to it.",
        responses={200: WebhookDeleted, **staff_errors(401, 403, 404, 429)},
    )
    def delete(self, request, pk: int):
        webhook = selectors.webhook_get(webhook_id=pk)
        services.webhook_delete(webhook=webhook)
        return Response({"id": pk, "message": "Webhook deleted successfully"})


@extend_schema(tags=["Webhooks"])
class WebhookDeliveryListView(StaffAPIView):
    required_scopes = {"GET": SCOPE}

    @extend_schema(
        operation_id="webhooks_deliveries_list", summary="List a webhook's deliveries", description="Newest first.",
        parameters=PAGE_PARAMS,
        responses={200: staff_page_of("DeliveryPage", DeliveryOutput), **staff_errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        page = self.paginate(selectors.delivery_list(webhook_id=pk), request)
        # One query when there are rows; only an empty page asks whether the webhook exists.
        if not page.rows and not Webhook.objects.filter(pk=pk).exists():
            raise NotFound("Webhook not found")
        return self.paginated_response(page, page.rows)


@extend_schema(tags=["Webhooks"])
class WebhookTestView(StaffAPIView):
    required_scopes = {"POST": SCOPE}

    @extend_schema(
        operation_id="webhooks_test", summary="Send a test ping",
        description="Queues a `ping` event for this webhook now, through the same delivery path and log as "
        "every other event. Answers 200 with the new delivery, still `pending`: follow it in the delivery "
        "log (a failed attempt is retried like any delivery). An inactive or disabled webhook is a 409.",
        request=None,
        responses={200: DeliveryOutput, **staff_errors(401, 403, 404, 409, 429)},
    )
    def post(self, request, pk: int):
        webhook = selectors.webhook_get(webhook_id=pk)
        delivery = services.webhook_test(webhook=webhook)
        return Response(_delivery_row(delivery))

"""Webhook reads: the endpoints and each one's delivery log, newest first."""
from django.db.models import QuerySet

from verso.errors import NotFound

from .models import Delivery, Webhook

# The representation of a webhook: never its secret.
WEBHOOK_FIELDS = ["id", "name", "url", "events", "is_active", "disabled_at", "created_at", "updated_at"]
DELIVERY_FIELDS = ["id", "event_id", "event_type", "status", "attempts", "last_status_code", "last_error",
                   "next_attempt_at", "delivered_at", "created_at", "updated_at"]


def webhook_list() -> QuerySet:
    """Every webhook as a dict of its representation's fields, newest first."""
    return Webhook.objects.order_by("-created_at", "-id").values(*WEBHOOK_FIELDS)


def webhook_get(*, webhook_id: int) -> Webhook:
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound("Webhook not found")
    return webhook


def delivery_list(*, webhook_id: int) -> QuerySet:
    """One webhook's deliveries as dicts, newest first."""
    return (Delivery.objects.filter(webhook_id=webhook_id).order_by("-created_at", "-id")
            .values(*DELIVERY_FIELDS))

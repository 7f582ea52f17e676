"""Reads of webhook endpoints and their delivery log."""
from django.db.models import QuerySet

from verso.errors import NotFound

from .models import Delivery, Webhook

DELIVERY_FIELDS = ("id", "event_id", "event_type", "status", "attempts", "last_status_code", "last_error",
                   "next_attempt_at", "delivered_at", "created_at", "updated_at")


def webhook_list() -> QuerySet[Webhook]:
    return Webhook.objects.order_by("-created_at", "-id")


def webhook_get(*, webhook_id: int) -> Webhook:
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound("Webhook not found")
    return webhook


def delivery_list(*, webhook_id: int) -> QuerySet:
    """The webhook's deliveries, newest first, as ``.values()`` rows."""
    return Delivery.objects.filter(webhook_id=webhook_id).order_by("-created_at", "-id").values(*DELIVERY_FIELDS)

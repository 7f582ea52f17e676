"""The event outbox, and the webhook endpoints and deliveries that carry events out.

Every state change a service makes is an Event, written in its transaction. When it
commits, every active Webhook subscribed to its type gets one Delivery row (written in
that same transaction), which Celery sends, retries and logs.
"""
import uuid

from django.db import models


class Event(models.Model):
    TYPES = [
        "lead.created",
        "lead.updated",
        "order.created",
        "order.updated",
        "product.created",
        "product.updated",
        "appointment.created",
        "appointment.updated",
        "settlement.issued",
    ]
    # Sent only to the one webhook being tested (POST /webhooks/{id}/test), never fanned out.
    PING = "ping"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64, choices=[(t, t) for t in [*TYPES, PING]], db_index=True)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Webhook(models.Model):
    """An endpoint that receives the events it subscribes to, signed with its secret."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    # Shown once, when the webhook is created; the Standard Webhooks form "whsec_<base64>".
    secret = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Deliveries that failed in a row; at VERSO_WEBHOOK_DISABLE_AFTER the endpoint is disabled.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["is_active", "disabled_at"], name="webhook_active_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class Delivery(models.Model):
    """One event on its way to one webhook: attempts, outcome and the last answer."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STATUS_CHOICES = [(PENDING, "Pending"), (SUCCEEDED, "Succeeded"), (FAILED, "Failed")]

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["webhook", "-created_at", "-id"], name="delivery_webhook_recent_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            # The admin home's "failed in the last 24 hours" queue (verso.tiles).
            models.Index(fields=["status", "updated_at"], name="delivery_status_recent_idx"),
        ]
        permissions = [("redeliver_delivery", "Can send a delivery again")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.webhook_id} ({self.status})"

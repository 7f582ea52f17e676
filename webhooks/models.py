"""The event outbox: every state change a service makes is recorded here, in its transaction.

Delivery to webhook endpoints (Webhook, Delivery, signing, Celery tasks) builds on these rows.
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
    ]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64, choices=[(t, t) for t in TYPES], db_index=True)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

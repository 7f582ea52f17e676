"""API keys (bearer credentials for both APIs) and idempotency records."""
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

RATE_RE = re.compile(r"^[1-9]\d*/([1-9]\d*)?[smhd]$")


def validate_rate(value: str) -> None:
    if value and not RATE_RE.match(value):
        raise ValidationError("Use the form N/s, N/m, N/h or N/d with N at least 1, e.g. 500/m.")


class ApiKey(models.Model):
    name = models.CharField(max_length=100)
    # The public lookup part of the key; the key itself is never stored, only its hash.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, blank=True)
    supplier = models.ForeignKey(
        "supplier.Supplier", null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys",
        help_text="Set for a Supplier API key; empty for a Staff API key.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rate_limit_override = models.CharField(
        max_length=20, blank=True, validators=[validate_rate],
        help_text="Optional, e.g. 500/m. Replaces this key's default limits (for staff keys, both reads and writes).",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class IdempotencyKey(models.Model):
    """A claimed Idempotency-Key: inserted before the work runs, so only one request acts."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, default=IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_unique_per_api_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

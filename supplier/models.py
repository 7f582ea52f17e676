"""Suppliers are the marketplace's tenants; a Membership ties a portal login to one."""
from django.conf import settings
from django.db import models


class Supplier(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=100, blank=True)
    is_verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # Verifying decides whether a supplier's API keys work at all: its own permission.
        permissions = [("verify_supplier", "Can verify or unverify suppliers")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    # A portal user belongs to exactly one supplier, hence OneToOne on the user.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.supplier}"


class SupplierEmail(models.Model):
    """One email to a supplier, written in the transaction of what it tells (the outbox row).

    ``key`` names the fact it announces ("new_order_group:42"): a unique column, so one fact
    is announced once whatever writes or tasks run twice. A task claims the row (pending →
    sending) before sending and marks it sent after: at most once. A worker that dies in
    between leaves it ``sending`` and nothing sends it again (a duplicate email is the worse
    mistake: the portal's orders list and badge show the order regardless).
    """

    NEW_ORDER_GROUP = "new_order_group"
    PRODUCT_APPROVED = "product_approved"
    PRODUCT_REJECTED = "product_rejected"
    KIND_CHOICES = [
        (NEW_ORDER_GROUP, "New order"), (PRODUCT_APPROVED, "Product approved"),
        (PRODUCT_REJECTED, "Product rejected"),
    ]

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the supplier has no contact email
    STATUS_CHOICES = [(s, s.capitalize()) for s in [PENDING, SENDING, SENT, FAILED, SKIPPED]]

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    key = models.CharField(max_length=100, unique=True)
    # What the email tells, as it was when it happened (a later change does not rewrite it).
    context = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    recipient = models.EmailField(blank=True, help_text="The address it went to (the contact email then).")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="supplier_email_due_idx"),
            models.Index(fields=["supplier", "-created_at"], name="supplier_email_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.supplier_id} ({self.status})"

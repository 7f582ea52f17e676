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

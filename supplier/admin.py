"""Suppliers in the admin; verification goes through supplier.services."""
from django.contrib import admin

from . import services
from .models import Membership, Supplier


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "country", "is_verified", "verified_at", "created_at"]
    list_filter = ["is_verified", "country"]
    search_fields = ["name", "slug", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["is_verified", "verified_at", "created_at"]
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]

    def has_verify_supplier_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.verify_supplier")

    @admin.action(description="Verify selected suppliers", permissions=["verify_supplier"])
    def verify(self, request, queryset):
        for supplier in queryset:
            services.supplier_set_verified(supplier=supplier, verified=True)
        self.message_user(request, f"Verified {queryset.count()} supplier(s).")

    @admin.action(description="Unverify selected suppliers", permissions=["verify_supplier"])
    def unverify(self, request, queryset):
        for supplier in queryset:
            services.supplier_set_verified(supplier=supplier, verified=False)
        self.message_user(
            request, f"Unverified {queryset.count()} supplier(s); their API keys are refused from now on."
        )

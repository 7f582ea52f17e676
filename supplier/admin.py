"""Suppliers in the admin; verification goes through supplier.services."""
from django.contrib import admin

from . import services
from .models import Membership, Supplier, SupplierEmail


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


@admin.register(SupplierEmail)
class SupplierEmailAdmin(admin.ModelAdmin):
    """The log of emails to suppliers, read-only: they are written by the services and sent by
    the task (an email left ``sending`` died with its worker and is not sent again)."""

    list_display = ["kind", "supplier", "status", "recipient", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "recipient", "supplier__name"]
    list_select_related = ["supplier"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

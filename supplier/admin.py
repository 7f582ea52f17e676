"""Suppliers in the admin; verification goes through supplier.services. A supplier's page also
shows its products, open order groups and API keys (prefix only), each to staff who may view them."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from commerce.models import OrderGroup, Product
from verso.admin_services import LogAdmin
from verso.api.models import ApiKey
from verso.dashboard import QueueFilter
from verso.money import money

from . import services
from .models import Membership, Supplier, SupplierEmail

# Rows each section of a supplier's page lists; the rest are behind its "all …" link.
SECTION_ROWS = 20
OPEN_GROUP_STATUSES = [OrderGroup.PENDING, OrderGroup.CONFIRMED, OrderGroup.PROCESSING, OrderGroup.SHIPPED]


def _section(rows: list, header: list[str], row_format: str, all_url: str, noun: str) -> str:
    if not rows:
        return f"No {noun}."
    head = format_html_join("", "<th>{}</th>", ([name] for name in header))
    body = format_html_join("", row_format, rows)
    return format_html(
        '<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table><p><a href="{}">All {} of this supplier</a></p>',
        head, body, all_url, noun,
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "country", "is_verified", "verified_at", "created_at"]
    list_filter = [QueueFilter, "is_verified", "country"]
    search_fields = ["name", "slug", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["is_verified", "verified_at", "created_at"]
    # Section -> the permission that shows it (the rows' own view permission).
    sections = {
        "products_section": "commerce.view_product",
        "open_order_groups": "commerce.view_ordergroup",
        "api_keys": "api.view_apikey",
    }

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        shown = [name for name, permission in self.sections.items() if request.user.has_perm(permission)]
        return [*self.readonly_fields, *shown]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in self.sections]
        return [*fields, *[f for f in self.get_readonly_fields(request, obj) if f in self.sections]]

    @admin.display(description="Products (newest first)")
    def products_section(self, supplier):
        rows = [
            (reverse("admin:commerce_product_change", args=[p.pk]), p.name, p.sku, money(p.price), p.stock_qty,
             p.approval_status)
            for p in Product.objects.filter(supplier=supplier, deleted_at__isnull=True)[:SECTION_ROWS]
        ]
        return _section(
            rows, ["Product", "SKU", "Price", "Stock", "Approval"],
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            f"{reverse('admin:commerce_product_changelist')}?supplier__id__exact={supplier.pk}", "products",
        )

    @admin.display(description="Open order groups")
    def open_order_groups(self, supplier):
        groups = (
            OrderGroup.objects.filter(supplier=supplier, status__in=OPEN_GROUP_STATUSES)
            .select_related("order").order_by("-created_at", "-id")[:SECTION_ROWS]
        )
        rows = [
            (reverse("admin:commerce_ordergroup_change", args=[g.pk]), g.pk,
             reverse("admin:commerce_order_change", args=[g.order_id]), g.order.order_number, g.status,
             money(g.subtotal_amount, g.order.currency), g.created_at.date())
            for g in groups
        ]
        return _section(
            rows, ["Group", "Order", "Status", "Subtotal", "Placed"],
            '<tr><td><a href="{}">#{}</a></td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            f"{reverse('admin:commerce_ordergroup_changelist')}?supplier__id__exact={supplier.pk}", "order groups",
        )

    @admin.display(description="API keys")
    def api_keys(self, supplier):
        # The prefix identifies a key; the key itself is never stored, and its hash never shown.
        keys = ApiKey.objects.filter(supplier=supplier).only(
            "pk", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "supplier_id",
        )[:SECTION_ROWS]
        rows = [
            (reverse("admin:api_apikey_change", args=[k.pk]), k.name, k.prefix,
             "revoked" if k.revoked_at else ("active" if k.is_active else "expired"), k.last_used_at or "never")
            for k in keys
        ]
        return _section(
            rows, ["Name", "Prefix", "State", "Last used"],
            '<tr><td><a href="{}">{}</a></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>',
            f"{reverse('admin:api_apikey_changelist')}?supplier__id__exact={supplier.pk}", "API keys",
        )
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
class SupplierEmailAdmin(LogAdmin):
    """The log of emails to suppliers, read-only: they are written by the services and sent by
    the task (an email left ``sending`` died with its worker and is not sent again)."""

    list_display = ["kind", "supplier", "status", "recipient", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "recipient", "supplier__name"]
    list_select_related = ["supplier"]
    date_hierarchy = "created_at"

"""Commerce in the admin: categories, product approval, orders and their supplier groups.

Every change goes through commerce.services: saving a form, approving or rejecting a
product, moving an order or a group. A move the lifecycle forbids is an error message on
the changelist, never a 500.
"""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Coalesce, Concat, Lower
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from verso.admin_services import apply_to_each
from verso.dashboard import QueueFilter
from verso.errors import DomainError
from verso.money import money

from . import services, state
from .actors import Actor
from .models import ApprovalChange, Category, Order, OrderGroup, OrderItem, Product, StatusChange


def _default_currency(obj) -> str:
    return settings.VERSO_CURRENCY


def _money_column(field: str, description: str, *, currency=lambda obj: obj.currency, sortable: bool = False):
    """A read-only admin column showing the amount in cents ``field`` as money in ``currency(obj)``."""

    @admin.display(description=description, ordering=field if sortable else None)
    def column(self, obj):
        return money(getattr(obj, field), currency(obj))

    return column


def _order_currency(obj) -> str:
    return obj.order.currency


def _link(viewname: str, pk, text) -> str:
    return format_html('<a href="{}">{}</a>', reverse(viewname, args=[pk]), text)


def _supplier_link(supplier) -> str:
    return _link("admin:supplier_supplier_change", supplier.pk, supplier) if supplier else "the operator"


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _actor_text(row) -> str:
    if row.actor_user_id:
        return str(row.actor_user)
    if row.actor_api_key_id:
        return f"API key {row.actor_api_key.prefix}"
    return "Verso"


class _NoBulkDelete:
    """Drops Django's "delete selected" action: deleting goes through a service, or not at all."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _error_text(exc: DomainError) -> str:
    return exc.message


def _reporting_domain_errors(model_admin, request, view, *args):
    """Run an admin change view; a rule the form could not see (a SKU clash, a category
    loop, a taken slug) becomes an error message on the same page, never a 500."""
    try:
        return view(request, *args)
    except DomainError as exc:
        model_admin.message_user(request, _error_text(exc), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


# --- categories -------------------------------------------------------------------------


class _SlugFromNameForm(forms.ModelForm):
    """The services make a slug from the name when none is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:  # a view-only user's form has no fields at all
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Left empty, it is made from the name."


class CategoryForm(_SlugFromNameForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "type", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "parent" in self.fields:
            # A category cannot sit under itself or under one of its own descendants.
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk__in=_self_and_descendants(self.instance.pk)
            )


def _self_and_descendants(category_id: int) -> set[int]:
    found, frontier = {category_id}, {category_id}
    while frontier:
        frontier = set(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ["tree_name", "slug", "type", "parent", "is_active"]
    list_filter = ["type", "is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]

    def get_queryset(self, request):
        # Tree-ish: each top-level category followed by its children.
        return super().get_queryset(request).annotate(
            tree_key=Concat(
                Lower(Coalesce("parent__name", "name")),
                Case(When(parent__isnull=True, then=Value("")), default=Concat(Value(" › "), Lower("name"))),
                output_field=CharField(),
            )
        ).order_by("tree_key", "id")

    @admin.display(description="Name", ordering="tree_key")
    def tree_name(self, obj):
        return f"    ↳ {obj.name}" if obj.parent_id else obj.name

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in ("name", "slug", "type", "is_active")}
        data["parent_id"] = form.cleaned_data["parent"].pk if form.cleaned_data.get("parent") else None
        if change:
            changes = {("parent_id" if f == "parent" else f): data["parent_id" if f == "parent" else f]
                       for f in form.changed_data}
            saved = services.category_update(category=Category.objects.get(pk=obj.pk), changes=changes)
        else:
            saved = services.category_create(**data)
        obj.pk = saved.pk
        obj.slug = saved.slug

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return _reporting_domain_errors(self, request, super().changeform_view, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False  # products and children point at categories; deactivate instead


# --- products ---------------------------------------------------------------------------


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=2000,
                             help_text="The supplier sees this reason.")


PRODUCT_FORM_FIELDS = [
    "supplier", "category", "name", "slug", "sku", "description", "type", "unit", "price", "compare_at_price",
    "stock_qty", "min_order_qty", "low_stock_threshold", "color", "stem_length", "country_of_origin", "vat_rate",
    "is_digital", "is_active",
]


class ProductForm(_SlugFromNameForm):
    class Meta:
        model = Product
        fields = PRODUCT_FORM_FIELDS


@admin.register(Product)
class ProductAdmin(_NoBulkDelete, admin.ModelAdmin):
    form = ProductForm
    list_display = [
        "name", "supplier", "sku", "price_display", "stock_qty", "stock_status", "approval_status", "is_active",
        "is_deleted",
    ]
    list_filter = [
        QueueFilter, "approval_status", DeletedFilter, "is_active", "type",
        ("supplier", admin.RelatedOnlyFieldListFilter), ("category", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["sku", "name", "slug"]
    list_select_related = ["supplier", "category"]
    readonly_fields = [
        "approval_status", "rejection_reason", "images", "approval_history", "deleted_at", "created_at", "updated_at",
    ]
    raw_id_fields = []
    actions = ["approve_products", "reject_products", "soft_delete_products"]

    # Products have no currency of their own: prices are in the marketplace's (VERSO_CURRENCY).
    price_display = _money_column("price", "Price", currency=_default_currency, sortable=True)

    def get_object(self, request, object_id, from_field=None):
        # The change page's images and approval history, read once each with the product.
        product = super().get_object(request, object_id, from_field)
        if product is not None:
            product._images = list(product.images.all())
            product._approval_changes = list(
                ApprovalChange.objects.filter(product=product).select_related("actor_user", "actor_api_key")
            )
        return product

    @admin.display(description="Images")
    def images(self, obj):
        images = getattr(obj, "_images", None)
        if not images:
            return "No images."
        return format_html_join(
            "", '<a href="{}" title="{}"><img src="{}" alt="Image {}" height="96" '
            'style="margin: 0 8px 8px 0; border: 1px solid var(--hairline-color)"></a>',
            ((image.image.url, "Primary" if image.is_primary else f"Position {image.position}",
              (image.thumbnail or image.image).url, image.pk) for image in images),
        )

    @admin.display(description="Approval history")
    def approval_history(self, obj):
        if obj.pk is None:
            return "—"
        rows = [(_when(obj.created_at), "created", "")]
        rows += [
            (_when(change.created_at), f"{change.from_status} → {change.to_status}",
             f"{_actor_text(change)}{': ' + change.reason if change.reason else ''}")
            for change in getattr(obj, "_approval_changes", [])
        ]
        return format_html(
            '<ol class="verso-timeline">{}</ol>',
            format_html_join("", "<li><time>{}</time> {} <span class=\"quiet\">{}</span></li>", rows),
        )

    @admin.display(description="Stock status")
    def stock_status(self, obj):
        return obj.stock_status.replace("_", " ")

    @admin.display(description="Deleted", boolean=True, ordering="deleted_at")
    def is_deleted(self, obj):
        return obj.deleted_at is not None

    def save_model(self, request, obj, form, change):
        actor = Actor.from_user(request.user)
        data = {}
        for name in (form.changed_data if change else PRODUCT_FORM_FIELDS):
            value = form.cleaned_data.get(name)
            if name in ("supplier", "category"):
                data[f"{name}_id"] = value.pk if value else None
            else:
                data[name] = value
        if change:
            saved = services.product_update(product=Product.objects.get(pk=obj.pk), actor=actor, changes=data)
        else:
            saved = services.product_create(actor=actor, **data)
        obj.pk = saved.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return _reporting_domain_errors(self, request, super().changeform_view, object_id, form_url, extra_context)

    def delete_model(self, request, obj):
        services.product_soft_delete(product=obj, actor=Actor.from_user(request.user))

    def _each(self, request, queryset, verb: str, call) -> None:
        apply_to_each(self, request, queryset, call, done_message=f"{verb} {{count}} product(s).",
                      label=lambda product: product.name)

    def has_approve_product_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.approve_product")

    @admin.action(description="Approve selected products", permissions=["approve_product"])
    def approve_products(self, request, queryset):
        actor = Actor.from_user(request.user)
        self._each(request, queryset, "Approved", lambda p: services.product_approve(product=p, actor=actor))

    @admin.action(description="Reject selected products (asks for a reason)", permissions=["approve_product"])
    def reject_products(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            actor = Actor.from_user(request.user)
            reason = form.cleaned_data["reason"]
            self._each(
                request, queryset, "Rejected",
                lambda p: services.product_reject(product=p, actor=actor, reason=reason),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject products",
            "opts": self.model._meta,
            "products": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "reject_products",
        }
        return TemplateResponse(request, "admin/commerce/product/reject.html", context)

    @admin.action(description="Delete selected products (soft delete)", permissions=["delete"])
    def soft_delete_products(self, request, queryset):
        actor = Actor.from_user(request.user)
        self._each(request, queryset, "Deleted", lambda p: services.product_soft_delete(product=p, actor=actor))


# --- orders -----------------------------------------------------------------------------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderGroupInline(_ReadOnlyInline):
    model = OrderGroup
    fields = ["group_link", "supplier_link", "status", "subtotal_display", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "supplier groups"

    subtotal_display = _money_column("subtotal_amount", "Subtotal", currency=_order_currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "supplier")

    @admin.display(description="Group")
    def group_link(self, obj):
        return _link("admin:commerce_ordergroup_change", obj.pk, f"#{obj.pk}")

    @admin.display(description="Supplier")
    def supplier_link(self, obj):
        return _supplier_link(obj.supplier)


class OrderItemInline(_ReadOnlyInline):
    model = OrderItem
    fields = ["product_link", "sku", "unit_price_display", "quantity", "line_total", "vat_rate", "tax_display",
              "group_link"]
    readonly_fields = fields
    verbose_name_plural = "items"

    unit_price_display = _money_column("unit_price", "Unit price", currency=_order_currency)
    tax_display = _money_column("tax_amount", "VAT included", currency=_order_currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "group__supplier")

    @admin.display(description="Product")
    def product_link(self, obj):
        # The name as bought (the snapshot), linking to the product as it is now.
        return _link("admin:commerce_product_change", obj.product_id, obj.product_name)

    @admin.display(description="Line total")
    def line_total(self, obj):
        return money(obj.unit_price * obj.quantity, obj.order.currency)

    @admin.display(description="Supplier group")
    def group_link(self, obj):
        supplier = obj.group.supplier
        return _link("admin:commerce_ordergroup_change", obj.group_id,
                     f"#{obj.group_id} ({supplier if supplier else 'the operator'})")


def format_address(address: dict | None) -> str:
    """A shipping address as it is written on a parcel, one line each (escaped)."""
    address = address or {}
    city_line = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    lines = [address.get("line1"), address.get("line2"), city_line, address.get("state"), address.get("country")]
    lines = [str(line) for line in lines if line]
    if not lines:
        return "—"
    return format_html("<address>{}</address>", format_html_join(mark_safe("<br>"), "{}", ([line] for line in lines)))


def _timeline(changes) -> str:
    """Status changes as a timeline, oldest first: when, what moved (linking to a group), who, why."""
    if not changes:
        return "No changes yet."
    rows = []
    for change in changes:
        if change.group_id:
            subject = format_html(
                "Group {} ({})", _link("admin:commerce_ordergroup_change", change.group_id, f"#{change.group_id}"),
                _supplier_link(change.group.supplier),
            )
        else:
            subject = "Order"
        rows.append((_when(change.created_at), subject, change.from_status or "created", change.to_status,
                     _actor_text(change), f": {change.comment}" if change.comment else ""))
    return format_html(
        '<ol class="verso-timeline">{}</ol>',
        format_html_join("", "<li><time>{}</time> {}: {} → <strong>{}</strong> <span>by {}{}</span></li>", rows),
    )


class OrderForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["tracking_number"]


def _transition_action(to_status: str, move, noun: str):
    """An admin action that moves each selected row to ``to_status`` through a service."""

    def action(modeladmin, request, queryset):
        actor = Actor.from_user(request.user)
        apply_to_each(modeladmin, request, queryset.order_by("pk"), lambda row: move(row, to_status, actor),
                      done_message=f"Moved {{count}} {noun}(s) to '{to_status}'.")

    action.__name__ = f"mark_{to_status}"
    return admin.action(description=f"Mark selected {noun}s as {to_status}", permissions=["change"])(action)


def _order_move(order, to_status, actor):
    services.order_transition(order=order, to_status=to_status, actor=actor, comment="Changed in admin")


def _group_move(group, to_status, actor):
    services.order_group_transition(group=group, to_status=to_status, actor=actor, comment="Changed in admin")


_ORDER_TARGETS = list(dict.fromkeys(t for targets in state.ORDER_TRANSITIONS.values() for t in targets))
_GROUP_TARGETS = list(dict.fromkeys(
    t for table in (state.GROUP_TRANSITIONS, state.GROUP_STAFF_ONLY_TRANSITIONS) for ts in table.values() for t in ts
))


@admin.register(Order)
class OrderAdmin(_NoBulkDelete, admin.ModelAdmin):
    form = OrderForm
    list_display = [
        "order_number", "email", "status", "fulfillment_status", "total_display", "currency", "created_at",
    ]
    list_filter = [QueueFilter, "status", "fulfillment_status", "created_at"]
    search_fields = ["order_number", "email", "tracking_number"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "order_number", "email", "status", "fulfillment_status", "subtotal_display", "discount_display",
        "tax_display", "shipping_display", "total_display", "shipping_address_display", "created_at",
        "updated_at", "status_history",
    ]
    fields = readonly_fields[:3] + ["tracking_number"] + readonly_fields[3:]
    inlines = [OrderItemInline, OrderGroupInline]
    actions = [_transition_action(target, _order_move, "order") for target in _ORDER_TARGETS]

    total_display = _money_column("total_amount", "Total", sortable=True)
    subtotal_display = _money_column("subtotal_amount", "Subtotal")
    discount_display = _money_column("discount_amount", "Discount")
    tax_display = _money_column("tax_amount", "VAT included")
    shipping_display = _money_column("shipping_amount", "Shipping")

    @admin.display(description="Shipping address")
    def shipping_address_display(self, obj):
        return format_address(obj.shipping_address)

    @admin.display(description="Status history")
    def status_history(self, obj):
        if obj.pk is None:
            return "—"
        # The order's own moves and its groups' moves, in one query, as one timeline.
        return _timeline(
            StatusChange.objects.filter(Q(order_id=obj.pk) | Q(group__order_id=obj.pk))
            .select_related("group__supplier", "actor_user", "actor_api_key")
        )

    def has_add_permission(self, request):
        return False  # orders are placed through the API

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "tracking_number" in form.changed_data:
            services.order_update(
                order=obj, actor=Actor.from_user(request.user), tracking_number=form.cleaned_data["tracking_number"]
            )


@admin.register(OrderGroup)
class OrderGroupAdmin(_NoBulkDelete, admin.ModelAdmin):
    list_display = ["__str__", "order_link", "supplier", "status", "subtotal_display", "created_at"]
    list_filter = [QueueFilter, "status", ("supplier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["order__order_number", "supplier__name"]
    list_select_related = ["order", "supplier"]
    fields = ["order_link", "supplier_link", "status", "subtotal_display", "created_at", "updated_at",
              "status_history"]
    readonly_fields = fields
    inlines = [OrderItemInline]
    actions = [_transition_action(target, _group_move, "order group") for target in _GROUP_TARGETS]

    subtotal_display = _money_column("subtotal_amount", "Subtotal", currency=_order_currency, sortable=True)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "supplier")

    @admin.display(description="Supplier")
    def supplier_link(self, obj):
        return _supplier_link(obj.supplier)

    @admin.display(description="Status history")
    def status_history(self, obj):
        if obj.pk is None:
            return "—"
        return _timeline(StatusChange.objects.filter(group_id=obj.pk).select_related(
            "group__supplier", "actor_user", "actor_api_key"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Order", ordering="order__order_number")
    def order_link(self, obj):
        url = reverse("admin:commerce_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order.order_number)


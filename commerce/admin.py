"""Commerce in the admin: categories, product approval, orders and their supplier groups.

Every change goes through commerce.services: saving a form, approving or rejecting a
product, moving an order or a group. A move the lifecycle forbids is an error message on
the changelist, never a 500.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Coalesce, Concat, Lower
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from verso.errors import DomainError

from . import services, state
from .actors import Actor
from .models import Category, Order, OrderGroup, OrderItem, Product, ProductImage, StatusChange


def _cents(value: int | None) -> str:
    return "—" if value is None else f"{value / 100:,.2f}"


def _money_column(field: str, description: str, *, sortable: bool = False):
    """A read-only admin column showing the amount in cents ``field`` as money."""

    @admin.display(description=description, ordering=field if sortable else None)
    def column(self, obj):
        return _cents(getattr(obj, field))

    return column


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


class PendingApprovalFilter(admin.SimpleListFilter):
    title = "pending approval"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", "Waiting for approval")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(approval_status=Product.PENDING, deleted_at__isnull=True)
        return queryset


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


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "thumbnail", "is_primary", "position", "source_url", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


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
        PendingApprovalFilter, "approval_status", DeletedFilter, "is_active", "type",
        ("supplier", admin.RelatedOnlyFieldListFilter), ("category", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "sku", "slug"]
    list_select_related = ["supplier", "category"]
    readonly_fields = ["approval_status", "rejection_reason", "deleted_at", "created_at", "updated_at"]
    raw_id_fields = []
    inlines = [ProductImageInline]
    actions = ["approve_products", "reject_products", "soft_delete_products"]

    price_display = _money_column("price", "Price", sortable=True)

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
        done, failed = 0, []
        for product in queryset:
            try:
                call(product)
                done += 1
            except DomainError as exc:
                failed.append(f"{product.name}: {_error_text(exc)}")
        if done:
            self.message_user(request, f"{verb} {done} product(s).", messages.SUCCESS)
        for text in failed:
            self.message_user(request, text, messages.ERROR)

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
    fields = ["group_link", "supplier", "status", "subtotal_display", "created_at"]
    readonly_fields = fields

    subtotal_display = _money_column("subtotal_amount", "Subtotal")

    @admin.display(description="Group")
    def group_link(self, obj):
        url = reverse("admin:commerce_ordergroup_change", args=[obj.pk])
        return format_html('<a href="{}">#{}</a>', url, obj.pk)


class OrderItemInline(_ReadOnlyInline):
    model = OrderItem
    fields = ["product", "product_name", "sku", "unit_price_display", "quantity", "vat_rate", "tax_amount", "group"]
    readonly_fields = fields

    unit_price_display = _money_column("unit_price", "Unit price")


class StatusChangeInline(_ReadOnlyInline):
    model = StatusChange
    fk_name = "order"
    fields = ["created_at", "from_status", "to_status", "comment", "actor_user", "actor_api_key"]
    readonly_fields = fields
    verbose_name_plural = "status history"


class GroupStatusChangeInline(StatusChangeInline):
    fk_name = "group"


class OrderForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["tracking_number"]


def _transition_action(to_status: str, move, noun: str):
    """An admin action that moves each selected row to ``to_status`` through a service."""

    def action(modeladmin, request, queryset):
        actor = Actor.from_user(request.user)
        done, failed = 0, []
        for row in queryset.order_by("pk"):
            try:
                move(row, to_status, actor)
                done += 1
            except DomainError as exc:
                failed.append(f"{row}: {_error_text(exc)}")
        if done:
            modeladmin.message_user(request, f"Moved {done} {noun}(s) to '{to_status}'.", messages.SUCCESS)
        for text in failed:
            modeladmin.message_user(request, text, messages.ERROR)

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
    list_filter = ["status", "fulfillment_status", "created_at"]
    search_fields = ["order_number", "email", "tracking_number"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "order_number", "email", "status", "fulfillment_status", "subtotal_display", "discount_display",
        "tax_display", "shipping_display", "total_display", "currency", "shipping_address", "created_at",
        "updated_at",
    ]
    fields = readonly_fields[:3] + ["tracking_number"] + readonly_fields[3:]
    inlines = [OrderGroupInline, OrderItemInline, StatusChangeInline]
    actions = [_transition_action(target, _order_move, "order") for target in _ORDER_TARGETS]

    total_display = _money_column("total_amount", "Total", sortable=True)
    subtotal_display = _money_column("subtotal_amount", "Subtotal")
    discount_display = _money_column("discount_amount", "Discount")
    tax_display = _money_column("tax_amount", "VAT included")
    shipping_display = _money_column("shipping_amount", "Shipping")

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
    list_filter = ["status", ("supplier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["order__order_number", "supplier__name"]
    list_select_related = ["order", "supplier"]
    fields = ["order_link", "supplier", "status", "subtotal_display", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [OrderItemInline, GroupStatusChangeInline]
    actions = [_transition_action(target, _group_move, "order group") for target in _GROUP_TARGETS]

    subtotal_display = _money_column("subtotal_amount", "Subtotal", sortable=True)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Order", ordering="order__order_number")
    def order_link(self, obj):
        url = reverse("admin:commerce_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order.order_number)


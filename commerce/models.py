"""Catalogue (categories, products, images, approval history) and orders (orders, supplier groups,
items, history).

Rows here are written only by ``commerce.services``; invariants that must hold under
concurrency (stock never negative, one live SKU per supplier, one primary image) are
database constraints as well.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When

from verso.generations import TrackedQuerySet


def default_currency() -> str:
    return settings.VERSO_CURRENCY


class Category(models.Model):
    TYPE_FLOWER = "flower"
    TYPE_SUPPLY = "supply"
    TYPE_CHOICES = [(TYPE_FLOWER, "Flower"), (TYPE_SUPPLY, "Supply")]

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    type = models.CharField(max_length=10, choices=TYPE_CHOICES, default=TYPE_FLOWER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedQuerySet.as_manager()  # set-based writes bump the cache generation

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class Product(models.Model):
    TYPE_CHOICES = Category.TYPE_CHOICES

    UNIT_CHOICES = [
        (u, u) for u in ["stem", "bunch", "box", "pack", "piece", "kilogram", "meter", "roll"]
    ]

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    APPROVAL_CHOICES = [(PENDING, "Pending"), (APPROVED, "Approved"), (REJECTED, "Rejected")]

    IN_STOCK = "in_stock"
    LOW_STOCK = "low_stock"
    OUT_OF_STOCK = "out_of_stock"

    # Null supplier: the marketplace operator's own product.
    supplier = models.ForeignKey(
        "supplier.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, db_index=True)
    sku = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=10, choices=TYPE_CHOICES, default=Category.TYPE_FLOWER)
    unit = models.CharField(max_length=10, choices=UNIT_CHOICES, default="piece")
    price = models.IntegerField(help_text="Price in cents, VAT included.")
    compare_at_price = models.IntegerField(null=True, blank=True, help_text="Cents; the 'was' price.")
    stock_qty = models.IntegerField(default=0)
    min_order_qty = models.PositiveIntegerField(default=1)
    low_stock_threshold = models.PositiveIntegerField(default=10)
    color = models.CharField(max_length=50, blank=True)
    stem_length = models.PositiveIntegerField(null=True, blank=True, help_text="Centimetres.")
    country_of_origin = models.CharField(max_length=100, blank=True)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("21.00"), help_text="Percent.")
    is_digital = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    approval_status = models.CharField(max_length=10, choices=APPROVAL_CHOICES, default=PENDING, db_index=True)
    rejection_reason = models.TextField(blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedQuerySet.as_manager()  # set-based writes bump the cache generation

    class Meta:
        ordering = ["-created_at", "-id"]
        # Moderation is its own job (the Catalogue moderator role), apart from editing products.
        permissions = [("approve_product", "Can approve or reject products")]
        # The lists' default order over live products: pages read straight off the index.
        indexes = [
            models.Index(
                fields=["-created_at", "-id"], condition=Q(deleted_at__isnull=True), name="product_live_newest_first"
            ),
            # The admin home's queues (verso.tiles) count these small indexes instead of reading
            # the catalogue; their changelists list straight off them in the default order.
            models.Index(
                fields=["-created_at", "-id"], condition=Q(approval_status="pending", deleted_at__isnull=True),
                name="product_awaiting_approval",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(deleted_at__isnull=True, is_active=True, approval_status="approved",
                            stock_qty__lte=models.F("low_stock_threshold")),
                name="product_low_stock",
            ),
            # A supplier's own list (Supplier API, portal): its page, or the ids of a deep
            # page's offset, read off this index alone.
            models.Index(
                fields=["supplier", "-created_at", "-id"], condition=Q(deleted_at__isnull=True),
                name="product_supplier_live_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "sku"],
                condition=Q(deleted_at__isnull=True, supplier__isnull=False) & ~Q(sku=""),
                name="product_sku_unique_per_supplier",
            ),
            # NULL suppliers never collide in a unique index, so the operator's own
            # products need their own rule.
            models.UniqueConstraint(
                fields=["sku"],
                condition=Q(deleted_at__isnull=True, supplier__isnull=True) & ~Q(sku=""),
                name="product_sku_unique_operator",
            ),
            models.CheckConstraint(condition=Q(stock_qty__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="product_compare_at_price_not_negative",
            ),
            models.CheckConstraint(condition=Q(min_order_qty__gte=1), name="product_min_order_qty_positive"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="product_vat_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stock_status(self) -> str:
        return stock_status_of(self.stock_qty, self.low_stock_threshold)

    @property
    def is_orderable(self) -> bool:
        return self.approval_status == self.APPROVED and self.is_active and self.deleted_at is None


# stock_status twice, kept in step: in Python for a row in hand (representations, admin),
# in SQL for the list filter.
def stock_status_of(stock_qty: int, low_stock_threshold: int) -> str:
    if stock_qty <= 0:
        return Product.OUT_OF_STOCK
    if stock_qty <= low_stock_threshold:
        return Product.LOW_STOCK
    return Product.IN_STOCK


def stock_status_expression():
    """``stock_status`` in SQL, for the ``stock_status`` list filter."""
    return Case(
        When(stock_qty__lte=0, then=Value(Product.OUT_OF_STOCK)),
        When(stock_qty__lte=models.F("low_stock_threshold"), then=Value(Product.LOW_STOCK)),
        default=Value(Product.IN_STOCK),
        output_field=models.CharField(),
    )


class ApprovalChange(models.Model):
    """One row per change of a product's approval status: who, from, to, why, when.

    Kept from the moment it was added; a product older than that shows only its creation.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="approval_changes")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    reason = models.TextField(blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "api.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ProductImage(models.Model):
    MAX_PER_PRODUCT = 10

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(upload_to="products/thumbs/%Y/%m/", blank=True)
    is_primary = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    source_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrackedQuerySet.as_manager()  # set-based writes bump the cache generation

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_primary=True), name="product_one_primary_image"
            ),
        ]

    def __str__(self) -> str:
        return f"Image {self.pk} of {self.product_id}"


class OrderNumberCounter(models.Model):
    """The last order number handed out per year; its row is locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Order(models.Model):
    PENDING = "pending"
    PAID = "paid"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    STATUS_CHOICES = [
        (s, s.capitalize()) for s in [PENDING, PAID, PROCESSING, SHIPPED, DELIVERED, COMPLETED, CANCELLED, REFUNDED]
    ]

    # Fulfilment rolls up from the order's supplier groups (commerce.state.fulfillment_of).
    UNFULFILLED = "unfulfilled"
    PARTIALLY_SHIPPED = "partially_shipped"
    FULFILLMENT_SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    FULFILLMENT_DELIVERED = "delivered"
    FULFILLMENT_CANCELLED = "cancelled"
    FULFILLMENT_CHOICES = [
        (s, s.replace("_", " ").capitalize())
        for s in [UNFULFILLED, PARTIALLY_SHIPPED, "shipped", PARTIALLY_DELIVERED, "delivered", "cancelled"]
    ]

    order_number = models.CharField(max_length=20, unique=True)
    email = models.EmailField()
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    subtotal_amount = models.IntegerField(default=0)
    discount_amount = models.IntegerField(default=0)
    tax_amount = models.IntegerField(default=0, help_text="VAT contained in the subtotal.")
    shipping_amount = models.IntegerField(default=0)
    total_amount = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default=default_currency)
    shipping_address = models.JSONField(default=dict, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    fulfillment_status = models.CharField(max_length=20, choices=FULFILLMENT_CHOICES, default=UNFULFILLED)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="order_newest_first")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal_amount__gte=0) & Q(discount_amount__gte=0) & Q(tax_amount__gte=0)
                & Q(shipping_amount__gte=0) & Q(total_amount__gte=0),
                name="order_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.order_number


class OrderGroup(models.Model):
    """One supplier's portion of an order (the operator's own products: supplier NULL)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (s, s.capitalize()) for s in [PENDING, CONFIRMED, PROCESSING, SHIPPED, DELIVERED, COMPLETED, CANCELLED]
    ]

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="groups")
    supplier = models.ForeignKey(
        "supplier.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="order_groups"
    )
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    subtotal_amount = models.IntegerField(default=0)
    # When the supplier first opened it in the portal; NULL is "new" (the Orders menu's badge).
    # Written once (the first open), never again: no write per page view.
    supplier_opened_at = models.DateTimeField(null=True, blank=True)
    # The sums of the items' commission snapshots (settlement.rates); empty for the operator's
    # own group, which owes no one anything.
    commission_amount = models.IntegerField(null=True, blank=True, help_text="Cents: the marketplace's share.")
    net_amount = models.IntegerField(null=True, blank=True, help_text="Cents: the supplier's share.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The badge's count reads only the few unopened groups of one supplier.
            models.Index(fields=["supplier"], condition=Q(supplier_opened_at__isnull=True),
                         name="order_group_unopened_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "supplier"], name="order_group_one_per_supplier"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(supplier__isnull=True), name="order_group_one_for_operator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} / {self.supplier or 'operator'}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    group = models.ForeignKey(OrderGroup, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    # Snapshots: what the customer bought, whatever the catalogue says later.
    product_name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, blank=True)
    unit_price = models.IntegerField()
    quantity = models.PositiveIntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax_amount = models.IntegerField(default=0, help_text="VAT contained in this line.")
    # Commission snapshot at placement (settlement.rates): a later rate change never alters
    # it. Empty for the operator's own products.
    commission_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                          help_text="Percent, as it applied when the order was placed.")
    commission_amount = models.IntegerField(null=True, blank=True, help_text="Cents, rounded half up.")
    net_amount = models.IntegerField(null=True, blank=True, help_text="Cents: the line's total less commission.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class StatusChange(models.Model):
    """One row per status change of an order or of a supplier group: who, from, to, why, when."""

    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="status_changes")
    group = models.ForeignKey(
        OrderGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    comment = models.TextField(blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "api.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(order__isnull=False) & Q(group__isnull=True))
                | (Q(order__isnull=True) & Q(group__isnull=False)),
                name="status_change_order_xor_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


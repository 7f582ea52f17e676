"""The demo data multiplied: copies of every supplier, product, order (with its groups and items),
lead and appointment, written in bulk, so a page can be measured at ten times the demo's size."""
from django.db.models import Model

from commerce.models import Order, OrderGroup, OrderItem, Product
from crm.models import Lead
from scheduling.models import Appointment
from supplier.models import Supplier


def _clone(row: Model, **changes) -> Model:
    model = type(row)
    return model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
                 | changes)


def _copies(model: type[Model], rows: list, times: int, change) -> list:
    made = []
    for n in range(1, times):
        for row in rows:
            copy = _clone(row)
            change(copy, n)
            made.append(copy)
    return model.objects.bulk_create(made, batch_size=1000)


def multiply_demo_data(*, times: int) -> None:
    """Make ``times`` as many rows of each kind as there are now (copies keep their statuses and dates)."""
    suppliers = list(Supplier.objects.all())

    def supplier_copy(s, n):
        s.slug = f"{s.slug}-x{n}"

    _copies(Supplier, suppliers, times, supplier_copy)

    def product_copy(p, n):
        p.slug, p.sku = f"{p.slug}-x{n}", f"{p.sku}-x{n}" if p.sku else ""

    _copies(Product, list(Product.objects.all()), times, product_copy)
    orders = list(Order.objects.prefetch_related("groups__items"))
    for n in range(1, times):
        copies = Order.objects.bulk_create([_clone(o, order_number=f"{o.order_number}-x{n}") for o in orders])
        groups, items = [], []
        for original, copy in zip(orders, copies, strict=True):
            for group in original.groups.all():
                groups.append((group, OrderGroup(order=copy, supplier_id=group.supplier_id, status=group.status,
                                                 subtotal_amount=group.subtotal_amount)))
        OrderGroup.objects.bulk_create([g for _, g in groups])
        for group, copy in groups:
            for item in group.items.all():
                items.append(OrderItem(
                    order=copy.order, group=copy, product_id=item.product_id, product_name=item.product_name,
                    sku=item.sku, unit_price=item.unit_price, quantity=item.quantity, vat_rate=item.vat_rate,
                    tax_amount=item.tax_amount,
                ))
        OrderItem.objects.bulk_create(items)
    _copies(Lead, list(Lead.objects.all()), times, lambda lead, n: None)
    # Copies have no estimator: an estimator never holds two overlapping appointments.
    _copies(Appointment, list(Appointment.objects.all()), times,
            lambda a, n: setattr(a, "estimator_id", None))

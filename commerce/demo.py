"""Demo catalogue and orders, all made through commerce.services (so groups and history exist).

A category tree, ~200 products across the demo suppliers and the operator in every
approval state and stock level, and ~50 orders in every status. Deterministic; skipped
when the catalogue already has data.
"""
import datetime as dt
import random

from django.db.models import F

from supplier.models import Supplier

from . import services
from .actors import Actor
from .models import Category, Order, OrderGroup, Product, StatusChange

CATEGORY_TREE = {
    ("Flowers", "flower"): {
        "Roses": ["Red Naomi", "Avalanche", "Freedom", "Explorer", "Pink Floyd", "Sweetness", "Vendela", "Mondial"],
        "Tulips": ["Strong Gold", "Purple Prince", "White Dream", "Queen of Night", "Apricot Parrot", "Ballerina"],
        "Lilies": ["Stargazer", "Casa Blanca", "Conca d'Or", "Zambesi", "Tiber"],
        "Chrysanthemums": ["Baltica", "Antonov", "Pompon Yellow", "Santini Mix", "Spider White"],
        "Carnations": ["Moonlight", "Don Pedro", "Hermosa", "Prado Mint", "Cherry Tessino"],
        "Gerberas": ["Pink Explosion", "Kimsey", "Red Zone", "Mini Mix"],
        "Orchids": ["Cymbidium Green", "Phalaenopsis White", "Vanda Blue", "Dendrobium Sonia"],
        "Peonies": ["Sarah Bernhardt", "Coral Charm", "Duchesse de Nemours", "Red Charm"],
        "Hydrangeas": ["Blue Classic", "White Magical", "Pink Verena", "Green Shamrock"],
        "Sunflowers": ["Sunrich Orange", "Teddy Bear", "Vincent Choice"],
        "Greenery": ["Eucalyptus Cinerea", "Ruscus", "Pistache", "Salal Tips", "Asparagus Fern"],
    },
    ("Supplies", "supply"): {
        "Vases": ["Cylinder Glass 30cm", "Bud Vase", "Fishbowl 20cm", "Ceramic Urn", "Trumpet Vase 40cm"],
        "Ribbons": ["Satin Ivory 25mm", "Organza Gold", "Jute Twine", "Velvet Burgundy"],
        "Wrapping": ["Kraft Paper Roll", "Cellophane Clear", "Tissue White", "Korean Wrap Pastel"],
        "Floral Foam": ["Wet Foam Brick", "Dry Foam Brick", "Foam Ring 30cm"],
        "Tools": ["Stem Cutter", "Floral Knife", "Thorn Stripper", "Pin Holder"],
        "Boxes": ["Hat Box Round", "Kraft Gift Box", "Acrylic Box Square"],
    },
}

FLOWER_COLORS = ["red", "white", "pink", "yellow", "orange", "purple", "mixed", "green"]
FLOWER_UNITS = ["stem", "bunch", "box"]
SUPPLY_UNITS = {"Ribbons": "roll", "Wrapping": "roll", "Floral Foam": "pack"}
ORIGINS = {"bloom-stem": "Netherlands", "tulip-fields": "Netherlands", "andes-roses": "Ecuador", None: "Kenya"}
ORDER_COUNT = 50
CUSTOMERS = ["alice", "bob", "carmen", "dmitri", "emma", "farid", "greta", "hugo", "ines", "jan", "kofi", "lena"]
CITIES = [("Amsterdam", "NH", "1012 AB", "NL"), ("Rotterdam", "ZH", "3011 AA", "NL"),
          ("Berlin", "BE", "10115", "DE"), ("Paris", "IDF", "75001", "FR"), ("Madrid", "MD", "28001", "ES")]

# Where each demo order ends up: the order's path, and whether its groups move with it.
ORDER_PATHS = [
    [],
    ["paid"],
    ["paid", "processing"],
    ["paid", "shipped"],
    ["paid", "processing", "shipped", "delivered"],
    ["paid", "shipped", "delivered", "completed"],
    ["cancelled"],
    ["paid", "cancelled"],
    ["paid", "refunded"],
    ["paid", "shipped", "delivered", "completed", "refunded"],
]
GROUP_PATH_FOR = {
    "processing": ["confirmed", "processing"],
    "shipped": ["confirmed", "processing", "shipped"],
    "delivered": ["confirmed", "processing", "shipped", "delivered"],
    "completed": ["confirmed", "processing", "shipped", "delivered", "completed"],
    "refunded": ["confirmed", "processing", "shipped", "delivered"],
}


def _categories() -> dict[str, Category]:
    by_name = {}
    for (top_name, kind), children in CATEGORY_TREE.items():
        top = services.category_create(name=top_name, type=kind)
        by_name[top_name] = top
        for child in children:
            by_name[child] = services.category_create(name=child, parent_id=top.pk)
    return by_name


def _products(rng: random.Random, categories: dict[str, Category], suppliers: list[Supplier | None]) -> list[Product]:
    staff = Actor.system()
    made = []
    counter = 0
    for (_top, kind), children in CATEGORY_TREE.items():
        for child, names in children.items():
            for name in names:
                sellers = rng.sample(suppliers, k=2 if kind == "flower" else 1)
                if kind == "flower" and rng.random() < 0.6:
                    sellers = suppliers[:]  # popular lines: everyone sells them
                for seller in sellers:
                    counter += 1
                    slug = seller.slug if seller else None
                    if kind == "flower":
                        unit = rng.choice(FLOWER_UNITS)
                        price = {"stem": rng.randint(40, 350), "bunch": rng.randint(600, 2500),
                                 "box": rng.randint(4000, 15000)}[unit]
                        extra = {"color": rng.choice(FLOWER_COLORS), "stem_length": rng.choice([40, 50, 60, 70, 80]),
                                 "vat_rate": "9", "min_order_qty": 10 if unit == "stem" else 1}
                    else:
                        unit = SUPPLY_UNITS.get(child, "piece")
                        price = rng.randint(150, 4500)
                        extra = {"vat_rate": "21", "min_order_qty": 1}
                    stock = rng.choice([0, 3, 8, 25, 60, 150, 400, 1000])
                    sku = f"{(slug or 'op')[:3].upper()}-{child[:3].upper()}-{counter:04d}"
                    fields = dict(
                        sku=sku, description=f"{name} ({child.lower()}), sold per {unit}.", type=kind, unit=unit,
                        stock_qty=stock, low_stock_threshold=10, country_of_origin=ORIGINS[slug],
                        category_id=categories[child].pk, is_digital=False,
                        compare_at_price=price + price // 5 if rng.random() < 0.15 else None, **extra,
                    )
                    roll = rng.random()
                    if seller is not None and roll < 0.22:
                        # Submitted by the supplier: waits for approval (some get rejected).
                        actor = Actor.supplier(seller.pk)
                        product = services.product_create(actor=actor, name=name, price=price, **fields)
                        if roll < 0.07:
                            product = services.product_reject(
                                product=product, actor=staff, reason="Photos missing; please add at least one."
                            )
                    else:
                        product = services.product_create(
                            actor=staff, name=name, price=price, supplier_id=seller.pk if seller else None, **fields
                        )
                        if rng.random() < 0.05:
                            product = services.product_update(product=product, actor=staff,
                                                              changes={"is_active": False})
                    made.append(product)
    # A gift card: the operator's one digital product.
    made.append(services.product_create(
        actor=staff, name="Gift Card €25", price=2500, sku="OP-GIFT-25", type="supply", unit="piece",
        stock_qty=10_000, is_digital=True, vat_rate="0", description="A digital gift card, sent by email.",
        category_id=categories["Supplies"].pk,
    ))
    return made


def _orders(rng: random.Random, stdout) -> int:
    staff = Actor.system()
    placed = 0
    for n in range(ORDER_COUNT):
        sellable = list(
            Product.objects.filter(
                approval_status=Product.APPROVED, is_active=True, deleted_at__isnull=True, stock_qty__gte=20,
            ).values("id", "min_order_qty")
        )
        if not sellable:
            break
        lines = rng.sample(sellable, k=min(len(sellable), rng.randint(1, 4)))
        customer = CUSTOMERS[n % len(CUSTOMERS)]
        city, region, postal, country = rng.choice(CITIES)
        order = services.order_place(
            email=f"{customer}{n}@example.com",
            items=[{"product_id": line["id"], "quantity": max(line["min_order_qty"], rng.randint(1, 5))}
                   for line in lines],
            shipping_address={"line1": f"{rng.randint(1, 300)} Canal Street", "city": city, "state": region,
                              "postal_code": postal, "country": country},
            actor=staff,
        )
        placed += 1
        path = ORDER_PATHS[n % len(ORDER_PATHS)]
        for step in path:
            groups_to = GROUP_PATH_FOR.get(step)
            if groups_to and step != "refunded":
                for group in OrderGroup.objects.filter(order=order).exclude(status=OrderGroup.CANCELLED):
                    for target in groups_to:
                        group.refresh_from_db()
                        if target in _allowed(group):
                            services.order_group_transition(group=group, to_status=target, actor=staff)
            order.refresh_from_db()
            services.order_transition(order=order, to_status=step, actor=staff, comment="Demo data")
        if n % 7 == 3 and order.status in (Order.PAID, Order.PROCESSING):
            # One supplier of a multi-supplier order could not deliver.
            groups = list(OrderGroup.objects.filter(order=order, status=OrderGroup.PENDING))
            if len(groups) > 1:
                services.order_group_transition(group=groups[0], to_status=OrderGroup.CANCELLED, actor=staff,
                                                comment="Out of stock at the supplier")
        if order.status in (Order.SHIPPED, Order.DELIVERED, Order.COMPLETED):
            services.order_update(order=order, actor=staff, tracking_number=f"1Z999AA1{rng.randint(10**9, 10**10)}")
    _spread_over_the_last_month()
    # History, not news: a group that moved on was seen by its supplier; only pending ones
    # light up the portal's "new" badge.
    seen = OrderGroup.objects.filter(supplier__isnull=False).exclude(status=OrderGroup.PENDING)
    for group_id, supplier_id in seen.values_list("id", "supplier_id"):
        services.order_group_mark_opened(group_id=group_id, actor=Actor.supplier(supplier_id))
    return placed


def _spread_over_the_last_month() -> None:
    """Move each demo order (its groups and history with it) back in time, the first ones
    furthest, up to a month: the admin home then has numbers per period and stuck work to show."""
    orders = list(Order.objects.order_by("pk").values_list("pk", flat=True))
    for n, order_id in enumerate(orders):
        back = dt.timedelta(hours=14 * (len(orders) - 1 - n))
        Order.objects.filter(pk=order_id).update(created_at=F("created_at") - back)
        OrderGroup.objects.filter(order_id=order_id).update(created_at=F("created_at") - back)
        StatusChange.objects.filter(order_id=order_id).update(created_at=F("created_at") - back)
        StatusChange.objects.filter(group__order_id=order_id).update(created_at=F("created_at") - back)


def _allowed(group: OrderGroup) -> list[str]:
    from .state import group_allowed_targets

    return group_allowed_targets(group.status, staff=True)


def seed(stdout) -> None:
    """Idempotent: does nothing when its data is already there."""
    if Category.objects.exists() or Product.objects.exists():
        return
    rng = random.Random(2026)
    suppliers: list[Supplier | None] = list(
        Supplier.objects.filter(slug__in=["bloom-stem", "tulip-fields", "andes-roses"]).order_by("slug")
    )
    suppliers.append(None)  # the operator's own products
    categories = _categories()
    products = _products(rng, categories, suppliers)
    orders = _orders(rng, stdout)
    stdout.write(f"Commerce: {len(categories)} categories, {len(products)} products, {orders} orders.")

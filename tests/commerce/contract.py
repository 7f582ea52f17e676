"""The staff contract's examples for products and orders, and a key-for-key, type-for-type check."""

ORDER_LIST_ITEM = {
    "id": 101,
    "order_number": "ORD-2024-0101",
    "status": "paid",
    "total_amount": 2999,
    "currency": "usd",
    "email": "customer@example.com",
    "tracking_number": None,
    "created_at": "2024-12-01T12:30:00Z",
    "items_count": 2,
}

ORDER_DETAIL = {
    "id": 101,
    "order_number": "ORD-2024-0101",
    "status": "paid",
    "total_amount": 2999,
    "subtotal_amount": 2999,
    "discount_amount": 0,
    "tax_amount": 0,
    "shipping_amount": 0,
    "currency": "usd",
    "email": "customer@example.com",
    "tracking_number": None,
    "shipping_address": {
        "line1": "123 Main St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "country": "US",
    },
    "items": [{"id": 1, "product_id": 10, "product_name": "Premium Widget", "quantity": 2, "unit_price": 1499}],
    "created_at": "2024-12-01T12:30:00Z",
}

PRODUCT = {
    "id": 10,
    "name": "Premium Widget",
    "slug": "premium-widget",
    "description": "A high-quality widget for professionals",
    "price": 4999,
    "compare_at_price": None,
    "inventory_count": 50,
    "is_digital": False,
    "is_active": True,
    "category_id": 3,
}

PAGINATION = {"page": 1, "per_page": 25, "total": 150, "pages": 6}

# Fields the contract shows as null that hold a value when there is one.
NULLABLE = {"tracking_number": str, "compare_at_price": int, "category_id": int}


def assert_matches_contract(actual, example, path: str = "$") -> None:
    """Every key of the example is present with a value of the same JSON type (recursively)."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        missing = set(example) - set(actual)
        assert not missing, f"{path}: missing keys {sorted(missing)}"
        for key, value in example.items():
            sub = f"{path}.{key}"
            if actual[key] is None and (value is None or key in NULLABLE):
                continue
            if value is None:
                assert isinstance(actual[key], NULLABLE[key]), f"{sub}: {actual[key]!r}"
                continue
            assert_matches_contract(actual[key], value, sub)
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{path}: expected a list"
        for index, item in enumerate(actual):
            assert_matches_contract(item, example[0], f"{path}[{index}]")
    elif isinstance(example, bool):
        assert isinstance(actual, bool), f"{path}: expected a boolean, got {actual!r}"
    elif isinstance(example, int):
        assert isinstance(actual, int) and not isinstance(actual, bool), f"{path}: expected an integer, got {actual!r}"
    elif isinstance(example, str):
        assert isinstance(actual, str), f"{path}: expected a string, got {actual!r}"
        if example.endswith("Z") and example[4:5] == "-" and "T" in example:
            assert len(actual) == len(example) and actual.endswith("Z"), f"{path}: timestamp {actual!r}"

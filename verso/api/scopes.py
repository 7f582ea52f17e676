"""The registry of Staff API scopes (the staff contract's table, in its order)."""

SCOPES: dict[str, str] = {
    "read:leads": "View contact form submissions",
    "write:leads": "Create and update leads",
    "read:orders": "View orders",
    "write:orders": "Update order status",
    "read:products": "View product catalog",
    "write:products": "Create and update products",
    "read:appointments": "View appointments",
    "write:appointments": "Create and update appointments",
    "manage:webhooks": "Configure outbound webhooks",
    "read:settlements": "View commission settlement statements",
}
ALL_SCOPES: list[str] = list(SCOPES)
SCOPE_CHOICES = [(scope, f"{scope} — {label}") for scope, label in SCOPES.items()]

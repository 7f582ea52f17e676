"""Demo suppliers, each with a portal login (password: verso-demo)."""
from .models import Supplier
from .services import supplier_add_portal_user, supplier_create

DEMO_PASSWORD = "verso-demo"
DEMO_SUPPLIERS = [
    # (name, slug, portal username, country, verified)
    ("Bloom & Stem", "bloom-stem", "bloom", "Netherlands", True),
    ("Tulip Fields Co.", "tulip-fields", "tulip", "Netherlands", True),
    ("Andes Roses", "andes-roses", "andes", "Ecuador", False),
]


def seed(stdout) -> None:
    for name, slug, username, country, verified in DEMO_SUPPLIERS:
        if Supplier.objects.filter(slug=slug).exists():
            continue
        supplier = supplier_create(
            name=name, slug=slug, email=f"{username}@example.com", country=country, verified=verified
        )
        supplier_add_portal_user(
            supplier=supplier, username=username, password=DEMO_PASSWORD, email=f"{username}@example.com"
        )
        stdout.write(f"Supplier {name}: portal login {username} / {DEMO_PASSWORD}")

"""Commerce test helpers: placing orders through the real service, a logged-in admin."""
import pytest

from commerce import services
from commerce.actors import Actor
from commerce.models import Order

ADDRESS = {"line1": "123 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"}


@pytest.fixture
def place_order(db):
    """place_order((product, qty), ...) -> Order, placed through commerce.services.order_place."""

    def place(*lines, email: str = "customer@example.com", actor: Actor | None = None) -> Order:
        return services.order_place(
            email=email,
            items=[{"product_id": product.pk, "quantity": quantity} for product, quantity in lines],
            shipping_address=ADDRESS,
            actor=actor or Actor.system(),
        )

    return place


@pytest.fixture
def staff_actor() -> Actor:
    return Actor.system()

"""/portal/orders/: the supplier's order groups, their detail, status moves and the "new" badge."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce import services as commerce
from commerce.actors import Actor
from commerce.models import OrderGroup, StatusChange
from tests.factories import ProductFactory
from tests.helpers import queries_for

from .portal_helpers import portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    return portal_client()


@pytest.fixture
def my_group(me, place_order):
    """An order of my tulips and another supplier's rose: my group."""
    tulip = ProductFactory(supplier=me.supplier, name="Yellow tulip", sku="TUL-Y", price=125)
    order = place_order((tulip, 8), (ProductFactory(name="Their rose"), 1), email="shop@buyer.example")
    return order.groups.get(supplier=me.supplier)


def badge(page: str) -> str | None:
    found = re.search(r'<span class="badge"[^>]*>(\d+)<span class="visually-hidden"> new', page)
    return found.group(1) if found else None


def move(client, group, status: str, comment: str = ""):
    return client.post(f"/portal/orders/{group.pk}/", {"status": status, "comment": comment}, follow=True)


def test_the_list_shows_my_groups_with_a_status_filter(me, my_group, place_order):
    other = place_order((ProductFactory(supplier=me.supplier), 1)).groups.get()
    commerce.order_group_transition(group=other, to_status="confirmed", actor=Actor.supplier(me.supplier.pk))
    page = me.get("/portal/orders/").content.decode()
    assert my_group.order.order_number in page and other.order.order_number in page
    assert "shop@buyer.example" in page
    confirmed = me.get("/portal/orders/?status=confirmed").content.decode()
    assert other.order.order_number in confirmed and my_group.order.order_number not in confirmed


def test_a_bad_status_filter_shows_every_order(me, my_group):
    assert my_group.order.order_number in me.get("/portal/orders/?status=nonsense").content.decode()


def test_the_detail_shows_my_items_customer_address_and_only_the_allowed_moves(me, my_group):
    page = me.get(f"/portal/orders/{my_group.pk}/").content.decode()
    assert "Yellow tulip" in page and "TUL-Y" in page and "€10.00" in page  # 8 × 1.25
    assert "Their rose" not in page
    assert "shop@buyer.example" in page and "123 Main St" in page and "Springfield" in page
    assert re.findall(r'name="status" value="(\w+)"', page) == ["confirmed", "cancelled"]
    assert '<label for="id_comment">Comment' in page


def test_confirming_and_shipping_records_the_history_with_the_comment(me, my_group):
    move(me, my_group, "confirmed")
    move(me, my_group, "processing")
    page = move(me, my_group, "shipped", "Tracking 3SABC123").content.decode()
    assert "is now shipped" in page
    assert re.findall(r'name="status" value="(\w+)"', page) == ["delivered"]
    assert "Tracking 3SABC123" in page
    changes = StatusChange.objects.filter(group=my_group).order_by("id")
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("pending", "confirmed"), ("confirmed", "processing"), ("processing", "shipped")]
    assert changes.last().comment == "Tracking 3SABC123"
    assert changes.last().actor_user_id == me.user.pk


def test_a_refused_move_shows_the_error_and_changes_nothing(me, my_group):
    # a stale page (or a forged post) asks for a move the state machine refuses
    page = move(me, my_group, "shipped").content.decode()
    assert (f"Cannot move order group {my_group.pk} from &#x27;pending&#x27; to &#x27;shipped&#x27;. "
            "Allowed: confirmed, cancelled.") in page
    my_group.refresh_from_db()
    assert my_group.status == "pending"


def test_groups_of_a_cancelled_order_offer_no_moves(me, my_group):
    commerce.order_transition(order=my_group.order, to_status="cancelled", actor=Actor.system())
    page = me.get(f"/portal/orders/{my_group.pk}/").content.decode()
    assert 'name="status"' not in page
    assert "can no longer be changed" in page


def test_a_too_long_comment_is_refused_beside_the_field_and_kept(me, my_group):
    response = me.post(f"/portal/orders/{my_group.pk}/", {"status": "confirmed", "comment": "x" * 2001})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters" in page
    my_group.refresh_from_db()
    assert my_group.status == "pending"


# --- the "new" badge --------------------------------------------------------------------------


def test_a_new_group_shows_the_badge_until_i_open_it(me, my_group, place_order):
    place_order((ProductFactory(supplier=me.supplier), 1))
    assert badge(me.get("/portal/orders/").content.decode()) == "2"
    assert badge(me.get(f"/portal/orders/{my_group.pk}/").content.decode()) == "1"  # this one is opened now
    assert badge(me.get("/portal/").content.decode()) == "1"
    my_group.refresh_from_db()
    assert my_group.supplier_opened_at is not None


def test_opening_a_group_again_writes_nothing(me, my_group):
    me.get(f"/portal/orders/{my_group.pk}/")
    opened = OrderGroup.objects.get(pk=my_group.pk).supplier_opened_at
    with CaptureQueriesContext(connection) as captured:
        me.get(f"/portal/orders/{my_group.pk}/")
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert OrderGroup.objects.get(pk=my_group.pk).supplier_opened_at == opened


# --- queries ----------------------------------------------------------------------------------


def test_the_list_runs_the_same_number_of_queries_for_1_or_20_groups(me, place_order):
    tulip = ProductFactory(supplier=me.supplier, stock_qty=1000)
    place_order((tulip, 1))
    one = queries_for(me, "/portal/orders/")
    for _ in range(25):
        place_order((tulip, 1))
    assert queries_for(me, "/portal/orders/") == one


# --- tenancy ----------------------------------------------------------------------------------


def test_another_suppliers_group_is_404_by_get_and_post_and_is_not_moved_or_opened(my_group):
    stranger = portal_client()
    assert stranger.get(f"/portal/orders/{my_group.pk}/").status_code == 404
    assert stranger.post(f"/portal/orders/{my_group.pk}/", {"status": "cancelled"}).status_code == 404
    my_group.refresh_from_db()
    assert (my_group.status, my_group.supplier_opened_at) == ("pending", None)
    assert my_group.order.order_number not in stranger.get("/portal/orders/").content.decode()


def test_the_operators_own_group_is_404_too(me, place_order):
    group = place_order((ProductFactory(supplier=None), 1)).groups.get()
    assert me.get(f"/portal/orders/{group.pk}/").status_code == 404

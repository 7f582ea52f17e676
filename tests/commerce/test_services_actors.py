"""Who acts: every actor says its kind, so nothing is staff by default; a logged-in user is
staff only if is_staff, else their supplier, else nobody (refused); keys act as their kind."""
import pytest
from django.contrib.auth.models import AnonymousUser

from commerce import services
from commerce.actors import Actor
from commerce.models import Order, Product, StatusChange
from tests.commerce.conftest import ADDRESS
from tests.factories import MembershipFactory, ProductFactory, SupplierFactory, UserFactory
from verso.api import keys
from verso.api.services import api_key_create
from verso.errors import Forbidden, NotFound
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["a login without a supplier", "an anonymous visitor"])
def test_a_user_who_is_neither_staff_nor_a_supplier_member_cannot_approve_a_product(who):
    # given
    user = UserFactory() if who == "a login without a supplier" else AnonymousUser()
    product = ProductFactory(approval_status=Product.PENDING)
    # when / then
    with pytest.raises(Forbidden) as refused:
        services.product_approve(product=product, actor=Actor.from_user(user))
    assert (refused.value.status_code, refused.value.code) == (403, "FORBIDDEN")
    product.refresh_from_db()
    assert product.approval_status == Product.PENDING
    assert not Event.objects.exists()


def test_a_user_who_is_neither_staff_nor_a_supplier_member_cannot_create_a_product():
    with pytest.raises(Forbidden):
        services.product_create(actor=Actor.from_user(UserFactory()), name="Rose", price=100)
    assert not Product.objects.exists()


def test_a_supplier_members_login_acts_for_its_own_supplier_and_cannot_approve():
    # given
    membership, other = MembershipFactory(), SupplierFactory()
    actor = Actor.from_user(membership.user)
    # when
    product = services.product_create(actor=actor, name="Rose", price=100, supplier_id=other.pk)
    # then
    assert (product.supplier_id, product.approval_status) == (membership.supplier_id, Product.PENDING)
    with pytest.raises(NotFound):
        services.product_approve(product=product, actor=actor)
    product.refresh_from_db()
    assert product.approval_status == Product.PENDING


def test_a_staff_login_acts_as_staff_even_if_it_also_belongs_to_a_supplier():
    membership, other = MembershipFactory(user__is_staff=True), SupplierFactory()
    product = services.product_create(
        actor=Actor.from_user(membership.user), name="Rose", price=100, supplier_id=other.pk
    )
    assert (product.supplier_id, product.approval_status) == (other.pk, Product.APPROVED)


@pytest.mark.parametrize("fields", [{}, {"user_id": 1}, {"api_key_id": 1}, {"supplier_id": None}])
def test_an_actor_that_does_not_say_its_kind_cannot_be_made(fields):
    # an Actor built by hand used to count as staff whenever it named no supplier
    with pytest.raises(TypeError):
        Actor(**fields)


@pytest.mark.parametrize("fields", [
    {"kind": "admin"},
    {"kind": "supplier"},
    {"kind": "staff", "supplier_id": 1},
    {"kind": "system", "supplier_id": 1},
    {"kind": "system", "user_id": 1},
    {"kind": "system", "api_key_id": 1},
])
def test_an_actor_whose_fields_contradict_its_kind_cannot_be_made(fields):
    with pytest.raises(ValueError):
        Actor(**fields)


def test_staff_and_the_system_have_staff_powers_and_a_supplier_has_not():
    assert Actor(kind="staff", user_id=1).is_staff and Actor.system().is_staff
    supplier = Actor.supplier(7, user_id=1)
    assert (supplier.is_staff, supplier.is_supplier, supplier.supplier_id) == (False, True, 7)


def test_api_keys_act_as_their_kind_and_never_as_the_system():
    # given a Staff API key and a Supplier API key, as a request's authentication sees them
    supplier = SupplierFactory()
    staff_key, staff_raw = api_key_create(name="staff", scopes=[])
    supplier_key, supplier_raw = api_key_create(name="supplier", scopes=[], supplier=supplier)
    # when
    staff, for_supplier = Actor.from_principal(keys.lookup(staff_raw)), Actor.from_principal(keys.lookup(supplier_raw))
    # then
    assert staff == Actor(kind="staff", api_key_id=staff_key.pk)
    assert for_supplier == Actor.supplier(supplier.pk, api_key_id=supplier_key.pk)
    with pytest.raises(Forbidden):
        Actor.from_principal(None)


def _place_order(product) -> Order:
    return services.order_place(email="buyer@example.com", items=[{"product_id": product.pk, "quantity": 1}],
                                shipping_address=ADDRESS, actor=Actor.system())


STAFF_ONLY = {
    "approve a product": lambda product, order, actor: services.product_approve(product=product, actor=actor),
    "reject a product": lambda product, order, actor: services.product_reject(product=product, actor=actor,
                                                                              reason="No photos"),
    "move an order": lambda product, order, actor: services.order_transition(order=order, to_status="paid",
                                                                             actor=actor),
    "update an order": lambda product, order, actor: services.order_update(order=order, actor=actor,
                                                                           tracking_number="T-1"),
}


@pytest.mark.parametrize("what", list(STAFF_ONLY))
def test_a_supplier_actor_cannot_do_what_only_staff_may_even_with_its_own_rows(what):
    # given the supplier's own pending product and an order of its own products
    supplier = SupplierFactory()
    pending = ProductFactory(supplier=supplier, approval_status=Product.PENDING)
    order = _place_order(ProductFactory(supplier=supplier))
    events_before = Event.objects.count()
    # when / then
    with pytest.raises(NotFound):
        STAFF_ONLY[what](pending, order, Actor.supplier(supplier.pk))
    pending.refresh_from_db()
    order.refresh_from_db()
    assert pending.approval_status == Product.PENDING
    assert (order.status, order.tracking_number) == (Order.PENDING, "")
    assert StatusChange.objects.filter(order=order).count() == 1  # "Order placed" alone
    assert Event.objects.count() == events_before

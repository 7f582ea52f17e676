"""Who a logged-in user acts as: staff only if is_staff, else their supplier, else nobody (refused)."""
import pytest
from django.contrib.auth.models import AnonymousUser

from commerce import services
from commerce.actors import Actor
from commerce.models import Product
from tests.factories import MembershipFactory, ProductFactory, SupplierFactory, UserFactory
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

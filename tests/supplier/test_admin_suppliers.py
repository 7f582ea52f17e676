"""Verifying suppliers in the admin takes its own permission (supplier.verify_supplier)."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from supplier.models import Supplier
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

SUPPLIERS = "/admin/supplier/supplier/"


def _offered(client) -> set[str]:
    form = client.get(SUPPLIERS).context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


def _act(client, action, supplier):
    return client.post(SUPPLIERS, {"action": action, ACTION_CHECKBOX_NAME: [supplier.pk]}, follow=True)


@pytest.mark.parametrize("permissions", [
    ["supplier.view_supplier"], ["supplier.view_supplier", "supplier.change_supplier"],
], ids=["view-only", "may-change"])
def test_a_user_without_the_verify_permission_cannot_verify_or_unverify(make_admin_client, permissions):
    # given
    client = make_admin_client(*permissions)
    unverified, verified = SupplierFactory(is_verified=False), SupplierFactory(is_verified=True)
    # when the actions are forged
    _act(client, "verify", unverified)
    _act(client, "unverify", verified)
    # then they are not offered and nothing changed
    assert not _offered(client) & {"verify", "unverify"}
    assert Supplier.objects.get(pk=unverified.pk).is_verified is False
    assert Supplier.objects.get(pk=verified.pk).is_verified is True


def test_a_user_with_the_verify_permission_verifies_and_unverifies(make_admin_client):
    # given
    client = make_admin_client("supplier.view_supplier", "supplier.verify_supplier")
    unverified, verified = SupplierFactory(is_verified=False), SupplierFactory(is_verified=True)
    assert {"verify", "unverify"} <= _offered(client)
    # when
    _act(client, "verify", unverified)
    _act(client, "unverify", verified)
    # then
    unverified.refresh_from_db()
    assert unverified.is_verified is True and unverified.verified_at is not None
    assert Supplier.objects.get(pk=verified.pk).is_verified is False

"""Verifying suppliers in the admin takes its own permission (supplier.verify_supplier)."""
import pytest

from supplier.models import Supplier
from tests.factories import SupplierFactory
from tests.helpers import admin_actions_offered, run_admin_action

pytestmark = pytest.mark.django_db

SUPPLIERS = "/admin/supplier/supplier/"


@pytest.mark.parametrize("permissions", [
    ["supplier.view_supplier"], ["supplier.view_supplier", "supplier.change_supplier"],
], ids=["view-only", "may-change"])
def test_a_user_without_the_verify_permission_cannot_verify_or_unverify(make_admin_client, permissions):
    # given
    client = make_admin_client(*permissions)
    unverified, verified = SupplierFactory(is_verified=False), SupplierFactory(is_verified=True)
    # when the actions are forged
    run_admin_action(client, SUPPLIERS, "verify", [unverified])
    run_admin_action(client, SUPPLIERS, "unverify", [verified])
    # then they are not offered and nothing changed
    assert not admin_actions_offered(client, SUPPLIERS) & {"verify", "unverify"}
    assert Supplier.objects.get(pk=unverified.pk).is_verified is False
    assert Supplier.objects.get(pk=verified.pk).is_verified is True


def test_a_user_with_the_verify_permission_verifies_and_unverifies(make_admin_client):
    # given
    client = make_admin_client("supplier.view_supplier", "supplier.verify_supplier")
    unverified, verified = SupplierFactory(is_verified=False), SupplierFactory(is_verified=True)
    assert {"verify", "unverify"} <= admin_actions_offered(client, SUPPLIERS)
    # when
    run_admin_action(client, SUPPLIERS, "verify", [unverified])
    run_admin_action(client, SUPPLIERS, "unverify", [verified])
    # then
    unverified.refresh_from_db()
    assert unverified.is_verified is True and unverified.verified_at is not None
    assert Supplier.objects.get(pk=verified.pk).is_verified is False

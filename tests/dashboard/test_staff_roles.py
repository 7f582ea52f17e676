"""Staff roles out of the box: each group can do its job and nothing more; Support reads everything."""
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from commerce.actors import Actor
from commerce.models import Category, Order, Product
from commerce.services import order_place, order_transition
from crm.models import Lead
from scheduling.models import Appointment
from settlement import services as settlement
from settlement.models import Statement
from supplier.models import Supplier
from tests.dashboard.conftest import ADDRESS, ROLES, home_counts
from tests.factories import AppointmentFactory, CategoryFactory, LeadFactory, ProductFactory
from tests.helpers import admin_actions_offered, run_admin_action
from verso.api.services import api_key_create

pytestmark = pytest.mark.django_db
BUSINESS_APPS = {"supplier", "commerce", "crm", "scheduling", "webhooks", "api", "settlement"}


def _perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_roles_hold_exactly_their_jobs_permissions(staff_roles):
    assert set(staff_roles) == set(ROLES)
    moderator, desk, integrations = (_perms(staff_roles[r]) for r in ("Catalogue moderator", "Order desk",
                                                                       "Integrations"))
    assert {"commerce.approve_product", "supplier.verify_supplier"} <= moderator
    assert not {p for p in moderator if p.split(".")[1].startswith(("change_", "add_", "delete_"))}
    assert {"commerce.change_order", "commerce.change_ordergroup"} <= desk
    assert not {p for p in desk if p.split(".")[1].startswith(("add_", "delete_"))}
    assert {"api.add_apikey", "api.delete_apikey", "webhooks.change_webhook", "webhooks.redeliver_delivery"} <= \
        integrations
    finance = _perms(staff_roles["Finance"])
    assert {"settlement.issue_settlement", "settlement.mark_settlement_paid", "settlement.change_commissionrate"} <= \
        finance
    assert not {p for p in finance if p.startswith(("commerce.change_", "commerce.approve_"))}
    assert all(p.split(".")[1].startswith("view_") for p in _perms(staff_roles["Support"]))


def test_the_home_shows_each_role_its_queues(role_client, queue_rows):
    expected = {
        "Catalogue moderator": {"awaiting-approval", "awaiting-verification", "low-stock"},
        "Order desk": {"awaiting-approval", "awaiting-verification", "low-stock", "pending-48h", "unshipped-3d"},
        "Integrations": {"failed-24h", "disabled"},
        "Support": set(queue_rows),
    }
    for role, keys in expected.items():
        counts = home_counts(role_client(role).get("/admin/").content.decode())
        assert counts == {key: queue_rows[key] for key in keys}, role


def test_a_catalogue_moderator_approves_products_and_verifies_suppliers_but_edits_nothing(role_client, queue_rows):
    client = role_client("Catalogue moderator")
    products = reverse("admin:commerce_product_changelist")
    waiting = list(Product.objects.filter(approval_status=Product.PENDING, deleted_at__isnull=True))
    run_admin_action(client, products, "approve_products", waiting)
    assert not Product.objects.filter(pk__in=[p.pk for p in waiting]).exclude(approval_status="approved").exists()
    suppliers = reverse("admin:supplier_supplier_changelist")
    run_admin_action(client, suppliers, "verify", Supplier.objects.filter(is_verified=False))
    assert not Supplier.objects.filter(is_verified=False).exists()
    product = waiting[0]
    assert client.post(reverse("admin:commerce_product_change", args=[product.pk]), {}).status_code == 403
    assert client.get(reverse("admin:commerce_order_changelist")).status_code == 403


def test_the_order_desk_moves_and_refunds_orders_but_approves_nothing(role_client, queue_rows):
    client = role_client("Order desk")
    orders = reverse("admin:commerce_order_changelist")
    order = Order.objects.get(email="old@example.com")
    assert {"mark_processing", "mark_refunded"} <= admin_actions_offered(client, orders)
    run_admin_action(client, orders, "mark_refunded", [order])
    order.refresh_from_db()
    assert order.status == Order.REFUNDED
    assert "approve_products" not in admin_actions_offered(client, reverse("admin:commerce_product_changelist"))


def test_integrations_manage_keys_and_webhooks_and_nothing_else(role_client, queue_rows):
    client = role_client("Integrations")
    for name in ("api_apikey_add", "webhooks_webhook_add", "webhooks_delivery_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    assert "redeliver" in admin_actions_offered(client, reverse("admin:webhooks_delivery_changelist"))
    assert client.get(reverse("admin:commerce_order_changelist")).status_code == 403


def test_finance_runs_settlement_and_sees_the_commission_but_moves_no_order(role_client, queue_rows):
    # given: a delivered order, so this month has a sale to settle
    client = role_client("Finance")
    _a_settled_month()
    statements = reverse("admin:settlement_statement_changelist")
    # when: Finance generates, issues and pays this month's statements
    month = timezone.now().strftime("%Y-%m")
    assert client.post(reverse("admin:settlement_statement_generate"), {"period": month}).status_code == 302
    statement = Statement.objects.get()
    run_admin_action(client, statements, "issue_statements", [statement])
    run_admin_action(client, statements, "mark_paid", [statement], apply="1", payout_reference="SEPA-1")
    # then
    statement.refresh_from_db()
    assert (statement.status, statement.payout_reference) == ("paid", "SEPA-1")
    assert "Commission earned this month" in client.get("/admin/").content.decode()
    assert admin_actions_offered(client, reverse("admin:commerce_order_changelist")) == set()
    assert client.get(reverse("admin:crm_lead_changelist")).status_code == 403


def test_support_opens_every_page_and_changes_nothing(role_client, queue_rows):
    client = role_client("Support")
    CategoryFactory()
    LeadFactory()
    AppointmentFactory()
    api_key_create(name="A key", scopes=["read:leads"])
    _a_settled_month()
    before = _snapshot()
    models = [m for m in admin.site._registry if m._meta.app_label in BUSINESS_APPS]
    assert {Product, Order, Supplier, Lead, Appointment, Category} <= set(models)
    for model in models:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        assert not admin_actions_offered(client, changelist), changelist
        obj = model._default_manager.first()
        assert obj is not None, opts.label
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200, change
        assert client.post(change, {}).status_code == 403, change
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403, opts.label
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, delete
        # An action posted by hand (not offered) is refused: nothing changes.
        run_admin_action(client, changelist, "delete_selected", [obj], post="yes")
    run_admin_action(client, reverse("admin:commerce_product_changelist"), "approve_products",
                     Product.objects.filter(approval_status=Product.PENDING))
    run_admin_action(client, reverse("admin:commerce_order_changelist"), "mark_refunded", Order.objects.all())
    assert _snapshot() == before


def _a_settled_month() -> None:
    """A commission rate (and its log) and a statement with a line: something on every settlement page."""
    product = ProductFactory(stock_qty=1000)
    settlement.commission_rate_set(supplier=product.supplier, rate="10.00")
    order = order_place(email="settled@example.com", items=[{"product_id": product.pk, "quantity": 2}],
                        shipping_address=ADDRESS, actor=Actor.system())
    for status in ("paid", "shipped", "delivered"):
        order = order_transition(order=order, to_status=status, actor=Actor.system())
    settlement.statements_generate(period=timezone.now().date().replace(day=1))


def _snapshot() -> dict:
    from django.apps import apps

    return {
        model._meta.label: sorted(model._default_manager.values_list("pk", flat=True))
        for model in admin.site._registry if model._meta.app_label in BUSINESS_APPS
    } | {
        "approvals": sorted(Product.objects.values_list("pk", "approval_status")),
        "orders": sorted(Order.objects.values_list("pk", "status")),
        "verified": sorted(apps.get_model("supplier", "Supplier").objects.values_list("pk", "is_verified")),
    }


@pytest.mark.django_db(transaction=True)
def test_the_roles_migration_is_reversible_and_makes_missing_permissions():
    call_command("migrate", "verso", "zero", verbosity=0)
    assert not Group.objects.filter(name__in=ROLES).exists()
    call_command("migrate", "verso", verbosity=0)
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)
    assert Group.objects.get(name="Support").permissions.count() >= 13

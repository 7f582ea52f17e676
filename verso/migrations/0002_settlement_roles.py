"""Settlement joins the staff roles: Support may read statements, their lines and the commission
rates (read-only everywhere), and a new *Finance* role runs settlement — sets commission rates,
generates, issues and marks statements paid — and reads the orders and suppliers behind them.
Written out here, like 0001, so this migration means the same thing forever."""
from importlib import import_module

from django.db import migrations

roles = import_module("verso.migrations.0001_staff_roles")  # its helpers, not a copy of them

FINANCE = "Finance"
FINANCE_PERMISSIONS = [
    "settlement.view_statement", "settlement.view_statementline", "settlement.generate_settlements",
    "settlement.issue_settlement", "settlement.mark_settlement_paid",
    "settlement.view_commissionrate", "settlement.add_commissionrate", "settlement.change_commissionrate",
    "settlement.delete_commissionrate", "settlement.view_commissionratechange",
    "commerce.view_order", "commerce.view_ordergroup", "commerce.view_orderitem", "supplier.view_supplier",
]
SUPPORT_READS = [
    "settlement.view_statement", "settlement.view_statementline",
    "settlement.view_commissionrate", "settlement.view_commissionratechange",
]


def add_settlement_roles(apps, schema_editor):
    roles._create_all_permissions(apps)
    set_settlement_roles(apps)


def set_settlement_roles(apps) -> None:
    """Finance with exactly its permissions; Support gains the settlement reads (the permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    finance, _ = Group.objects.get_or_create(name=FINANCE)
    finance.permissions.set([roles._permission(Permission, p) for p in FINANCE_PERMISSIONS])
    support, _ = Group.objects.get_or_create(name=roles.SUPPORT)
    support.permissions.add(*[roles._permission(Permission, p) for p in SUPPORT_READS])


def remove_settlement_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=FINANCE).delete()
    support = Group.objects.filter(name=roles.SUPPORT).first()
    if support is not None:
        support.permissions.remove(*[roles._permission(Permission, p) for p in SUPPORT_READS])


class Migration(migrations.Migration):
    dependencies = [
        ("verso", "0001_staff_roles"),
        ("settlement", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_settlement_roles, remove_settlement_roles)]

"""Staff roles out of the box: four groups holding exactly the permissions their job needs.

docs/admin.md says which role does what. The roles are written out here (not imported) so
this migration means the same thing forever; a later change to a role is a new migration.
Permissions are created first (they normally appear only after the whole ``migrate``), so
this runs on a fresh database as well as on an old one. Running it again, or on a database
where an operator already has a group of that name, sets the group to exactly this list.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

# The apps whose models Support may read: every business record (not users or groups).
BUSINESS_APPS = ["supplier", "commerce", "crm", "scheduling", "webhooks", "api"]

ROLES = {
    # Approves or rejects products, verifies suppliers; reads what it needs to decide (a product's
    # page shows its images and approval history itself; a supplier's page lists its logins).
    "Catalogue moderator": [
        "commerce.approve_product", "commerce.view_product", "commerce.view_category",
        "supplier.verify_supplier", "supplier.view_supplier", "supplier.view_membership",
    ],
    # Moves orders and supplier groups through their lifecycle (refunding is the order's
    # move to "refunded"), sets tracking numbers; reads the catalogue and suppliers behind them
    # (the order page's item list is an inline of order items: it needs their view permission).
    "Order desk": [
        "commerce.view_order", "commerce.change_order", "commerce.view_ordergroup", "commerce.change_ordergroup",
        "commerce.view_orderitem", "commerce.view_product",
        "supplier.view_supplier",
    ],
    # Integrations: Staff and Supplier API keys, webhook endpoints, their delivery log.
    "Integrations": [
        "api.view_apikey", "api.add_apikey", "api.change_apikey", "api.delete_apikey",
        "webhooks.view_webhook", "webhooks.add_webhook", "webhooks.change_webhook", "webhooks.delete_webhook",
        "webhooks.view_delivery", "webhooks.redeliver_delivery", "webhooks.view_event",
    ],
}
SUPPORT = "Support"  # read-only everywhere: view on every model of BUSINESS_APPS


def _create_all_permissions(apps) -> None:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permission(Permission, name: str):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def add_roles(apps, schema_editor):
    _create_all_permissions(apps)
    set_roles(apps)


def set_roles(apps) -> None:
    """Each role's group with exactly its permissions (the permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(Permission, p) for p in permissions])
    support, _ = Group.objects.get_or_create(name=SUPPORT)
    views = [
        f"{label}.view_{model._meta.model_name}"
        for label in BUSINESS_APPS for model in apps.get_app_config(label).get_models()
    ]
    support.permissions.set([_permission(Permission, p) for p in views])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, SUPPORT]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("api", "0001_initial"),
        ("commerce", "0005_approval_history_and_queue_indexes"),
        ("crm", "0002_list_order_indexes"),
        ("scheduling", "0004_list_order_indexes"),
        ("supplier", "0003_supplier_email"),
        ("webhooks", "0003_failed_deliveries_index"),
    ]

    operations = [migrations.RunPython(add_roles, remove_roles)]

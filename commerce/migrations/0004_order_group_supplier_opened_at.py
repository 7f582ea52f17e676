from django.db import migrations, models
from django.db.models import F


def existing_groups_count_as_opened(apps, schema_editor):
    # Groups that existed before the portal had a badge are not "new": only orders placed from
    # now on light it up.
    OrderGroup = apps.get_model("commerce", "OrderGroup")
    OrderGroup.objects.filter(supplier_opened_at__isnull=True).update(supplier_opened_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('commerce', '0003_approve_product_permission'),
    ]

    operations = [
        migrations.AddField(
            model_name='ordergroup',
            name='supplier_opened_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(existing_groups_count_as_opened, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='ordergroup',
            index=models.Index(condition=models.Q(('supplier_opened_at__isnull', True)), fields=['supplier'], name='order_group_unopened_idx'),
        ),
    ]

"""Keep cached key snapshots honest: any change to a key or its supplier invalidates them."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from supplier.models import Supplier

from . import keys
from .models import ApiKey


@receiver([post_save, post_delete], sender=ApiKey)
def _api_key_changed(sender, instance, **kwargs):
    prefix = instance.prefix
    keys.invalidate([prefix])  # now, and again once committed, so no reader re-caches the old row
    transaction.on_commit(lambda: keys.invalidate([prefix]))


@receiver(post_save, sender=Supplier)
def _supplier_changed(sender, instance, **kwargs):
    prefixes = list(ApiKey.objects.filter(supplier=instance).values_list("prefix", flat=True))
    if prefixes:
        keys.invalidate(prefixes)
        transaction.on_commit(lambda: keys.invalidate(prefixes))

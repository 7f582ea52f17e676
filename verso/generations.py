"""Per-resource generations: the token every cached API page is keyed by.

A generation is a random token in the shared cache (Redis), one per resource group. Every
write to a model the group's representations read replaces the token once the write
commits, so a page cached under the old token is never served again, in any process.

Which models feed which generation is declared here, once (``GROUPS``); no write path has
to remember to bump:

- ``save()``/``delete()`` (services, the admin, the shell, cascades) send model signals,
  which ``track()`` (called from an AppConfig) listens to;
- ``QuerySet.update()``/``delete()``/``bulk_create()``/``bulk_update()`` go through
  ``TrackedQuerySet``, the default manager's queryset of every tracked model;
- data migrations (historical models, no signals) and anything else that writes with raw
  SQL (``COPY``) are covered by ``bump_all()``, run after every ``migrate`` and by the
  ``bump_generations`` management command.

The bump happens at once (so a test in one transaction sees it) and again on commit (so a
reader that read the old rows under the new token before the commit is superseded).
Tokens are random, never counters: a token lost with a flushed Redis cannot come back and
revive a page cached under it.
"""
import logging
import uuid

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from verso.api import sharedcache

logger = logging.getLogger(__name__)

# generation -> the models its cached representations read. The catalogue's lists show
# products with their category's name and primary image, so the three share a generation.
GROUPS = {
    "catalogue": ("commerce.Category", "commerce.Product", "commerce.ProductImage"),
    "leads": ("crm.Lead",),
}
_GROUP_OF = {label.lower(): name for name, labels in GROUPS.items() for label in labels}


def cache_key(name: str) -> str:
    return f"gen:{name}"


def group_of(model) -> str | None:
    return _GROUP_OF.get(model._meta.label_lower)


def _send(names) -> None:
    try:
        sharedcache.set_tokens({cache_key(name): uuid.uuid4().hex for name in names})
    except sharedcache.CACHE_ERRORS:
        # Pages already cached under the old token may be served until they age out
        # (pagecache.MAX_AGE): say so loudly.
        logger.exception("Could not bump the cache generations %s", sorted(names))


class _BumpOnCommit:
    def __init__(self, names: frozenset):
        self.names = names

    def __call__(self):
        _send(self.names)


def bump(*names: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Mark these generations changed: now, and again when the current transaction commits."""
    names = frozenset(names)
    if not names:
        return
    _send(names)
    connection = connections[using]
    if connection.in_atomic_block:
        # One bump per generation per transaction: a loop of saves registers it once, unless
        # the earlier one could be rolled back alone (registered in a savepoint we are not in).
        current = set(connection.savepoint_ids)
        for sids, func, _robust in connection.run_on_commit:
            if isinstance(func, _BumpOnCommit) and func.names >= names and sids <= current:
                return
        transaction.on_commit(_BumpOnCommit(names), using=using)


def bump_all() -> None:
    bump(*GROUPS)


def bump_for(model, using: str = DEFAULT_DB_ALIAS) -> None:
    name = group_of(model)
    if name is not None:
        bump(name, using=using)


class TrackedQuerySet(models.QuerySet):
    """A queryset whose set-based writes bump its model's generation (signals cover the rest)."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            bump_for(self.model, using=self.db)
        return rows

    update.alters_data = True
    update.queryset_only = False

    def delete(self):
        deleted = super().delete()
        if deleted[0]:
            bump_for(self.model, using=self.db)
        return deleted

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            bump_for(self.model, using=self.db)
        return created

    def bulk_update(self, objs, fields, batch_size=None):
        rows = super().bulk_update(objs, fields, batch_size=batch_size)
        if rows:
            bump_for(self.model, using=self.db)
        return rows


def _changed(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    bump_for(sender, using=using)


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    # A data migration writes through historical models, which send no signals we hear.
    bump_all()


def track() -> None:
    """Connect the signals (called once, from an AppConfig's ready())."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_migrate, post_save

    for labels in GROUPS.values():
        for label in labels:
            model = apps.get_model(label)
            if not isinstance(model._default_manager.get_queryset(), TrackedQuerySet):
                raise TypeError(f"{label}'s default manager must use verso.generations.TrackedQuerySet")
            post_save.connect(_changed, sender=model, dispatch_uid=f"generation-save-{label}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"generation-delete-{label}")
    post_migrate.connect(_migrated, dispatch_uid="generation-migrate")

"""Creating and revoking API keys: the only code that writes ApiKey rows."""
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from verso.errors import ValidationFailed

from . import keys
from .models import ApiKey, validate_rate
from .scopes import SCOPES


@transaction.atomic
def api_key_create(
    *,
    name: str,
    scopes: list[str],
    supplier=None,
    created_by=None,
    expires_at: datetime | None = None,
    rate_limit_override: str = "",
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is never stored or shown again.

    Supplier keys carry no scopes: the Supplier API is scoped by tenant, not by scope.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationFailed(f"Unknown scopes: {', '.join(unknown)}", details={"scopes": unknown})
    try:
        validate_rate(rate_limit_override)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], details={"rate_limit_override": exc.messages[0]}) from None
    if not name.strip():
        raise ValidationFailed("Name is required.", details={"name": "This field is required."})
    raw, prefix, key_hash = keys.generate_key()
    api_key = ApiKey.objects.create(
        name=name.strip(),
        prefix=prefix,
        key_hash=key_hash,
        scopes=[] if supplier is not None else [s for s in SCOPES if s in scopes],
        supplier=supplier,
        created_by=created_by,
        expires_at=expires_at,
        rate_limit_override=rate_limit_override,
    )
    return api_key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key; every process refuses it from its very next request."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])  # post_save invalidates the cached snapshot
    return locked

"""Supplier lifecycle: creating suppliers and portal logins, verifying and unverifying, the
store profile a supplier keeps itself, and the Supplier API keys it generates in the portal."""
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from verso.api import services as api_key_services
from verso.api.models import ApiKey
from verso.changes import previous_values, reject_unknown_fields
from verso.errors import Conflict, Forbidden, ValidationFailed

from . import selectors
from .models import Membership, Supplier

# What a supplier may change about itself. The name is what staff verified: staff change it.
PROFILE_FIELDS = ("contact_email", "contact_phone", "country")
UNVERIFIED_KEYS_MESSAGE = (
    "Your supplier account is not verified yet, so it cannot have API keys: the Supplier API refuses "
    "unverified suppliers. Marketplace staff verify new suppliers; keys can be generated from then on."
)


@transaction.atomic
def supplier_create(
    *, name: str, slug: str = "", email: str = "", phone: str = "", country: str = "", verified: bool = False
) -> Supplier:
    name = name.strip()
    if not name:
        raise ValidationFailed("Name is required.", details={"name": "This field is required."})
    slug = slug or slugify(name)
    if not slug:
        raise ValidationFailed("A slug could not be made from the name; give one.", details={"slug": "Required."})
    if Supplier.objects.filter(slug=slug).exists():
        raise Conflict(f"A supplier with slug '{slug}' already exists.", details={"slug": slug})
    return Supplier.objects.create(
        name=name, slug=slug, contact_email=email, contact_phone=phone, country=country,
        is_verified=verified, verified_at=timezone.now() if verified else None,
    )


@transaction.atomic
def supplier_add_portal_user(*, supplier: Supplier, username: str, password: str, email: str = ""):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise Conflict(f"The username '{username}' is taken.", details={"username": username})
    user = User.objects.create_user(username=username, password=password, email=email)
    Membership.objects.create(user=user, supplier=supplier)
    return user


@transaction.atomic
def supplier_set_verified(*, supplier: Supplier, verified: bool) -> Supplier:
    """Verify or unverify; the supplier's API keys see the change on their next request."""
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if locked.is_verified != verified:
        locked.is_verified = verified
        locked.verified_at = timezone.now() if verified else None
        locked.save(update_fields=["is_verified", "verified_at"])
    return locked


@transaction.atomic
def supplier_update_profile(*, supplier: Supplier, changes: dict[str, Any]) -> Supplier:
    """Change the supplier's own contact details (``PROFILE_FIELDS``); nothing else."""
    reject_unknown_fields(changes, allowed=PROFILE_FIELDS)
    values = {name: (value or "").strip() for name, value in changes.items()}
    errors = {}
    for name, value in values.items():
        limit = Supplier._meta.get_field(name).max_length
        if len(value) > limit:
            errors[name] = f"At most {limit} characters."
    if values.get("contact_email") and "contact_email" not in errors:
        try:
            validate_email(values["contact_email"])
        except DjangoValidationError:
            errors["contact_email"] = "Enter a valid email address."
    if errors:
        raise ValidationFailed.for_fields(errors)
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    changed = previous_values(locked, values)
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=list(changed))
    return locked


@transaction.atomic
def supplier_api_key_create(*, supplier: Supplier, name: str, created_by=None) -> tuple[ApiKey, str]:
    """A supplier's own new Supplier API key (the key and its raw value, shown only once).

    Refused while the supplier is unverified: such a key could not call the API anyway. The
    supplier's row is locked so an unverify happening meanwhile is not raced past.
    """
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if not locked.is_verified:
        raise Forbidden(UNVERIFIED_KEYS_MESSAGE)
    return api_key_services.api_key_create(name=name, scopes=[], supplier=locked, created_by=created_by)


def supplier_api_key_revoke(*, supplier: Supplier, key_id: int) -> ApiKey:
    """Revoke one of the supplier's own keys (another supplier's is not found); the API refuses it from
    its very next request."""
    return api_key_services.api_key_revoke(api_key=selectors.api_key_get(supplier_id=supplier.pk, key_id=key_id))

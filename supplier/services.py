"""Supplier lifecycle: creating suppliers and portal logins, verifying and unverifying."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from verso.errors import Conflict, ValidationFailed

from .models import Membership, Supplier


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

"""Who is acting on commerce rows: a staff user, a staff API key, a supplier, or the system.

Services take an ``Actor`` so that history rows record who did what and so that rules
that differ for suppliers (their products wait for approval) are decided in one place.
Every actor says what kind it is: nothing counts as staff by leaving a field out.
"""
from dataclasses import dataclass

from verso.errors import Forbidden

STAFF = "staff"  # a staff login or a Staff API key
SUPPLIER = "supplier"  # a supplier's portal login or Supplier API key: only its own rows
SYSTEM = "system"  # our own code (demo data, Celery tasks): staff powers, never from a request
KINDS = (STAFF, SUPPLIER, SYSTEM)


@dataclass(frozen=True, kw_only=True)
class Actor:
    kind: str
    user_id: int | None = None
    api_key_id: int | None = None
    # Set exactly when the actor speaks for a supplier.
    supplier_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown actor kind {self.kind!r}; one of: {', '.join(KINDS)}.")
        if (self.kind == SUPPLIER) != (self.supplier_id is not None):
            raise ValueError("A supplier actor names its supplier, and only a supplier actor does.")
        if self.kind == SYSTEM and (self.user_id is not None or self.api_key_id is not None):
            raise ValueError("The system acts for no user and no API key.")

    @property
    def is_supplier(self) -> bool:
        return self.kind == SUPPLIER

    @property
    def is_staff(self) -> bool:
        """Staff powers: a staff login or key, or the system itself."""
        return self.kind in (STAFF, SYSTEM)

    @classmethod
    def system(cls) -> "Actor":
        """Our own code acting with staff powers (demo data, Celery tasks); no request makes one."""
        return cls(kind=SYSTEM)

    @classmethod
    def supplier(cls, supplier_id: int, *, user_id: int | None = None, api_key_id: int | None = None) -> "Actor":
        return cls(kind=SUPPLIER, supplier_id=supplier_id, user_id=user_id, api_key_id=api_key_id)

    @classmethod
    def from_principal(cls, principal) -> "Actor":
        """From ``request.auth`` of either API (a verso.api.keys.ApiKeyPrincipal)."""
        if principal is None:
            raise Forbidden("This request carries no API key.")
        if principal.supplier_id is not None:
            return cls.supplier(principal.supplier_id, api_key_id=principal.id)
        return cls(kind=STAFF, api_key_id=principal.id)

    @classmethod
    def from_user(cls, user) -> "Actor":
        """A logged-in user acts as staff only if ``is_staff``, else for their supplier.

        Anyone else (no membership, anonymous) is refused here rather than given an actor.
        """
        if user.is_staff:
            return cls(kind=STAFF, user_id=user.pk)
        membership = getattr(user, "supplier_membership", None)
        if membership is None:
            raise Forbidden("This login is neither staff nor a member of a supplier.")
        return cls.supplier(membership.supplier_id, user_id=user.pk)

"""Who is acting on commerce rows: a staff user, a staff API key, a supplier, or the system.

Services take an ``Actor`` so that history rows record who did what and so that rules
that differ for suppliers (their products wait for approval) are decided in one place.
"""
from dataclasses import dataclass

from verso.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    api_key_id: int | None = None
    # Set when the actor speaks for a supplier (a Supplier API key or a portal login).
    supplier_id: int | None = None

    @property
    def is_supplier(self) -> bool:
        return self.supplier_id is not None

    @property
    def is_staff(self) -> bool:
        return self.supplier_id is None

    @classmethod
    def system(cls) -> "Actor":
        return cls()

    @classmethod
    def from_principal(cls, principal) -> "Actor":
        """From ``request.auth`` of either API (a verso.api.keys.ApiKeyPrincipal)."""
        return cls(api_key_id=principal.id, supplier_id=principal.supplier_id)

    @classmethod
    def from_user(cls, user) -> "Actor":
        """A logged-in user acts as staff only if ``is_staff``, else for their supplier.

        Anyone else (no membership, anonymous) is refused here: an actor without a
        supplier is staff, so building one for such a user would hand them staff powers.
        """
        if user.is_staff:
            return cls(user_id=user.pk)
        membership = getattr(user, "supplier_membership", None)
        if membership is None:
            raise Forbidden("This login is neither staff nor a member of a supplier.")
        return cls(user_id=user.pk, supplier_id=membership.supplier_id)

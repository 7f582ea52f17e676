"""What every Supplier API view shares: the tenant comes from the key, never from the request."""
from commerce.actors import Actor
from verso.api.views import SupplierAPIView


class SupplierView(SupplierAPIView):
    """A Supplier API view. ``self.supplier_id`` is the key's supplier: every selector and
    service call passes it, so no query of this API can reach another supplier's rows."""

    @property
    def supplier_id(self) -> int:
        return self.request.auth.supplier_id

    @property
    def actor(self) -> Actor:
        return Actor.from_principal(self.request.auth)

"""The portal's one tenancy gate: who the supplier is comes from the login's membership, once per request."""
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from commerce.actors import Actor
from supplier.models import Membership
from verso.errors import Forbidden, NotFound


def membership_of(user) -> Membership | None:
    """The user's membership with its supplier (one query), or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("supplier").filter(user_id=user.pk).first()


class PortalMixin:
    """For every portal page behind the login.

    Anonymous visitors go to the login page (``?next=`` back here); a login without a
    supplier membership gets a 403 page saying so. Then ``request.supplier`` and
    ``self.supplier`` are the login's supplier, ``self.actor`` acts for it in services,
    and ``self.unverified`` drives the "verification pending" banner. A service's
    ``NotFound`` (another supplier's id) is a 404, its ``Forbidden`` a 403.
    """

    portal_section = ""  # which menu entry is current (aria-current)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_of(request.user)
        if membership is None:
            return render(request, "portal/no_membership.html", status=403)
        self.supplier = request.supplier = membership.supplier
        self.actor = Actor.supplier(membership.supplier_id, user_id=request.user.pk)
        self.unverified = not membership.supplier.is_verified
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message)
        except Forbidden as exc:
            raise PermissionDenied(exc.message)

    def portal_new_orders(self) -> int:
        """HOOK for the Orders menu's "new" badge (order groups this supplier has not opened yet).

        0 here; the notifications work (branch portal-ops) returns the real count. The
        base layout shows the badge when ``portal_new_orders`` is above 0.
        """
        return 0

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            portal_supplier=self.supplier,
            portal_unverified=self.unverified,
            portal_section=self.portal_section,
            portal_new_orders=self.portal_new_orders(),
        )
        return context

"""The portal's home page: the supplier's products by status, open orders and low stock at a glance."""
from django.views.generic import TemplateView

from supplier import selectors

from .mixins import PortalMixin

LOW_STOCK_SHOWN = 10


class DashboardView(PortalMixin, TemplateView):
    template_name = "portal/dashboard.html"
    portal_section = "dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.product_status_counts(supplier_id=self.supplier.pk)
        context.update(
            product_counts=[(status, counts[status]) for status in selectors.PRODUCT_STATUSES],
            low_stock_count=counts["low_stock"],
            low_stock=list(selectors.product_low_stock(supplier_id=self.supplier.pk)[:LOW_STOCK_SHOWN]),
            open_groups=list(selectors.order_group_open_counts(supplier_id=self.supplier.pk).items()),
        )
        return context

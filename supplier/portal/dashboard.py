"""The portal's home page: the supplier's products, open orders and low stock at a glance."""
from django.views.generic import TemplateView

from .mixins import PortalMixin


class DashboardView(PortalMixin, TemplateView):
    template_name = "portal/dashboard.html"
    portal_section = "dashboard"

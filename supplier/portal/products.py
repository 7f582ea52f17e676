"""The supplier's products: list, create, edit, delete, and their images."""
from django.views.generic import TemplateView

from .mixins import PortalMixin


class ProductListView(PortalMixin, TemplateView):
    template_name = "portal/products/list.html"
    portal_section = "products"

"""The supplier's Supplier API keys: generate (shown once), list, revoke."""
from django.views.generic import TemplateView

from .mixins import PortalMixin


class KeyListView(PortalMixin, TemplateView):
    template_name = "portal/keys.html"
    portal_section = "keys"

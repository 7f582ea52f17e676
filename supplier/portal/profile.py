"""The supplier's store profile: the contact details a supplier keeps up to date itself."""
from django.views.generic import TemplateView

from .mixins import PortalMixin


class ProfileView(PortalMixin, TemplateView):
    template_name = "portal/profile.html"
    portal_section = "profile"

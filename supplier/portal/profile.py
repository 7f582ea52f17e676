"""The supplier's store profile: the contact details a supplier keeps up to date itself."""
from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView

from supplier import services
from verso.errors import ValidationFailed

from . import forms
from .mixins import PortalMixin


class ProfileView(PortalMixin, FormView):
    template_name = "portal/profile.html"
    form_class = forms.ProfileForm
    portal_section = "profile"

    def get_initial(self):
        return {name: getattr(self.supplier, name) for name in services.PROFILE_FIELDS}

    def form_valid(self, form):
        try:
            services.supplier_update_profile(
                supplier=self.supplier, changes={name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
            )
        except ValidationFailed as exc:
            forms.add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Your store profile was saved.")
        return redirect("portal:profile")

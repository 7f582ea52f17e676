"""The supplier's Supplier API keys ("Store Profile → API Keys"): generate (shown once), list, revoke.

Keys are made and revoked by supplier.services, which refuse an unverified supplier's new
key and another supplier's key; this page only shows what they allow.
"""
from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView, View

from supplier import selectors, services
from verso.errors import Forbidden, ValidationFailed

from . import forms
from .mixins import PortalMixin


class KeyListView(PortalMixin, FormView):
    template_name = "portal/keys.html"
    form_class = forms.ApiKeyForm
    portal_section = "keys"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            keys=list(selectors.api_key_list(supplier_id=self.supplier.pk)),
            unverified_message=services.UNVERIFIED_KEYS_MESSAGE,
        )
        return context

    def form_valid(self, form):
        try:
            api_key, raw = services.supplier_api_key_create(
                supplier=self.supplier, name=form.cleaned_data["name"], created_by=self.request.user
            )
        except Forbidden as exc:
            messages.error(self.request, exc.message)
            return redirect("portal:keys")
        except ValidationFailed as exc:
            forms.add_service_errors(form, exc)
            return self.form_invalid(form)
        # Rendered, not redirected: the raw key goes to this response only, never into a session or a log.
        response = self.render_to_response(
            self.get_context_data(form=forms.ApiKeyForm(), new_key=raw, new_key_row=api_key)
        )
        response["Cache-Control"] = "no-store"
        return response


class KeyRevokeView(PortalMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        api_key = services.supplier_api_key_revoke(supplier=self.supplier, key_id=pk)
        messages.success(request, f"The key “{api_key.name}” ({api_key.prefix}) was revoked. "
                                  "The API refuses it from now on.")
        return redirect("portal:keys")

"""Logging in and out, changing and resetting a password: Django's auth views, for supplier logins only."""
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from verso.logins import RateLimitedLoginMixin, password_reset_over_budget

from .mixins import PortalMixin, membership_of

logger = logging.getLogger(__name__)

NO_SUPPLIER_MESSAGE = (
    "This login does not belong to a supplier, so it cannot use the supplier portal. "
    "Staff sign in to the admin instead."
)


class PortalLoginForm(RateLimitedLoginMixin, AuthenticationForm):
    """Django's login form, rate-limited like the admin's, for logins with a supplier membership only."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if membership_of(user) is None:
            raise ValidationError(NO_SUPPLIER_MESSAGE, code="no_supplier")


class PortalLoginView(auth_views.LoginView):
    form_class = PortalLoginForm
    template_name = "portal/login.html"
    next_page = reverse_lazy("portal:dashboard")
    redirect_authenticated_user = True


class PortalLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView): the menu's "Log out" is a form button."""

    next_page = reverse_lazy("portal:login")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You are logged out.")
        return response


class PortalPasswordChangeView(PortalMixin, auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:profile")
    portal_section = "profile"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


class SupplierPasswordResetForm(PasswordResetForm):
    """Reset emails go to supplier logins only (staff reset theirs elsewhere)."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if membership_of(user) is not None)


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = SupplierPasswordResetForm
    template_name = "portal/password_reset.html"
    email_template_name = "portal/emails/password_reset.txt"
    subject_template_name = "portal/emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form):
        if password_reset_over_budget(self.request, form.cleaned_data["email"]):
            # The same answer as a sent email (the form never says whether an address has a login);
            # only no email leaves.
            logger.warning("Password reset not sent: the client or the address asked too often")
            return HttpResponseRedirect(self.get_success_url())
        # Links in emails use the configured public address, never the request's Host header.
        self.extra_email_context = {"public_url": settings.VERSO_PUBLIC_URL}
        return super().form_valid(form)


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"

"""Admin doors that save through a service: a service's refusal is shown on the form, never a 500.

``save_model`` calls the service. If the service raises a DomainError, the admin's
transaction rolls back and the same form is shown again, filled in as the user left it,
with the error on the fields it names and on top of the form. Used by crm's and
scheduling's admins.
"""
from django.contrib import admin, messages
from django.db import models

from verso.errors import DomainError


class _ServiceRefused(Exception):
    def __init__(self, error: DomainError):
        self.error = error


def _form_field_for(form, name: str) -> str | None:
    for candidate in (name, name.removesuffix("_id")):
        if candidate in form.fields:
            return candidate
    return None


class ServiceBackedAdmin(admin.ModelAdmin):
    def save_via_service(self, request, obj, form, change: bool) -> models.Model:
        """Create or update through the app's service; return the saved object."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            saved = self.save_via_service(request, obj, form, change)
        except DomainError as exc:
            raise _ServiceRefused(exc) from exc
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved row.
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many or inlines: everything was saved by the service

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefused as refused:
            # super() ran in a transaction that has rolled back; show the form again with the error.
            request._service_error = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error: DomainError | None = getattr(request, "_service_error", None)
        if error is None:
            return form_class

        class RefusedByService(form_class):
            def clean(self):
                cleaned = super().clean()
                placed = False
                for name, message in (error.details or {}).items():
                    field = _form_field_for(self, name)
                    if field is not None and isinstance(message, str):
                        self.add_error(field, message)
                        placed = True
                if not placed:
                    self.add_error(None, error.message)
                return cleaned

        return RefusedByService


class LogAdmin(admin.ModelAdmin):
    """A record the system writes (deliveries, emails, change logs): staff read it; nobody adds,
    edits or deletes one by hand, whatever their permissions."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def apply_to_each(model_admin, request, rows, act, *, done_message: str, label=str) -> None:
    """Run ``act(row)`` (a service call) on each selected row: one success message with the
    count (``done_message`` formats ``{count}``), one error message per row a rule refused."""
    done, failed = 0, []
    for row in rows:
        try:
            act(row)
            done += 1
        except DomainError as exc:
            failed.append(f"{label(row)}: {exc.message}")
    if done:
        model_admin.message_user(request, done_message.format(count=done), messages.SUCCESS)
    for text in failed:
        model_admin.message_user(request, text, messages.ERROR)

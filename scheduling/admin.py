"""Scheduling in the admin; appointment saves go through scheduling.services (overlap rule, events)."""
from django import forms
from django.contrib import admin, messages

from verso.admin_services import ServiceBackedAdmin
from verso.errors import DomainError

from . import services
from .models import Appointment, Estimator, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Estimator)
class EstimatorAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]


class AppointmentAdminForm(forms.ModelForm):
    duration_minutes = forms.IntegerField(
        required=False, min_value=1, help_text="Leave empty to use the service's duration."
    )

    class Meta:
        model = Appointment
        fields = [
            "first_name", "last_name", "email", "phone", "scheduled_time", "duration_minutes",
            "service", "estimator", "status", "notes",
        ]

    def clean_notes(self):
        return self.cleaned_data["notes"] or None


# Form field -> the service's keyword for it.
_SERVICE_NAMES = {"service": "service_id", "estimator": "estimator_id"}


def _service_value(name: str, value):
    if name in _SERVICE_NAMES:
        return value.pk if value is not None else None
    return value


@admin.register(Appointment)
class AppointmentAdmin(ServiceBackedAdmin):
    form = AppointmentAdminForm
    list_display = ["id", "scheduled_time", "ends_at", "estimator", "service", "customer", "status"]
    list_display_links = ["id", "scheduled_time"]
    list_filter = ["estimator", "status", "service", "scheduled_time"]
    list_select_related = ["estimator", "service"]
    search_fields = ["first_name", "last_name", "email", "phone", "notes"]
    date_hierarchy = "scheduled_time"
    readonly_fields = ["ends_at", "created_at", "updated_at"]
    actions = ["cancel_appointments"]

    @admin.display(description="Customer", ordering="last_name")
    def customer(self, appointment: Appointment) -> str:
        return f"{appointment.first_name} {appointment.last_name}"

    def save_via_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {_SERVICE_NAMES.get(name, name): _service_value(name, data[name])
                       for name in form.changed_data if name in data}
            if changes.get("duration_minutes", 0) is None:
                del changes["duration_minutes"]  # emptied: keep the current duration
            return services.appointment_update(appointment_id=obj.pk, changes=changes)
        return services.appointment_create(
            **{_SERVICE_NAMES.get(name, name): _service_value(name, data[name])
               for name in AppointmentAdminForm.Meta.fields}
        )

    @admin.action(description="Cancel selected appointments (frees the estimator's time)", permissions=["change"])
    def cancel_appointments(self, request, queryset):
        done = 0
        for appointment_id in queryset.values_list("pk", flat=True):
            try:
                services.appointment_update(
                    appointment_id=appointment_id, changes={"status": Appointment.Status.CANCELLED}
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"Appointment {appointment_id}: {exc.message}", messages.ERROR)
        self.message_user(request, f"Cancelled {done} appointment(s).")

"""Leads in the admin; every save goes through crm.services (events, validation)."""
from django import forms
from django.contrib import admin, messages

from verso.admin_services import ServiceBackedAdmin
from verso.errors import DomainError

from . import services
from .models import Lead


class LeadAdminForm(forms.ModelForm):
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. enterprise, urgent")

    class Meta:
        model = Lead
        fields = ["first_name", "last_name", "email", "phone", "message", "status", "source", "notes", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags or [])

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def clean_notes(self):
        return self.cleaned_data["notes"] or None


@admin.register(Lead)
class LeadAdmin(ServiceBackedAdmin):
    form = LeadAdminForm
    list_display = ["id", "full_name", "email", "phone", "status", "source", "tags_display", "submitted_at"]
    list_display_links = ["id", "full_name"]
    list_filter = ["status", "source", "submitted_at"]
    search_fields = ["first_name", "last_name", "email", "phone", "message", "notes"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["submitted_at", "updated_at"]
    list_per_page = 50
    actions = ["mark_contacted", "mark_qualified", "mark_won", "mark_lost"]

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, lead: Lead) -> str:
        return lead.full_name

    @admin.display(description="Tags")
    def tags_display(self, lead: Lead) -> str:
        return ", ".join(lead.tags or [])

    def save_via_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return services.lead_update(
                lead_id=obj.pk, changes={name: data[name] for name in form.changed_data if name in data}
            )
        return services.lead_create(**{name: data[name] for name in LeadAdminForm.Meta.fields})

    def _set_status(self, request, queryset, status: str) -> None:
        done = 0
        for lead_id in queryset.values_list("pk", flat=True):
            try:
                services.lead_update(lead_id=lead_id, changes={"status": status})
                done += 1
            except DomainError as exc:
                self.message_user(request, f"Lead {lead_id}: {exc.message}", messages.ERROR)
        self.message_user(request, f"Marked {done} lead(s) as {status}.")

    @admin.action(description="Mark selected leads as Contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, Lead.Status.CONTACTED)

    @admin.action(description="Mark selected leads as Qualified", permissions=["change"])
    def mark_qualified(self, request, queryset):
        self._set_status(request, queryset, Lead.Status.QUALIFIED)

    @admin.action(description="Mark selected leads as Won", permissions=["change"])
    def mark_won(self, request, queryset):
        self._set_status(request, queryset, Lead.Status.WON)

    @admin.action(description="Mark selected leads as Lost", permissions=["change"])
    def mark_lost(self, request, queryset):
        self._set_status(request, queryset, Lead.Status.LOST)

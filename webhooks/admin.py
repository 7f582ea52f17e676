"""Webhooks in the admin: endpoints (saved through webhooks.services; the secret shown once, on
creation), their delivery log with a "Redeliver" action, and the read-only event outbox."""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from verso.admin_services import LogAdmin, ServiceBackedAdmin
from verso.dashboard import QueueFilter
from verso.errors import DomainError

from . import selectors, services
from .models import Delivery, Event, Webhook

RECENT_DELIVERIES = 20


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["type", "id", "created_at"]
    list_filter = ["type"]
    readonly_fields = ["id", "type", "data", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=Webhook._meta.get_field("url").max_length, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(t, t) for t in Event.TYPES], widget=forms.CheckboxSelectMultiple,
        help_text="The events this endpoint receives.",
    )

    class Meta:
        model = Webhook
        # Never the secret: it is shown once, when the webhook is created.
        fields = ["name", "url", "events", "is_active"]
        help_texts = {"is_active": "Tick to re-enable an endpoint that was disabled after repeated failures."}


@admin.register(Webhook)
class WebhookAdmin(ServiceBackedAdmin):
    form = WebhookForm
    list_display = ["name", "url", "event_list", "is_active", "disabled_at", "consecutive_failures"]
    list_filter = [QueueFilter, "is_active", "disabled_at"]
    search_fields = ["name", "url"]
    change_readonly_fields = ["consecutive_failures", "disabled_at", "created_at", "updated_at", "recent_deliveries"]

    def get_fields(self, request, obj=None):
        return WebhookForm.Meta.fields if obj is None else [*WebhookForm.Meta.fields, *self.change_readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly_fields

    @admin.display(description="Events")
    def event_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.events)

    @admin.display(description=f"Recent deliveries (last {RECENT_DELIVERIES})")
    def recent_deliveries(self, webhook: Webhook) -> str:
        rows = selectors.delivery_list(webhook_id=webhook.pk)[:RECENT_DELIVERIES]
        if not rows:
            return "None yet."
        changelist = reverse("admin:webhooks_delivery_changelist")
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((row["created_at"], row["event_type"], row["status"], row["attempts"],
              row["last_status_code"] or "—", row["last_error"] or "") for row in rows),
        )
        return format_html(
            '<table><thead><tr><th>Created</th><th>Event</th><th>Status</th><th>Attempts</th><th>Last status</th>'
            '<th>Last error</th></tr></thead><tbody>{}</tbody></table><p><a href="{}?webhook__id__exact={}">'
            "All deliveries of this webhook</a></p>",
            body, changelist, webhook.pk,
        )

    def save_via_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in WebhookForm.Meta.fields}
            if obj.disabled_at is not None and data.get("is_active"):
                # Disabling after failures leaves "active" ticked: saving with it ticked re-enables.
                changes["is_active"] = True
            return services.webhook_update(webhook=selectors.webhook_get(webhook_id=obj.pk), changes=changes)
        webhook, secret = services.webhook_create(
            name=data["name"], url=data["url"], events=data["events"], is_active=data["is_active"],
        )
        request._generated_webhook_secret = secret
        return webhook

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is rendered in this response only; no other page shows it.
        secret = getattr(request, "_generated_webhook_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "Your new webhook's signing secret",
            "webhook": obj,
            "secret": secret,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/webhooks/webhook/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def get_deleted_objects(self, objs, request):
        # A webhook's delivery log goes with it: nobody deletes deliveries one by one, so their
        # (never granted) delete permission must not block deleting the webhook.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Delivery._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        services.webhook_delete(webhook=obj)

    def delete_queryset(self, request, queryset):
        for webhook in queryset:
            services.webhook_delete(webhook=webhook)


@admin.register(Delivery)
class DeliveryAdmin(LogAdmin):
    list_display = ["id", "event_type", "webhook", "status", "attempts", "last_status_code", "next_attempt_at",
                    "delivered_at", "created_at"]
    list_filter = [QueueFilter, "status", "event_type", "webhook"]
    list_select_related = ["webhook"]
    readonly_fields = ["webhook", "event", "event_type", "status", "attempts", "next_attempt_at", "last_status_code",
                       "last_error", "delivered_at", "created_at", "updated_at"]
    fields = readonly_fields
    date_hierarchy = "created_at"
    actions = ["redeliver"]

    def has_redeliver_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.redeliver_delivery")

    @admin.action(description="Redeliver selected deliveries now", permissions=["redeliver"])
    def redeliver(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("webhook", "event"):
            try:
                services.delivery_redeliver(delivery=delivery)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"Delivery {delivery.pk}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"Sent {done} delivery(ies) again.")

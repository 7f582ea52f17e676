"""The event outbox, read-only in the admin."""
from django.contrib import admin

from .models import Event


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

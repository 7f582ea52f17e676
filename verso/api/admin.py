"""Admin for API keys: "Generate new key" shows the raw key once; "Revoke" is an action."""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from verso.errors import DomainError

from . import services
from .models import ApiKey, validate_rate
from .scopes import ALL_SCOPES, SCOPE_CHOICES


class GenerateKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Staff keys only; a supplier key is limited to its supplier instead.",
    )
    rate_limit_override = forms.CharField(required=False, validators=[validate_rate], help_text="Optional, e.g. 500/m.")

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "supplier", "expires_at", "rate_limit_override"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("supplier") and not cleaned.get("scopes"):
            self.add_error("scopes", "Choose at least one scope for a staff key.")
        if cleaned.get("supplier") and cleaned.get("scopes"):
            self.add_error("scopes", "A supplier key carries no scopes (it reaches its supplier's data only).")
        return cleaned


class ApiKeyChangeForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "expires_at", "rate_limit_override"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "scope_list", "supplier", "created_by", "created_at", "last_used_at", "state"]
    list_filter = ["supplier", "revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "supplier", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = GenerateKeyForm if obj is None else ApiKeyChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return GenerateKeyForm.Meta.fields
        return ["name", "prefix", "scopes", "supplier", "expires_at", "rate_limit_override",
                "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="Scopes")
    def scope_list(self, obj):
        if obj.supplier_id:
            return "(supplier key)"
        if set(obj.scopes) >= set(ALL_SCOPES):
            return "all scopes"
        return ", ".join(obj.scopes)

    @admin.display(description="State")
    def state(self, obj):
        if obj.revoked_at:
            return "revoked"
        return "active" if obj.is_active else "expired"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, raw = services.api_key_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data.get("scopes") or [],
            supplier=form.cleaned_data.get("supplier"),
            created_by=request.user,
            expires_at=form.cleaned_data.get("expires_at"),
            rate_limit_override=form.cleaned_data.get("rate_limit_override") or "",
        )
        obj.pk, obj.name, obj.prefix = api_key.pk, api_key.name, api_key.prefix  # for the admin log entry
        request._generated_raw_key = raw

    def response_add(self, request, obj, post_url_continue=None):
        # The raw key exists only in this response: it is rendered once and never stored.
        raw = getattr(request, "_generated_raw_key", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "Your new API key",
            "api_key": ApiKey.objects.get(pk=obj.pk),
            "raw_key": raw,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/api/apikey/generated.html", context)
        response["Cache-Control"] = "no-store"
        return response

    # Whoever may edit a key (its scopes, its expiry) may also revoke it.
    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        count = 0
        for api_key in queryset:
            try:
                services.api_key_revoke(api_key=api_key)
                count += 1
            except DomainError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        self.message_user(request, f"Revoked {count} key(s). They are refused from the next request on.")

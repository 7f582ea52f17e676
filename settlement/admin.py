"""Settlement in the admin: commission rates (changed through the service, every change logged),
statements (generate for a month, issue, mark paid, CSV of lines, totals per month) and the
earnings report. Every action declares the permission it needs."""
import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from verso import dashboard
from verso.admin_services import LogAdmin, apply_to_each
from verso.api.query import day_bound
from verso.errors import DomainError
from verso.money import money

from . import exports, selectors, services
from .models import CommissionRate, CommissionRateChange, Statement, StatementLine
from .periods import next_period, parse_period, period_label, period_of, previous_period


def _cents(value: int | None, currency: str | None = None) -> str:
    """An amount as people read it, with its currency (``-€8.50``); the platform's when not given."""
    return money(value, currency)


def _money_column(field: str, description: str):
    @admin.display(description=description, ordering=field)
    def column(self, obj):
        return _cents(getattr(obj, field), obj.currency)

    return column


def _csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- rates ------------------------------------------------------------------------------


class CommissionRateForm(forms.ModelForm):
    class Meta:
        model = CommissionRate
        fields = ["supplier", "category", "rate"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and bool(cleaned.get("supplier")) == bool(cleaned.get("category")):
            raise forms.ValidationError("Choose either a supplier or a category.")
        return cleaned


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    """A supplier's rate wins over its category's, which wins over VERSO_DEFAULT_COMMISSION_RATE."""

    form = CommissionRateForm
    list_display = ["target_label", "rate", "updated_at"]
    list_select_related = ["supplier", "category"]
    search_fields = ["supplier__name", "category__name"]
    raw_id_fields = ["supplier", "category"]

    def get_readonly_fields(self, request, obj=None):
        return ["supplier", "category"] if obj else []  # a rate belongs to its target; remove it instead

    def _target(self, obj) -> dict:
        return {"supplier": obj.supplier} if obj.supplier_id else {"category": obj.category}

    def save_model(self, request, obj, form, change):
        saved = services.commission_rate_set(**self._target(obj), rate=form.cleaned_data["rate"], user=request.user)
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.commission_rate_set(**self._target(obj), rate=None, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("supplier", "category"):
            self.delete_model(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(CommissionRateChange)
class CommissionRateChangeAdmin(LogAdmin):
    """The rate log: read-only, written by settlement.services.commission_rate_set."""

    list_display = ["changed_at", "target", "old_rate", "new_rate", "changed_by"]
    list_select_related = ["changed_by"]
    search_fields = ["target"]


# --- statements -------------------------------------------------------------------------


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    extra = 0
    can_delete = False
    fields = ["order_number", "order_group", "kind", "gross", "commission_rate", "commission", "net", "earned_at"]
    readonly_fields = fields
    gross = _money_column("gross_amount", "Gross")
    commission = _money_column("commission_amount", "Commission")
    net = _money_column("net_amount", "Net")

    @admin.display(description="Order")
    def order_number(self, obj):
        return obj.order_group.order.order_number

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_group__order", "order_group__supplier")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("settlement.view_statement")  # a statement's lines are part of it

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PeriodListFilter(admin.SimpleListFilter):
    title = "month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        periods = Statement.objects.order_by("-period").values_list("period", flat=True).distinct()[:36]
        return [(period_label(p), period_label(p)) for p in periods]

    def queryset(self, request, queryset):
        period = parse_period(self.value() or "")
        return queryset.filter(period=period) if period else queryset


class GenerateForm(forms.Form):
    period = forms.CharField(label="Month", max_length=7, help_text="YYYY-MM (UTC), e.g. 2026-11.")
    issue = forms.BooleanField(label="Issue them too (final: an issued statement never changes)", required=False)

    def clean_period(self):
        period = parse_period(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError("Enter a month as YYYY-MM.")
        return period


class PayoutForm(forms.Form):
    payout_reference = forms.CharField(max_length=200, help_text="The bank transfer's reference.")


class ReportForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError("'From' must not be after 'To'.")
        return cleaned


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["supplier", "month", "status", "gross", "commission", "net", "lines_count", "issued_at",
                    "paid_at", "payout_reference", "csv_link"]
    list_filter = ["status", PeriodListFilter, ("supplier", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["supplier"]
    search_fields = ["supplier__name", "payout_reference"]
    fields = ["supplier", "month", "status", "gross", "commission", "net", "currency", "lines_count", "issued_at",
              "issued_by", "paid_at", "paid_by", "payout_reference", "csv_link"]
    readonly_fields = fields
    inlines = [StatementLineInline]
    actions = ["issue_statements", "mark_paid"]
    change_list_template = "admin/settlement/statement/change_list.html"
    gross = _money_column("gross_amount", "Gross")
    commission = _money_column("commission_amount", "Commission")
    net = _money_column("net_amount", "Net payable")

    @admin.display(description="Month", ordering="period")
    def month(self, obj):
        return obj.period_label

    @admin.display(description="Lines")
    def csv_link(self, obj):
        return format_html('<a href="{}">CSV</a>', reverse("admin:settlement_statement_csv", args=[obj.pk]))

    def has_add_permission(self, request):
        return False  # statements are generated for a month

    def has_change_permission(self, request, obj=None):
        return False  # statements change only through their actions

    def has_delete_permission(self, request, obj=None):
        return False  # issued statements are records; drafts are regenerated, not deleted

    def has_issue_settlement_permission(self, request) -> bool:
        return request.user.has_perm("settlement.issue_settlement")

    def has_mark_settlement_paid_permission(self, request) -> bool:
        return request.user.has_perm("settlement.mark_settlement_paid")

    def get_urls(self):
        own = [
            path("generate/", self.admin_site.admin_view(self.generate_view), name="settlement_statement_generate"),
            path("report/", self.admin_site.admin_view(self.report_view), name="settlement_statement_report"),
            path("<int:pk>/lines.csv", self.admin_site.admin_view(self.csv_view), name="settlement_statement_csv"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            totals = selectors.totals_per_month(response.context_data["cl"].queryset)
            response.context_data["month_totals"] = [
                {**row, **{name: _cents(row[name]) for name in ("gross", "commission", "net")}} for row in totals]
            response.context_data["may_generate"] = request.user.has_perm("settlement.generate_settlements")
        return response

    def _each(self, request, queryset, verb: str, act) -> None:
        apply_to_each(self, request, queryset.select_related("supplier"), act,
                      done_message=f"{verb} {{count}} statement(s).")

    @admin.action(permissions=["issue_settlement"],
                  description="Issue selected statements (final; the supplier sees them)")
    def issue_statements(self, request, queryset):
        self._each(request, queryset, "Issued", lambda s: services.statement_issue(statement=s, user=request.user))

    @admin.action(permissions=["mark_settlement_paid"],
                  description="Mark selected statements paid (asks for the payout reference)")
    def mark_paid(self, request, queryset):
        form = PayoutForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reference = form.cleaned_data["payout_reference"]
            self._each(request, queryset, "Marked paid", lambda s: services.statement_mark_paid(
                statement=s, payout_reference=reference, user=request.user))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark statements paid",
            "opts": self.model._meta,
            "statements": queryset.select_related("supplier"),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "mark_paid",
        }
        return TemplateResponse(request, "admin/settlement/statement/mark_paid.html", context)

    def generate_view(self, request):
        if not request.user.has_perm("settlement.generate_settlements"):
            raise PermissionDenied
        last_month = previous_period(period_of(timezone.now()))
        form = GenerateForm(request.POST or None, initial={"period": period_label(last_month)})
        if request.method == "POST" and form.is_valid():
            issue = form.cleaned_data["issue"]
            if issue and not request.user.has_perm("settlement.issue_settlement"):
                raise PermissionDenied
            count = services.statements_generate(period=form.cleaned_data["period"], issue=issue, user=request.user)
            label = period_label(form.cleaned_data["period"])
            self.message_user(request, f"{label}: {count} statement(s) made or updated.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:settlement_statement_changelist") + f"?month={label}")
        context = {**self.admin_site.each_context(request), "title": "Generate settlement statements",
                   "opts": self.model._meta, "form": form}
        return TemplateResponse(request, "admin/settlement/statement/generate.html", context)

    def csv_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        statement = get_object_or_404(Statement.objects.select_related("supplier"), pk=pk)
        content = exports.statement_lines_csv(selectors.statement_lines(statement_id=statement.pk),
                                              currency=statement.currency)
        return _csv_response(content, exports.statement_filename(statement.supplier.slug, statement.period_label))

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        this_month = period_of(timezone.now())
        form = ReportForm(request.GET or None, initial={
            "start": this_month, "end": next_period(this_month) - dt.timedelta(days=1)})
        rows, total = None, None
        if form.is_bound and form.is_valid():
            start = day_bound(form.cleaned_data["start"], end_of_day=False)
            end = day_bound(form.cleaned_data["end"], end_of_day=True)
            rows, total = selectors.settlement_report(start=start, end=end)
            if request.GET.get("export") == "csv":
                name = f"settlement-report-{form.cleaned_data['start']}-{form.cleaned_data['end']}.csv"
                return _csv_response(exports.report_csv(rows, total), name)
        context = {**self.admin_site.each_context(request), "title": "Settlement report", "opts": self.model._meta,
                   "form": form, "rows": rows and [_shown(row) for row in rows], "total": total and _shown(total),
                   "query": request.GET.urlencode()}
        return TemplateResponse(request, "admin/settlement/statement/report.html", context)


def _shown(row: dict) -> dict:
    return {**row, **{name: _cents(row[name]) for name in ("gross_sales", "refunds", "commission", "net_payable")}}


def commission_figures(*, now: dt.datetime) -> list[dashboard.Figure]:
    rows = selectors.commission_this_month(now=now)
    earned = " + ".join(money(row["commission"], row["currency"]) for row in rows if row["commission"]) or money(0)
    sales = sum(row["sales"] for row in rows)
    return [dashboard.Figure(label="Commission earned this month", value=earned),
            dashboard.Figure(label="Sales earned this month", value=f"{sales:,}")]


dashboard.register_number(
    dashboard.NumberTile(key="commission", title="Commission", model=Statement, figures=commission_figures)
)

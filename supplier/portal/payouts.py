"""The supplier's payouts: its issued and paid settlement statements, each with a CSV of its lines.

Reads go through settlement.selectors with the login's supplier, so another supplier's
statement, or a draft, is a 404 here as in the Supplier API.
"""
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.views.generic import TemplateView, View

from settlement import exports, selectors

from .mixins import PortalMixin

PER_PAGE = 24  # two years of months


class PayoutListView(PortalMixin, TemplateView):
    template_name = "portal/payouts.html"
    portal_section = "payouts"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements = selectors.supplier_statement_list(supplier_id=self.supplier.pk)
        context["page"] = Paginator(statements, PER_PAGE).get_page(self.request.GET.get("page"))
        return context


class PayoutCsvView(PortalMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk: int):
        statement = selectors.supplier_statement_get(supplier_id=self.supplier.pk, statement_id=pk)
        content = exports.statement_lines_csv(selectors.statement_lines(statement_id=statement.pk),
                                              currency=statement.currency)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        filename = exports.statement_filename(self.supplier.slug, statement.period_label)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

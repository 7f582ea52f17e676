"""The supplier's orders (its order groups): a list with a status filter, and a detail page
whose buttons move the group through commerce.services.order_group_transition.

The buttons offered are the moves the one state machine (commerce.state) allows from the
group's status and its order's; the service decides again when the button is pressed.
"""
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView

from commerce import services, state
from commerce.models import OrderGroup
from supplier import selectors
from verso.errors import DomainError

from .mixins import PortalMixin

PER_PAGE = 20
MAX_COMMENT = 2000

# The verb on each button: what the supplier does to reach that status.
ACTIONS = {
    OrderGroup.CONFIRMED: "Confirm", OrderGroup.PROCESSING: "Start processing", OrderGroup.SHIPPED: "Mark shipped",
    OrderGroup.DELIVERED: "Mark delivered", OrderGroup.CANCELLED: "Cancel",
}


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any status"), *OrderGroup.STATUS_CHOICES])


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=OrderGroup.STATUS_CHOICES)
    comment = forms.CharField(label="Comment", required=False, max_length=MAX_COMMENT,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Recorded in the history with the change (a tracking number, a reason).")


def allowed_moves(*, group_status: str, order_status: str) -> list[tuple[str, str]]:
    """(status, button label) for every move a supplier may make now."""
    return [
        (target, ACTIONS.get(target, target.capitalize()))
        for target in state.group_allowed_targets(group_status, staff=False)
        if state.group_move_refusal(order_status=order_status, to_status=target) is None
    ]


class OrderListView(PortalMixin, TemplateView):
    template_name = "portal/orders/list.html"
    portal_section = "orders"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = OrderFilterForm(self.request.GET)
        status = filters.cleaned_data["status"] if filters.is_valid() else ""
        rows = selectors.order_group_list(supplier_id=self.supplier.pk)
        if status:
            rows = rows.filter(status=status)
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filters=filters, page=page, query=query.urlencode(), filtered=bool(status))
        return context


class OrderDetailView(PortalMixin, TemplateView):
    template_name = "portal/orders/detail.html"
    portal_section = "orders"

    def get(self, request, *args, **kwargs):
        self.row = selectors.order_group_detail(supplier_id=self.supplier.pk, group_id=kwargs["pk"])
        if self.row["supplier_opened_at"] is None:
            # Opened: no longer "new" (one write, the first time only; the badge drawn next counts it).
            services.order_group_mark_opened(group_id=self.row["id"], actor=self.actor)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        row = self.row
        for item in row["items"]:
            item["line_total"] = item["unit_price"] * item["quantity"]
        context.update(
            group=row, moves=allowed_moves(group_status=row["status"], order_status=row["order_status"]),
            form=kwargs.get("form") or TransitionForm(), max_comment=MAX_COMMENT,
        )
        return context

    def post(self, request, pk: int):
        group = selectors.order_group_get(supplier_id=self.supplier.pk, group_id=pk)  # another's: 404
        form = TransitionForm(request.POST)
        if not form.is_valid():
            # Shown again with the errors beside the comment (what was typed is kept).
            self.row = selectors.order_group_detail(supplier_id=self.supplier.pk, group_id=pk)
            if "status" in form.errors:
                messages.error(request, "That is not a status an order can move to.")
            return self.render_to_response(self.get_context_data(form=form))
        to_status = form.cleaned_data["status"]
        try:
            services.order_group_transition(group=group, to_status=to_status, actor=self.actor,
                                            comment=form.cleaned_data["comment"].strip())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Order {group.order.order_number} is now {to_status}.")
        return redirect("portal:order", pk=pk)

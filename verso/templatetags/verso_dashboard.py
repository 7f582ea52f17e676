"""``{% verso_dashboard %}``: the admin home's queues and numbers for the logged-in staff user."""
from django import template

from verso.dashboard import dashboard_for

register = template.Library()


@register.inclusion_tag("admin/verso/dashboard.html", takes_context=True)
def verso_dashboard(context):
    return dashboard_for(context["request"])

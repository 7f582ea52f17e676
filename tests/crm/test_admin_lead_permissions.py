"""Lead status actions in the admin need the change permission, not only the view one."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from crm.models import Lead
from tests.factories import LeadFactory
from tests.helpers import admin_actions_offered
from webhooks.models import Event

pytestmark = pytest.mark.django_db

LEADS = "/admin/crm/lead/"


def test_only_a_user_who_may_change_leads_moves_their_status(make_admin_client):
    # given
    viewer = make_admin_client("crm.view_lead")
    changer = make_admin_client("crm.view_lead", "crm.change_lead")
    lead = LeadFactory(status=Lead.Status.NEW)
    # when a view-only user forges "mark won"
    viewer.post(LEADS, {"action": "mark_won", ACTION_CHECKBOX_NAME: [lead.pk]})
    # then it is not offered and nothing changed
    assert not admin_actions_offered(viewer, LEADS) & {"mark_contacted", "mark_qualified", "mark_won", "mark_lost"}
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.NEW
    assert not Event.objects.filter(type="lead.updated").exists()
    # when the user who may change leads does it
    assert {"mark_contacted", "mark_qualified", "mark_won", "mark_lost"} <= admin_actions_offered(changer, LEADS)
    changer.post(LEADS, {"action": "mark_won", ACTION_CHECKBOX_NAME: [lead.pk]})
    # then
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.WON
    assert Event.objects.filter(type="lead.updated").count() == 1

"""Leads in the admin: saves go through crm.services, a refusal is a form error, never a 500."""
import pytest

from crm.models import Lead
from tests.factories import LeadFactory, UserFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "1",
    "message": "Hello", "status": "New", "source": "website", "notes": "", "tags": "vip, urgent",
}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_changelist_shows_leads_with_their_tags_and_filters(admin_client):
    LeadFactory(tags=["enterprise", "urgent"])

    response = admin_client.get("/admin/crm/lead/?status__exact=New&q=Doe")

    assert response.status_code == 200
    assert b"enterprise, urgent" in response.content


def test_adding_a_lead_in_the_admin_goes_through_the_service(admin_client):
    response = admin_client.post("/admin/crm/lead/add/", FORM)

    assert response.status_code == 302, response.content
    lead = Lead.objects.get()
    assert lead.tags == ["vip", "urgent"] and lead.notes is None
    assert Event.objects.filter(type="lead.created", data__id=lead.id).exists()


def test_changing_a_lead_in_the_admin_emits_lead_updated(admin_client):
    lead = LeadFactory(status="New", tags=["a"])
    form = {**FORM, "first_name": lead.first_name, "last_name": lead.last_name, "email": lead.email,
            "phone": lead.phone, "message": lead.message, "source": lead.source, "tags": "a", "status": "Won"}

    response = admin_client.post(f"/admin/crm/lead/{lead.id}/change/", form)

    assert response.status_code == 302, response.content
    event = Event.objects.get(type="lead.updated")
    assert event.data["previous_attributes"] == {"status": "New"}


def test_a_tag_the_service_refuses_is_shown_on_the_form_not_a_500(admin_client):
    response = admin_client.post("/admin/crm/lead/add/", {**FORM, "tags": "x" * 60})

    assert response.status_code == 200
    assert b"at most 50 characters" in response.content
    assert b'value="Jane"' in response.content
    assert not Lead.objects.exists() and not Event.objects.exists()


def test_the_bulk_status_action_goes_through_the_service(admin_client):
    leads = LeadFactory.create_batch(2)

    admin_client.post(
        "/admin/crm/lead/", {"action": "mark_contacted", "_selected_action": [lead.id for lead in leads]}
    )

    assert set(Lead.objects.values_list("status", flat=True)) == {"Contacted"}
    assert Event.objects.filter(type="lead.updated").count() == 2

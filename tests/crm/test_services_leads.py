"""crm.services: the rules every door (API, contact form, admin) goes through."""
import pytest

from crm import services
from crm.models import Lead
from verso.errors import NotFound, ValidationFailed
from webhooks.models import Event

pytestmark = pytest.mark.django_db

VALID = {"first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "1", "message": "Hi"}


def test_lead_create_stores_the_lead_and_its_event_together():
    lead = services.lead_create(**VALID, tags=["a"])

    assert Lead.objects.get() == lead
    event = Event.objects.get()
    assert event.type == "lead.created"
    assert event.data["id"] == lead.id and event.data["tags"] == ["a"]
    assert event.data["submitted_at"].endswith("Z")


def test_lead_create_trims_and_deduplicates_tags():
    lead = services.lead_create(**VALID, tags=[" vip ", "vip", "", "urgent"])

    assert lead.tags == ["vip", "urgent"]


def test_lead_create_refuses_every_bad_field_at_once_and_writes_nothing():
    with pytest.raises(ValidationFailed) as caught:
        services.lead_create(**{**VALID, "first_name": " ", "email": "x"}, status="Hot", tags="vip")

    assert set(caught.value.details) == {"first_name", "email", "status", "tags"}
    assert not Lead.objects.exists() and not Event.objects.exists()


def test_lead_update_of_a_missing_lead_is_not_found():
    with pytest.raises(NotFound, match="Lead not found"):
        services.lead_update(lead_id=12345, changes={"status": "Won"})


def test_lead_update_refuses_fields_it_does_not_know():
    lead = services.lead_create(**VALID)

    with pytest.raises(ValidationFailed) as caught:
        services.lead_update(lead_id=lead.id, changes={"submitted_at": "2020-01-01"})

    assert set(caught.value.details) == {"submitted_at"}


def test_lead_update_records_what_changed_in_its_event():
    lead = services.lead_create(**VALID)

    services.lead_update(lead_id=lead.id, changes={"status": "Qualified", "notes": "Budget confirmed", "phone": "1"})

    event = Event.objects.get(type="lead.updated")
    assert event.data["previous_attributes"] == {"status": "New", "notes": None}


def test_a_message_past_its_limit_is_refused_naming_it_on_create_and_update():
    at_limit = services.lead_create(**{**VALID, "message": "x" * services.MESSAGE_MAX_LENGTH})

    with pytest.raises(ValidationFailed) as on_create:
        services.lead_create(**{**VALID, "message": "x" * (services.MESSAGE_MAX_LENGTH + 1)})
    with pytest.raises(ValidationFailed) as on_update:
        services.lead_update(lead_id=at_limit.id, changes={"message": "y" * (services.MESSAGE_MAX_LENGTH + 1)})

    for refused in (on_create.value, on_update.value):
        assert refused.status_code == 422
        assert refused.details == {"message": f"Ensure this field has no more than {services.MESSAGE_MAX_LENGTH} "
                                              "characters."}
    assert Lead.objects.get().message == "x" * services.MESSAGE_MAX_LENGTH


def test_notes_past_their_limit_are_refused_naming_them_on_create_and_update():
    at_limit = services.lead_create(**VALID, notes="x" * services.NOTES_MAX_LENGTH)

    with pytest.raises(ValidationFailed) as on_create:
        services.lead_create(**VALID, notes="x" * (services.NOTES_MAX_LENGTH + 1))
    with pytest.raises(ValidationFailed) as on_update:
        services.lead_update(lead_id=at_limit.id, changes={"notes": "y" * (services.NOTES_MAX_LENGTH + 1)})

    for refused in (on_create.value, on_update.value):
        assert refused.status_code == 422
        assert refused.details == {"notes": f"Ensure this field has no more than {services.NOTES_MAX_LENGTH} "
                                            "characters."}
    assert Lead.objects.get().notes == "x" * services.NOTES_MAX_LENGTH

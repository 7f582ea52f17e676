"""Staff API: /api/v1/leads (contract: reference/staff-api.md, Leads)."""

import pytest

from crm.models import Lead
from tests.factories import LeadFactory
from tests.helpers import assert_same_shape, assert_staff_error, at, queries_for
from webhooks.models import Event

pytestmark = pytest.mark.django_db

CONTRACT_LEAD = {
    "id": 1,
    "first_name": "John",
    "last_name": "Doe",
    "email": "john@example.com",
    "phone": "+1-555-123-4567",
    "message": "Interested in your services",
    "status": "New",
    "source": "website",
    "notes": None,
    "tags": ["enterprise", "urgent"],
    "submitted_at": "2024-12-01T10:30:00Z",
}
CONTRACT_PAGINATION = {"page": 1, "per_page": 10, "total": 45, "pages": 5}
CONTRACT_CREATE_BODY = {
    "first_name": "Jane",
    "last_name": "Smith",
    "email": "jane@example.com",
    "phone": "+1-555-987-6543",
    "message": "Looking for enterprise pricing",
    "tags": ["enterprise", "priority"],
}


def _contract_lead(**overrides) -> Lead:
    fields = {k: v for k, v in CONTRACT_LEAD.items() if k not in ("id", "submitted_at")}
    fields["submitted_at"] = at(CONTRACT_LEAD["submitted_at"])
    fields.update(overrides)
    return LeadFactory(**fields)


# --- GET /api/v1/leads ------------------------------------------------------------------


def test_list_matches_the_contract_example_key_for_key(staff_client):
    lead = _contract_lead()

    response = staff_client.get("/api/v1/leads?status=New&per_page=10")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "pagination"]
    assert_same_shape(body["pagination"], CONTRACT_PAGINATION)
    assert body["pagination"] == {"page": 1, "per_page": 10, "total": 1, "pages": 1}
    assert body["data"] == [{**CONTRACT_LEAD, "id": lead.id}]
    assert_same_shape(body["data"][0], CONTRACT_LEAD)


def test_list_is_newest_first_by_default(staff_client):
    old = LeadFactory(submitted_at=at("2024-01-01T00:00:00Z"))
    new = LeadFactory(submitted_at=at("2024-06-01T00:00:00Z"))

    ids = [row["id"] for row in staff_client.get("/api/v1/leads").json()["data"]]

    assert ids == [new.id, old.id]


def test_list_filters_by_status(staff_client):
    LeadFactory(status="New")
    won = LeadFactory(status="Won")

    body = staff_client.get("/api/v1/leads?status=Won").json()

    assert [row["id"] for row in body["data"]] == [won.id]
    assert body["pagination"]["total"] == 1


def test_list_refuses_an_unknown_status_with_400(staff_client):
    body = assert_staff_error(staff_client.get("/api/v1/leads?status=Maybe"), 400, "VALIDATION_ERROR")
    assert "status" in body["details"]


def test_list_sorts_by_a_whitelisted_field_in_either_order(staff_client):
    b = LeadFactory(last_name="Brown")
    a = LeadFactory(last_name="Adams")
    c = LeadFactory(last_name="Clark")

    asc = staff_client.get("/api/v1/leads?sort=last_name&order=asc").json()["data"]
    desc = staff_client.get("/api/v1/leads?sort=last_name&order=desc").json()["data"]

    assert [row["id"] for row in asc] == [a.id, b.id, c.id]
    assert [row["id"] for row in desc] == [c.id, b.id, a.id]


def test_list_order_asc_alone_sorts_by_submitted_at_ascending(staff_client):
    old = LeadFactory(submitted_at=at("2024-01-01T00:00:00Z"))
    new = LeadFactory(submitted_at=at("2024-06-01T00:00:00Z"))

    ids = [row["id"] for row in staff_client.get("/api/v1/leads?order=asc").json()["data"]]

    assert ids == [old.id, new.id]


@pytest.mark.parametrize("query", ["sort=message", "sort=password", "sort=-submitted_at", "sort=tags"])
def test_list_refuses_a_sort_field_outside_the_whitelist_with_400(staff_client, query):
    body = assert_staff_error(staff_client.get(f"/api/v1/leads?{query}"), 400, "VALIDATION_ERROR")
    assert "sort" in body["details"]


@pytest.mark.parametrize("value", ["up", "ASC", "random"])
def test_list_refuses_an_order_other_than_asc_or_desc_with_400(staff_client, value):
    body = assert_staff_error(staff_client.get(f"/api/v1/leads?order={value}"), 400, "VALIDATION_ERROR")
    assert "order" in body["details"]


def test_list_filters_by_created_after_with_a_datetime(staff_client):
    LeadFactory(submitted_at=at("2024-12-01T10:29:59Z"))
    on_the_second = LeadFactory(submitted_at=at("2024-12-01T10:30:00Z"))

    data = staff_client.get("/api/v1/leads?created_after=2024-12-01T10:30:00Z").json()["data"]

    assert [row["id"] for row in data] == [on_the_second.id]


def test_list_filters_by_created_before_with_a_datetime_inclusively(staff_client):
    on_the_second = LeadFactory(submitted_at=at("2024-12-01T10:30:00Z"))
    LeadFactory(submitted_at=at("2024-12-01T10:30:01Z"))

    data = staff_client.get("/api/v1/leads?created_before=2024-12-01T10:30:00Z").json()["data"]

    assert [row["id"] for row in data] == [on_the_second.id]


def test_list_takes_dates_as_whole_utc_days(staff_client):
    LeadFactory(submitted_at=at("2024-11-30T23:59:59Z"))
    first = LeadFactory(submitted_at=at("2024-12-01T00:00:00Z"))
    last = LeadFactory(submitted_at=at("2024-12-01T23:59:59Z"))
    LeadFactory(submitted_at=at("2024-12-02T00:00:00Z"))

    data = staff_client.get("/api/v1/leads?created_after=2024-12-01&created_before=2024-12-01").json()["data"]

    assert [row["id"] for row in data] == [last.id, first.id]


def test_list_reads_offsets_in_created_after(staff_client):
    LeadFactory(submitted_at=at("2024-12-01T08:59:00Z"))
    later = LeadFactory(submitted_at=at("2024-12-01T09:00:00Z"))

    # 10:00 at +01:00 is 09:00 UTC; an unencoded "+" arrives as a space and is still understood.
    encoded = staff_client.get("/api/v1/leads?created_after=2024-12-01T10:00:00%2B01:00").json()["data"]
    unencoded = staff_client.get("/api/v1/leads?created_after=2024-12-01T10:00:00+01:00").json()["data"]

    assert [row["id"] for row in encoded] == [later.id]
    assert [row["id"] for row in unencoded] == [later.id]


@pytest.mark.parametrize("param", ["created_after", "created_before"])
@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-12-01T25:00:00Z", "12/01/2024"])
def test_list_refuses_an_unparsable_date_with_400_naming_it(staff_client, param, value):
    body = assert_staff_error(staff_client.get(f"/api/v1/leads?{param}={value}"), 400, "VALIDATION_ERROR")
    assert param in body["details"]


def test_list_refuses_created_after_later_than_created_before(staff_client):
    response = staff_client.get("/api/v1/leads?created_after=2024-12-02&created_before=2024-12-01")

    assert_staff_error(response, 400, "VALIDATION_ERROR")


def test_list_paginates_with_page_and_per_page(staff_client):
    leads = [LeadFactory(submitted_at=at(f"2024-12-{day:02d}T00:00:00Z")) for day in range(1, 6)]

    body = staff_client.get("/api/v1/leads?page=2&per_page=2&order=asc").json()

    assert [row["id"] for row in body["data"]] == [leads[2].id, leads[3].id]
    assert body["pagination"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}


def test_list_page_past_the_end_is_empty_with_correct_totals(staff_client):
    LeadFactory.create_batch(3)

    body = staff_client.get("/api/v1/leads?page=9&per_page=2").json()

    assert body == {"data": [], "pagination": {"page": 9, "per_page": 2, "total": 3, "pages": 2}}


def test_list_clamps_per_page_to_100(staff_client):
    assert staff_client.get("/api/v1/leads?per_page=500").json()["pagination"]["per_page"] == 100


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=0", "per_page=-1"])
def test_list_refuses_bad_pagination_with_400(staff_client, query):
    assert_staff_error(staff_client.get(f"/api/v1/leads?{query}"), 400, "VALIDATION_ERROR")


def test_list_runs_the_same_number_of_queries_for_1_or_100_rows(make_staff_client):
    client = make_staff_client(scopes=["read:leads"], rate_limit_override="1000/m")
    LeadFactory.create_batch(120, tags=["a", "b"])
    client.get("/api/v1/leads")  # warm the key cache

    assert queries_for(client, "/api/v1/leads?per_page=1") == queries_for(client, "/api/v1/leads?per_page=100")


def test_list_needs_the_read_leads_scope(make_staff_client):
    client = make_staff_client(scopes=["write:leads", "read:orders"])

    body = assert_staff_error(client.get("/api/v1/leads"), 403, "FORBIDDEN")
    assert "read:leads" in body["error"]


def test_list_needs_an_api_key(anon_client):
    assert_staff_error(anon_client.get("/api/v1/leads"), 401, "UNAUTHORIZED")


# --- GET /api/v1/leads/{id} -------------------------------------------------------------


def test_get_one_matches_the_contract_example(staff_client):
    lead = _contract_lead(tags=["enterprise"])

    response = staff_client.get(f"/api/v1/leads/{lead.id}")

    assert response.status_code == 200
    expected = {**CONTRACT_LEAD, "id": lead.id, "tags": ["enterprise"]}
    assert response.json() == expected
    assert_same_shape(response.json(), CONTRACT_LEAD)


def test_get_one_unknown_is_404_lead_not_found(staff_client):
    response = staff_client.get("/api/v1/leads/999999")

    body = assert_staff_error(response, 404, "NOT_FOUND")
    assert body["error"] == "Lead not found"


def test_get_one_needs_the_read_leads_scope(make_staff_client):
    lead = LeadFactory()
    client = make_staff_client(scopes=["write:leads"])

    assert_staff_error(client.get(f"/api/v1/leads/{lead.id}"), 403, "FORBIDDEN")


# --- POST /api/v1/leads -----------------------------------------------------------------


def test_create_with_the_contract_example_answers_201_and_stores_the_lead(staff_client):
    response = staff_client.post("/api/v1/leads", CONTRACT_CREATE_BODY, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert_same_shape(body, {"id": 46, "message": "Lead created successfully"})
    assert body["message"] == "Lead created successfully"
    lead = Lead.objects.get(pk=body["id"])
    assert (lead.first_name, lead.email, lead.tags) == ("Jane", "jane@example.com", ["enterprise", "priority"])
    assert (lead.status, lead.source, lead.notes) == ("New", "api", None)


def test_created_lead_reads_back_with_defaults(staff_client):
    lead_id = staff_client.post("/api/v1/leads", CONTRACT_CREATE_BODY, format="json").json()["id"]

    body = staff_client.get(f"/api/v1/leads/{lead_id}").json()

    assert body["status"] == "New" and body["source"] == "api" and body["notes"] is None
    assert body["submitted_at"].endswith("Z") and len(body["submitted_at"]) == len("2024-12-01T10:30:00Z")


def test_create_accepts_the_optional_fields(staff_client):
    body = {**CONTRACT_CREATE_BODY, "status": "Qualified", "source": "trade-show", "notes": "Met at the fair"}

    lead_id = staff_client.post("/api/v1/leads", body, format="json").json()["id"]

    lead = Lead.objects.get(pk=lead_id)
    assert (lead.status, lead.source, lead.notes) == ("Qualified", "trade-show", "Met at the fair")


def test_create_without_required_fields_is_422_naming_each(staff_client):
    response = staff_client.post("/api/v1/leads", {"first_name": "Jane"}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert set(body["details"]) == {"last_name", "email", "phone", "message"}
    assert Lead.objects.count() == 0


def test_create_with_blank_required_fields_is_422(staff_client):
    response = staff_client.post("/api/v1/leads", {**CONTRACT_CREATE_BODY, "first_name": "  "}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"first_name"}


def test_create_with_an_invalid_email_is_422(staff_client):
    response = staff_client.post("/api/v1/leads", {**CONTRACT_CREATE_BODY, "email": "not-an-email"}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"email"}


@pytest.mark.parametrize("tags", ["enterprise", [1, 2], ["ok", None], {"a": 1}, [["nested"]]])
def test_create_refuses_tags_that_are_not_a_list_of_strings(staff_client, tags):
    response = staff_client.post("/api/v1/leads", {**CONTRACT_CREATE_BODY, "tags": tags}, format="json")

    body = assert_staff_error(response, 422, "VALIDATION_ERROR")
    assert any(key.startswith("tags") for key in body["details"])
    assert Lead.objects.count() == 0


def test_create_refuses_an_unknown_status(staff_client):
    response = staff_client.post("/api/v1/leads", {**CONTRACT_CREATE_BODY, "status": "Hot"}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"status"}


def test_create_refuses_unknown_fields(staff_client):
    response = staff_client.post("/api/v1/leads", {**CONTRACT_CREATE_BODY, "stauts": "Won"}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"stauts"}


def test_create_emits_lead_created(staff_client):
    lead_id = staff_client.post("/api/v1/leads", CONTRACT_CREATE_BODY, format="json").json()["id"]

    event = Event.objects.get(type="lead.created")
    assert event.data["id"] == lead_id
    assert event.data["email"] == "jane@example.com"
    assert event.data["tags"] == ["enterprise", "priority"]


def test_create_needs_the_write_leads_scope(make_staff_client):
    client = make_staff_client(scopes=["read:leads"])

    assert_staff_error(client.post("/api/v1/leads", CONTRACT_CREATE_BODY, format="json"), 403, "FORBIDDEN")
    assert Lead.objects.count() == 0


def test_create_honours_an_idempotency_key(staff_client):
    headers = {"HTTP_IDEMPOTENCY_KEY": "lead-1"}

    first = staff_client.post("/api/v1/leads", CONTRACT_CREATE_BODY, format="json", **headers)
    again = staff_client.post("/api/v1/leads", CONTRACT_CREATE_BODY, format="json", **headers)

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1


# --- PATCH /api/v1/leads/{id} -----------------------------------------------------------


def test_patch_with_the_contract_example_updates_only_those_fields(staff_client):
    lead = LeadFactory(status="New", tags=["x"])

    response = staff_client.patch(
        f"/api/v1/leads/{lead.id}",
        {"status": "Contacted", "notes": "Called on 12/5, follow up scheduled"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"id": lead.id, "message": "Lead updated successfully"}
    lead.refresh_from_db()
    assert (lead.status, lead.notes, lead.tags) == ("Contacted", "Called on 12/5, follow up scheduled", ["x"])


def test_patch_can_change_tags_and_clear_notes(staff_client):
    lead = LeadFactory(notes="old", tags=["a"])

    staff_client.patch(f"/api/v1/leads/{lead.id}", {"tags": ["b", "c"], "notes": None}, format="json")

    lead.refresh_from_db()
    assert (lead.tags, lead.notes) == (["b", "c"], None)


def test_patch_with_an_unknown_status_is_422(staff_client):
    lead = LeadFactory()

    response = staff_client.patch(f"/api/v1/leads/{lead.id}", {"status": "Hot"}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"status"}
    lead.refresh_from_db()
    assert lead.status == "New"


def test_patch_with_an_invalid_email_is_422(staff_client):
    lead = LeadFactory()

    response = staff_client.patch(f"/api/v1/leads/{lead.id}", {"email": "nope"}, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"email"}


def test_patch_of_an_unknown_lead_is_404(staff_client):
    response = staff_client.patch("/api/v1/leads/999999", {"status": "Won"}, format="json")

    assert assert_staff_error(response, 404, "NOT_FOUND")["error"] == "Lead not found"


def test_patch_emits_lead_updated_with_the_previous_values(staff_client):
    lead = LeadFactory(status="New")

    staff_client.patch(f"/api/v1/leads/{lead.id}", {"status": "Won"}, format="json")

    event = Event.objects.get(type="lead.updated")
    assert event.data["id"] == lead.id
    assert event.data["status"] == "Won"
    assert event.data["previous_attributes"] == {"status": "New"}


def test_patch_that_changes_nothing_emits_nothing(staff_client):
    lead = LeadFactory(status="New")

    response = staff_client.patch(f"/api/v1/leads/{lead.id}", {"status": "New"}, format="json")

    assert response.status_code == 200
    assert not Event.objects.filter(type="lead.updated").exists()


def test_patch_needs_the_write_leads_scope(make_staff_client):
    lead = LeadFactory()
    client = make_staff_client(scopes=["read:leads"])

    assert_staff_error(client.patch(f"/api/v1/leads/{lead.id}", {"status": "Won"}, format="json"), 403, "FORBIDDEN")


def test_put_is_not_allowed(staff_client):
    lead = LeadFactory()

    assert_staff_error(staff_client.put(f"/api/v1/leads/{lead.id}", {}, format="json"), 405, "METHOD_NOT_ALLOWED")


def test_the_last_instant_is_a_valid_created_before(staff_client):
    LeadFactory()
    for value in ("9999-12-31", "9999-12-31T23:59:59.999999Z"):
        response = staff_client.get("/api/v1/leads", {"created_before": value})
        assert response.status_code == 200, response.content
        assert response.json()["pagination"]["total"] == 1


def test_a_message_past_the_services_limit_is_a_422_naming_it(make_staff_client):
    from crm.services import MESSAGE_MAX_LENGTH

    client = make_staff_client(scopes=["write:leads"])
    body = {**CONTRACT_CREATE_BODY, "message": "x" * (MESSAGE_MAX_LENGTH + 1)}

    response = client.post("/api/v1/leads", body, format="json")

    assert set(assert_staff_error(response, 422, "VALIDATION_ERROR")["details"]) == {"message"}
    assert not Lead.objects.exists()
    assert client.post("/api/v1/leads", {**body, "message": "x" * MESSAGE_MAX_LENGTH},
                       format="json").status_code == 201


def test_the_openapi_document_gives_the_services_message_limit():
    from django.test import Client

    from crm.services import MESSAGE_MAX_LENGTH

    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for name in ("LeadCreateInputRequest", "PatchedLeadUpdateInputRequest"):
        assert schema["components"]["schemas"][name]["properties"]["message"]["maxLength"] == MESSAGE_MAX_LENGTH

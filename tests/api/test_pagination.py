"""Both pagination shapes: defaults, clamping, bad parameters, pages past the end, query cost."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webhooks.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

STAFF = "/api/v1/_test/echo"
SUPPLIER = "/api/v1/supplier/_test/echo"


@pytest.fixture
def events():
    Event.objects.bulk_create(Event(type="lead.created", data={"n": n}) for n in range(230))



def test_staff_default_page_is_25(staff_client, events):
    body = staff_client.get(STAFF).json()
    assert len(body["data"]) == 25
    assert body["pagination"] == {"page": 1, "per_page": 25, "total": 230, "pages": 10}


def test_staff_page_and_per_page(staff_client, events):
    body = staff_client.get(STAFF, {"page": 2, "per_page": 50}).json()
    assert len(body["data"]) == 50
    assert body["pagination"] == {"page": 2, "per_page": 50, "total": 230, "pages": 5}
    last = staff_client.get(STAFF, {"page": 5, "per_page": 50}).json()
    assert len(last["data"]) == 30


def test_staff_per_page_above_100_is_clamped(staff_client, events):
    body = staff_client.get(STAFF, {"per_page": 10000}).json()
    assert len(body["data"]) == 100
    assert body["pagination"]["per_page"] == 100
    assert body["pagination"]["pages"] == 3


def test_page_past_the_end_is_empty_with_correct_totals(staff_client, supplier_client, events):
    body = staff_client.get(STAFF, {"page": 99}).json()
    assert body == {"data": [], "pagination": {"page": 99, "per_page": 25, "total": 230, "pages": 10}}
    body = supplier_client.get(SUPPLIER, {"page": 99}).json()
    assert body["data"]["events"] == []
    assert body["data"]["pagination"] == {"current_page": 99, "total_pages": 12, "total_items": 230, "per_page": 20}


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": 0}, {"page": -1}, {"per_page": "x"},
                                    {"per_page": 0}, {"per_page": -5}, {"page": "1.5"}])
def test_bad_page_parameters_are_400(staff_client, supplier_client, params):
    response = staff_client.get(STAFF, params)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()["details"]) <= {"page", "per_page"}
    response = supplier_client.get(SUPPLIER, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_supplier_shape_defaults_to_20(supplier_client, events):
    body = supplier_client.get(SUPPLIER).json()
    assert body["success"] is True
    assert len(body["data"]["events"]) == 20
    assert body["data"]["pagination"] == {"current_page": 1, "total_pages": 12, "total_items": 230, "per_page": 20}
    body = supplier_client.get(SUPPLIER, {"per_page": 500, "page": 3}).json()
    assert len(body["data"]["events"]) == 30
    assert body["data"]["pagination"] == {"current_page": 3, "total_pages": 3, "total_items": 230, "per_page": 100}


def test_empty_list_has_zero_pages(staff_client):
    assert staff_client.get(STAFF).json()["pagination"] == {"page": 1, "per_page": 25, "total": 0, "pages": 0}


def test_a_page_costs_the_same_queries_whatever_its_size(staff_client, events):
    staff_client.get(STAFF)  # warm the key cache
    counts = []
    for per_page in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            assert len(staff_client.get(STAFF, {"per_page": per_page}).json()["data"]) == per_page
        counts.append(len(queries))
    assert counts == [1, 1]

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


def test_staff_echo_lists_events_in_staff_shape(staff_client):
    response = staff_client.get("/api/v1/_test/echo")
    assert response.status_code == 200
    assert response.json() == {"data": [], "pagination": {"page": 1, "per_page": 25, "total": 0, "pages": 0}}


def test_staff_echo_creates(staff_client):
    response = staff_client.post("/api/v1/_test/echo", {"name": "x", "count": 2}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "Echo created successfully"
    assert response["X-RateLimit-Limit"] == "30"

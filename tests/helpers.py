"""Assertions and small helpers the API tests share (contract shapes, Staff API errors, query counts)."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_same_shape(actual: dict, example: dict) -> None:
    """Same keys as the contract's example, each value of the same JSON type."""
    assert list(actual) == list(example) or set(actual) == set(example), (sorted(actual), sorted(example))
    for key, value in example.items():
        assert type(actual[key]) is type(value), f"{key}: {type(actual[key]).__name__} != {type(value).__name__}"


def at(text: str) -> dt.datetime:
    """An ISO 8601 timestamp ("2024-12-01T10:30:00Z") as an aware datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_staff_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= {"error", "code", "details"} and {"error", "code"} <= set(body), body
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    return body


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)

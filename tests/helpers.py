"""Assertions and small helpers the API tests share (contract shapes, Staff API errors, query counts)."""
import datetime as dt
import threading

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


def run_at_once(*calls, timeout: float = 60) -> list:
    """Run each zero-argument callable on its own thread, all released at the same moment.

    Each thread gets (and closes) its own database connection, as concurrent requests do.
    Returns the results in the calls' order; the first exception any thread raised is re-raised.
    """
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results

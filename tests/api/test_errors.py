"""Every error under /api/v1/ and /api/v1/supplier/ is JSON in that API's envelope."""
import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]



def staff_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) <= {"error", "code", "details"} and body["error"]
    return body


def supplier_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["success"] is False and set(body["error"]) <= {"code", "message", "details"}
    return body["error"]


def test_unknown_paths_are_404_in_each_envelope(staff_client, supplier_client, anon_client):
    assert staff_error(staff_client.get("/api/v1/no-such-thing"), 404)["code"] == "NOT_FOUND"
    assert staff_error(anon_client.post("/api/v1/a/b/c", {}), 404)["code"] == "NOT_FOUND"
    assert supplier_error(supplier_client.get("/api/v1/supplier/nope"), 404)["code"] == "NOT_FOUND"
    assert supplier_error(anon_client.delete("/api/v1/supplier/x/y"), 404)["code"] == "NOT_FOUND"


def test_wrong_method_is_405(staff_client, supplier_client):
    assert staff_error(staff_client.delete("/api/v1/_test/echo"), 405)["code"] == "METHOD_NOT_ALLOWED"
    assert supplier_error(supplier_client.put("/api/v1/supplier/_test/echo", {}), 405)["code"] == "METHOD_NOT_ALLOWED"


def test_malformed_json_is_400(staff_client, supplier_client):
    bad = '{"name": "x",'
    body = staff_error(staff_client.post("/api/v1/_test/echo", bad, content_type="application/json"), 400)
    assert body["code"] == "BAD_REQUEST"
    error = supplier_error(
        supplier_client.post("/api/v1/supplier/_test/echo", bad, content_type="application/json"), 400
    )
    assert error["code"] == "BAD_REQUEST"


def test_oversized_body_is_413(staff_client, supplier_client):
    big = '{"name": "' + "x" * 2_700_000 + '"}'
    body = staff_error(staff_client.post("/api/v1/_test/echo", big, content_type="application/json"), 413)
    assert body["code"] == "PAYLOAD_TOO_LARGE"
    error = supplier_error(
        supplier_client.post("/api/v1/supplier/_test/echo", big, content_type="application/json"), 413
    )
    assert error["code"] == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_is_411_not_read_as_empty(staff_client, supplier_client):
    chunked = {"content_type": "application/json", "HTTP_TRANSFER_ENCODING": "chunked"}
    body = staff_error(staff_client.generic("POST", "/api/v1/_test/echo", b"", **chunked), 411)
    assert body["code"] == "LENGTH_REQUIRED" and "Content-Length" in body["error"]
    error = supplier_error(supplier_client.generic("POST", "/api/v1/supplier/_test/echo", b"", **chunked), 411)
    assert error["code"] == "LENGTH_REQUIRED"


def test_wrong_content_type_is_415(staff_client, supplier_client):
    body = staff_error(staff_client.post("/api/v1/_test/echo", "name=x", content_type="text/plain"), 415)
    assert body["code"] == "UNSUPPORTED_MEDIA_TYPE"
    error = supplier_error(
        supplier_client.post("/api/v1/supplier/_test/echo", "name=x", content_type="application/x-www-form-urlencoded"),
        415,
    )
    assert error["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_validation_errors_are_422_with_per_field_details(staff_client, supplier_client):
    body = staff_error(staff_client.post("/api/v1/_test/echo", {"count": 0, "email": "nope"}, format="json"), 422)
    assert body["code"] == "VALIDATION_ERROR"
    assert set(body["details"]) == {"name", "count", "email"}
    assert body["details"]["name"] == "This field is required."

    error = supplier_error(supplier_client.post("/api/v1/supplier/_test/echo", {"count": 1}, format="json"), 422)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"] == "name: This field is required."
    assert error["details"] == {"name": "This field is required."}


def test_unexpected_exceptions_are_500_without_internals(staff_client, supplier_client):
    staff_client.raise_request_exception = False
    supplier_client.raise_request_exception = False
    response = staff_client.get("/api/v1/_test/boom")
    body = staff_error(response, 500)
    assert body == {"error": "Internal server error", "code": "SERVER_ERROR"}
    assert b"secret internals" not in response.content and b"Traceback" not in response.content

    response = supplier_client.get("/api/v1/supplier/_test/boom")
    assert supplier_error(response, 500) == {"code": "SERVER_ERROR", "message": "Internal server error"}
    assert b"secret internals" not in response.content


def test_supplier_success_is_wrapped(supplier_client):
    response = supplier_client.post("/api/v1/supplier/_test/echo", {"name": "a", "count": 2}, format="json")
    assert response.status_code == 201
    assert response.json() == {"success": True, "data": {"echo": {"name": "a", "count": 2}}}


def test_any_accept_header_still_gets_json(staff_client):
    response = staff_client.get("/api/v1/_test/echo", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"

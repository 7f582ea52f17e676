"""Every error code of the Supplier API contract's table, produced by a real supplier endpoint,
in the supplier envelope: {"success": false, "error": {"code", "message", "details"?}}."""
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import assert_supplier_error
from verso.api.services import api_key_revoke

PRODUCTS = "/api/v1/supplier/products"


def test_401_unauthorized_without_a_key_or_with_an_unknown_one(db):
    assert_supplier_error(APIClient().get(PRODUCTS), 401, "UNAUTHORIZED")
    unknown = APIClient()
    unknown.credentials(HTTP_AUTHORIZATION="Bearer sk_live_000000000000_nope")
    assert_supplier_error(unknown.get(PRODUCTS), 401, "UNAUTHORIZED")


def test_403_forbidden_for_an_unverified_supplier_a_revoked_key_and_a_staff_key(make_supplier_client, staff_client):
    unverified = make_supplier_client(SupplierFactory(is_verified=False))
    revoked = make_supplier_client(SupplierFactory())
    api_key_revoke(api_key=revoked.api_key)

    assert "not verified" in assert_supplier_error(unverified.get(PRODUCTS), 403, "FORBIDDEN")["message"]
    assert "revoked" in assert_supplier_error(revoked.get(PRODUCTS), 403, "FORBIDDEN")["message"]
    assert_supplier_error(staff_client.get(PRODUCTS), 403, "FORBIDDEN")


def test_404_not_found_for_a_missing_product_and_an_unknown_path(supplier_client):
    assert_supplier_error(supplier_client.get(f"{PRODUCTS}/999999"), 404, "NOT_FOUND")
    assert_supplier_error(supplier_client.get("/api/v1/supplier/no-such-thing"), 404, "NOT_FOUND")


def test_422_validation_error_naming_the_fields(supplier_client):
    error = assert_supplier_error(supplier_client.post(PRODUCTS, {"name": ""}, format="json"), 422, "VALIDATION_ERROR")
    assert {"name", "category_id", "base_price", "unit"} <= set(error["details"])


def test_429_rate_limited_with_retry_after(make_supplier_client, throttle_clock):
    client = make_supplier_client(SupplierFactory(), rate_limit_override="2/h")
    assert client.get(PRODUCTS).status_code == client.get(PRODUCTS).status_code == 200
    response = client.get(PRODUCTS)
    assert_supplier_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) >= 1


def test_500_server_error_without_internals(supplier_client):
    ProductFactory(supplier=supplier_client.api_key.supplier)
    supplier_client.raise_request_exception = False

    def database_down(execute, sql, params, many, context):
        raise RuntimeError("database exploded at 10.0.0.7")

    with connection.execute_wrapper(database_down):
        response = supplier_client.get(PRODUCTS)

    error = assert_supplier_error(response, 500, "SERVER_ERROR")
    assert "10.0.0.7" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert error["message"] == "Internal server error"


def test_403_forbidden_for_an_expired_key(make_supplier_client):
    from datetime import timedelta

    from django.utils import timezone

    expired = make_supplier_client(SupplierFactory(), expires_at=timezone.now() - timedelta(seconds=1))
    assert "expired" in assert_supplier_error(expired.get(PRODUCTS), 403, "FORBIDDEN")["message"]

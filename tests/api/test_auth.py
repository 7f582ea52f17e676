"""Bearer authentication and scopes: who gets 401, who gets 403, in each API."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SupplierFactory
from tests.helpers import assert_staff_error
from verso.api.models import ApiKey
from verso.api.services import api_key_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

STAFF = "/api/v1/_test/echo"
SUPPLIER = "/api/v1/supplier/_test/echo"


def secret_part(raw: str) -> str:
    """sk_live_<prefix>_<secret>: the secret may itself contain underscores."""
    return raw.removeprefix("sk_live_").split("_", 1)[1]


def assert_supplier_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]


# --- Staff API ---------------------------------------------------------------------------


def test_staff_request_without_a_key_is_401(anon_client):
    response = anon_client.get(STAFF)
    assert_staff_error(response, 401, "UNAUTHORIZED")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer    ", "sk_live_abc_def"])
def test_staff_request_with_a_malformed_header_is_401(anon_client, header):
    anon_client.credentials(HTTP_AUTHORIZATION=header)
    assert_staff_error(anon_client.get(STAFF), 401, "UNAUTHORIZED")


def test_staff_request_with_an_unknown_key_is_401(staff_client, anon_client):
    # same prefix, wrong secret: the hash comparison must refuse it
    forged = staff_client.raw_key[:-4] + "AAAA"
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert_staff_error(anon_client.get(STAFF), 401, "UNAUTHORIZED")
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_doesnotexist_xyz")
    assert_staff_error(anon_client.get(STAFF), 401, "UNAUTHORIZED")


def test_staff_request_with_a_revoked_key_is_401(staff_client):
    api_key_revoke(api_key=staff_client.api_key)
    assert_staff_error(staff_client.get(STAFF), 401, "UNAUTHORIZED")


def test_staff_request_with_an_expired_key_is_401(make_staff_client):
    client = make_staff_client(expires_at=timezone.now() - timedelta(seconds=1))
    assert_staff_error(client.get(STAFF), 401, "UNAUTHORIZED")


def test_staff_key_with_a_future_expiry_works(make_staff_client):
    client = make_staff_client(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(STAFF).status_code == 200


def test_staff_request_without_the_scope_is_403(make_staff_client):
    client = make_staff_client(scopes=["read:orders"])
    response = client.get(STAFF)
    assert_staff_error(response, 403, "FORBIDDEN")
    assert "read:leads" in response.json()["error"]


def test_read_scope_does_not_allow_writes(make_staff_client):
    client = make_staff_client(scopes=["read:leads"])
    assert client.get(STAFF).status_code == 200
    assert_staff_error(client.post(STAFF, {"name": "a", "count": 1}, format="json"), 403, "FORBIDDEN")


def test_head_needs_the_read_scope(make_staff_client):
    assert make_staff_client(scopes=["read:leads"]).head(STAFF).status_code == 200
    assert make_staff_client(scopes=["read:orders"]).head(STAFF).status_code == 403


def test_supplier_key_on_the_staff_api_is_403(make_supplier_client):
    client = make_supplier_client(SupplierFactory())
    assert_staff_error(client.get(STAFF), 403, "FORBIDDEN")


def test_revoked_key_is_refused_on_the_very_next_request(staff_client):
    assert staff_client.get(STAFF).status_code == 200  # warms the cached key snapshot
    assert staff_client.get(STAFF).status_code == 200
    api_key_revoke(api_key=staff_client.api_key)
    assert_staff_error(staff_client.get(STAFF), 401, "UNAUTHORIZED")


# --- Supplier API ------------------------------------------------------------------------


def test_supplier_request_without_a_key_is_401(anon_client):
    assert_supplier_error(anon_client.get(SUPPLIER), 401, "UNAUTHORIZED")


def test_supplier_request_with_an_unknown_key_is_401(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_0123456789ab_nope")
    assert_supplier_error(anon_client.get(SUPPLIER), 401, "UNAUTHORIZED")


def test_supplier_request_with_a_revoked_key_is_403(make_supplier_client):
    client = make_supplier_client(SupplierFactory())
    assert client.get(SUPPLIER).status_code == 200
    api_key_revoke(api_key=client.api_key)
    assert_supplier_error(client.get(SUPPLIER), 403, "FORBIDDEN")


def test_staff_key_on_the_supplier_api_is_403(staff_client):
    assert_supplier_error(staff_client.get(SUPPLIER), 403, "FORBIDDEN")


def test_unverified_supplier_is_403_and_verification_takes_effect_at_once(make_supplier_client):
    from supplier.services import supplier_set_verified

    supplier = SupplierFactory(is_verified=False)
    client = make_supplier_client(supplier)
    assert_supplier_error(client.get(SUPPLIER), 403, "FORBIDDEN")
    supplier_set_verified(supplier=supplier, verified=True)
    assert client.get(SUPPLIER).status_code == 200
    supplier_set_verified(supplier=supplier, verified=False)
    assert_supplier_error(client.get(SUPPLIER), 403, "FORBIDDEN")


# --- cost of a request and storage of keys -----------------------------------------------


def test_warm_authenticated_get_costs_one_query_and_no_write(staff_client):
    staff_client.get(STAFF)  # cold: loads the key and records last_used_at once
    first_use = ApiKey.objects.get(pk=staff_client.api_key.pk).last_used_at
    assert first_use is not None
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(STAFF).status_code == 200
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert queries[0]["sql"].lstrip().upper().startswith("SELECT")
    assert ApiKey.objects.get(pk=staff_client.api_key.pk).last_used_at == first_use


def test_last_used_at_is_written_again_after_a_minute(staff_client):
    from django.core.cache import cache

    from verso.api import keys

    staff_client.get(STAFF)
    first_use = ApiKey.objects.get(pk=staff_client.api_key.pk).last_used_at
    # a minute later: the per-process and shared "touched" marks have expired
    keys.reset_local_state()
    cache.delete(f"apikey:touched:{staff_client.api_key.pk}")
    staff_client.get(STAFF)
    assert ApiKey.objects.get(pk=staff_client.api_key.pk).last_used_at > first_use


def test_raw_key_is_never_stored(staff_client):
    raw = staff_client.raw_key
    secret = secret_part(raw)
    staff_client.get(STAFF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apikey")
        rows = cursor.fetchall()
    dumped = repr(rows)
    assert raw not in dumped
    assert secret not in dumped
    assert ApiKey.objects.get(pk=staff_client.api_key.pk).prefix in dumped  # the lookup part is kept


def test_keys_carry_at_least_160_bits_of_randomness(staff_client):
    secret = secret_part(staff_client.raw_key)
    assert staff_client.raw_key.startswith("sk_live_")
    assert len(secret) * 6 >= 160  # url-safe base64: 6 bits per character


@pytest.mark.parametrize("path", ["/api/v1/leads", "/api/v1/appointments", "/api/v1/products"])
def test_describing_an_endpoint_with_options_needs_one_of_its_scopes(make_staff_client, path):
    outsider = make_staff_client(scopes=["read:orders"])
    assert outsider.options(path).status_code == 403
    reader = make_staff_client(scopes=[{"/api/v1/leads": "read:leads", "/api/v1/appointments": "read:appointments",
                                        "/api/v1/products": "read:products"}[path]])
    assert reader.options(path).status_code == 200

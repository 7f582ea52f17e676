"""Hostile or odd input gets a clear 4xx in the right envelope, never a 500."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verso.api.models import IdempotencyKey
from verso.api.services import api_key_create
from verso.errors import ValidationFailed
from webhooks.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

STAFF = "/api/v1/_test/echo"


@pytest.mark.parametrize("rate", ["0/m", "1/0m", "lots", "5/y", "-1/m"])
def test_a_rate_override_that_is_not_a_rate_is_refused(rate):
    with pytest.raises(ValidationFailed):
        api_key_create(name="x", scopes=["read:leads"], rate_limit_override=rate)


def test_an_enormous_page_number_is_400(staff_client):
    response = staff_client.get(STAFF, {"page": 10**20})
    assert response.status_code == 400
    assert response.json()["details"] == {"page": "Must be a whole number from 1 to 10000000."}


def test_an_unknown_path_still_counts_and_reports_the_rate_limit(staff_client):
    response = staff_client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response["X-RateLimit-Limit"] == "100"
    assert response["X-RateLimit-Remaining"] == "99"


def test_an_oversized_body_still_reports_the_rate_limit(staff_client):
    response = staff_client.post(STAFF, "x" * 2_700_000, content_type="application/json")
    assert response.status_code == 413
    assert response["X-RateLimit-Remaining"] == "29"


def test_a_response_that_fails_to_render_undoes_its_work_and_frees_the_key(staff_client):
    staff_client.raise_request_exception = False
    response = staff_client.post("/api/v1/_test/unrenderable", {}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error", "code": "SERVER_ERROR"}
    assert Event.objects.count() == 0  # the view's work rolled back with the failed response
    retry = staff_client.post("/api/v1/_test/unrenderable", {}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert retry.status_code == 500
    assert "Idempotent-Replayed" not in retry  # nothing was stored: the retry ran again
    assert Event.objects.count() == 0
    assert not IdempotencyKey.objects.exists()


def test_errors_stay_json_without_internals_under_debug(staff_client, settings):
    settings.DEBUG = True
    staff_client.raise_request_exception = False
    response = staff_client.post("/api/v1/_test/unrenderable", {}, format="json")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b"Traceback" not in response.content and b"object at 0x" not in response.content


def test_absurdly_nested_json_is_400(staff_client):
    response = staff_client.post(STAFF, "[" * 200_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_non_utf8_body_is_400(staff_client):
    response = staff_client.post(STAFF, b'{"name": "\xff\xfe"}', content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["[1, 2]", "42", '"text"', "null"])
def test_json_that_is_not_an_object_is_422(staff_client, body):
    response = staff_client.post(STAFF, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_too_many_query_parameters_is_400(staff_client):
    query = "&".join(f"a{n}=1" for n in range(1100))
    response = staff_client.get(f"{STAFF}?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_control_characters_in_keys_are_refused(staff_client, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer sk_live_ab\x00c_zzz")
    assert anon_client.get(STAFF).status_code == 401
    response = staff_client.post(STAFF, {"name": "a", "count": 1}, format="json", HTTP_IDEMPOTENCY_KEY="a\x00b")
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_the_bare_supplier_prefix_answers_in_the_supplier_envelope(anon_client):
    response = anon_client.get("/api/v1/supplier")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_options_needs_one_of_the_views_scopes(make_staff_client):
    assert make_staff_client(scopes=["read:orders"]).options(STAFF).status_code == 403
    assert make_staff_client(scopes=["write:leads"]).options(STAFF).status_code == 200


def test_the_same_json_with_keys_reordered_replays(staff_client):
    first = staff_client.post(STAFF, '{"name": "a", "count": 1}', content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="same")
    again = staff_client.post(STAFF, '{"count": 1,  "name": "a"}', content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="same")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"


def test_a_dead_cache_is_skipped_after_one_failure(staff_client, settings):
    staff_client.get(STAFF)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from verso.api import keys

    keys.reset_local_state()
    assert staff_client.get(STAFF).status_code == 200  # pays one failed connect, then skips the cache
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(STAFF).status_code == 200
    assert len(queries) == 2  # the key from the database, then the page

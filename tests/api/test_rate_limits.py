"""Per-key rate limits: headers, 429s, separate read/write budgets, shared across processes."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import SupplierFactory
from tests.helpers import test_database_url

pytestmark = [pytest.mark.urls("tests.api.urls"), pytest.mark.usefixtures("throttle_clock")]

STAFF = "/api/v1/_test/echo"
SUPPLIER = "/api/v1/supplier/_test/echo"


def assert_rate_headers(response, limit, remaining, clock, period=60):
    assert response["X-RateLimit-Limit"] == str(limit)
    assert response["X-RateLimit-Remaining"] == str(remaining)
    assert clock.now < int(response["X-RateLimit-Reset"]) <= clock.now + period


@pytest.mark.django_db
def test_every_response_carries_rate_limit_headers(staff_client, throttle_clock):
    assert_rate_headers(staff_client.get(STAFF), 100, 99, throttle_clock)
    assert_rate_headers(staff_client.get(STAFF), 100, 98, throttle_clock)
    response = staff_client.get(STAFF, {"page": "bad"})
    assert response.status_code == 400
    assert_rate_headers(response, 100, 97, throttle_clock)


@pytest.mark.django_db
def test_the_101st_read_in_a_minute_is_429(staff_client, throttle_clock):
    for n in range(100):
        assert staff_client.get(STAFF).status_code == 200, n
    response = staff_client.get(STAFF)
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert_rate_headers(response, 100, 0, throttle_clock)
    # Retry-After counts the seconds to the reset the headers announce
    assert int(response["Retry-After"]) == int(response["X-RateLimit-Reset"]) - throttle_clock.now


@pytest.mark.django_db
def test_the_budget_comes_back_when_the_window_ends(staff_client, throttle_clock):
    # given a key that has spent its reads
    for _ in range(100):
        staff_client.get(STAFF)
    refused = staff_client.get(STAFF)
    assert refused.status_code == 429
    # when the window it was told about ends
    throttle_clock.advance(int(refused["X-RateLimit-Reset"]) - throttle_clock.now)
    # then it has a whole new budget
    response = staff_client.get(STAFF)
    assert response.status_code == 200
    assert_rate_headers(response, 100, 99, throttle_clock)


@pytest.mark.django_db
def test_a_request_one_second_before_the_reset_is_still_refused(staff_client, throttle_clock):
    # given a key refused for the rest of its window
    refused = [staff_client.get(STAFF) for _ in range(101)][-1]
    assert refused.status_code == 429
    # when it tries again a second before the reset
    throttle_clock.advance(int(refused["X-RateLimit-Reset"]) - throttle_clock.now - 1)
    # then it is still refused, and told to wait that one second
    response = staff_client.get(STAFF)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"


@pytest.mark.django_db
def test_the_31st_write_is_429_and_writes_do_not_spend_reads(staff_client, throttle_clock):
    for n in range(30):
        response = staff_client.post(STAFF, {"name": "a", "count": 1}, format="json")
        assert response.status_code == 201, (n, response.content)
    response = staff_client.post(STAFF, {"name": "a", "count": 1}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) >= 1
    assert_rate_headers(response, 30, 0, throttle_clock)
    # reads have their own budget
    assert_rate_headers(staff_client.get(STAFF), 100, 99, throttle_clock)


@pytest.mark.django_db
def test_each_key_has_its_own_budget(make_staff_client):
    first, second = make_staff_client(), make_staff_client()
    for _ in range(100):
        first.get(STAFF)
    assert first.get(STAFF).status_code == 429
    assert second.get(STAFF).status_code == 200


@pytest.mark.django_db
def test_a_per_key_override_replaces_the_default(make_staff_client):
    client = make_staff_client(rate_limit_override="3/m")
    for _ in range(3):
        assert client.get(STAFF).status_code == 200
    assert client.get(STAFF).status_code == 429


@pytest.mark.django_db
def test_supplier_keys_get_1000_an_hour(make_supplier_client, throttle_clock):
    client = make_supplier_client(SupplierFactory())
    response = client.get(SUPPLIER)
    assert_rate_headers(response, 1000, 999, throttle_clock, period=3600)


@pytest.mark.django_db
def test_supplier_429_uses_the_supplier_envelope(make_supplier_client):
    client = make_supplier_client(SupplierFactory(), rate_limit_override="2/h")
    client.get(SUPPLIER)
    client.get(SUPPLIER)
    response = client.get(SUPPLIER)
    assert response.status_code == 429
    assert response.json()["success"] is False
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_requests_without_a_key_are_limited_per_ip(anon_client):
    for _ in range(100):
        assert anon_client.get(STAFF).status_code == 401
    assert anon_client.get(STAFF).status_code == 429


@pytest.mark.django_db
def test_api_fails_open_when_the_cache_is_unreachable(staff_client, settings):
    staff_client.get(STAFF)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from verso.api import keys

    keys.reset_local_state()
    response = staff_client.get(STAFF)
    assert response.status_code == 200
    assert response.json()["pagination"]["total"] == 0
    assert "X-RateLimit-Limit" not in response  # no counter to report


WORKER = r"""
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "verso.settings"
django.setup()
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
from verso.api import throttling
throttling.clock = lambda: float(sys.argv[3])  # the test's stopped clock: one window for both processes
client = Client(HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
codes = []
with override_settings(ROOT_URLCONF="tests.api.urls"):
    for _ in range(int(sys.argv[2])):
        codes.append(client.get("/api/v1/_test/echo").status_code)
print(json.dumps(codes))
"""


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_across_two_processes_sharing_redis(make_staff_client, throttle_clock):
    client = make_staff_client()  # committed: the other processes can see the key
    env = {**os.environ, "DATABASE_URL": test_database_url(), "REDIS_URL": settings.REDIS_URL}
    root = Path(settings.BASE_DIR)
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, client.raw_key, "70", str(throttle_clock.now)], cwd=root,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.extend(json.loads(out.strip().splitlines()[-1]))
    assert len(results) == 140
    assert results.count(200) == 100
    assert results.count(429) == 40


@pytest.mark.django_db
def test_keyless_traffic_behind_a_trusted_proxy_is_counted_per_client(anon_client, settings):
    settings.VERSO_TRUSTED_PROXY_HOPS = 1
    for _ in range(100):
        anon_client.get(STAFF, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert anon_client.get(STAFF, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert anon_client.get(STAFF, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 401

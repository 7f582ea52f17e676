"""Per-process caches (key snapshots, list pages) never outlive a change made in another
process, and with the shared cache down the API serves from the database."""
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from commerce import services
from commerce.actors import Actor
from commerce.models import Product
from tests.factories import ProductFactory
from tests.helpers import test_database_url
from verso.api.services import api_key_revoke

PRODUCTS = "/api/v1/products?per_page=100"

# A second process: a warm Django with its own key snapshots and page cache. It answers each
# path it reads on stdin with the status, the body and how many SQL queries it took.
WORKER = r"""
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "verso.settings"
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
client = Client(HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
for line in sys.stdin:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(line.strip())
    print(json.dumps({"status": response.status_code, "body": response.json(), "queries": len(queries)}), flush=True)
"""


class Worker:
    def __init__(self, raw_key: str):
        env = {**os.environ, "DATABASE_URL": test_database_url(), "REDIS_URL": settings.REDIS_URL,
               "VERSO_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"]}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, raw_key], cwd=Path(settings.BASE_DIR), env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )

    def get(self, path: str) -> dict:
        self.proc.stdin.write(path + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read()
        return json.loads(line)

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_process_sees_a_write_and_a_revocation_on_its_very_next_request(make_staff_client):
    # given a second process holding the key's snapshot and the products page in its own caches
    client = make_staff_client(rate_limit_override="1000/m")  # committed: the worker can see it
    product = ProductFactory(name="Before")
    worker = Worker(client.raw_key)
    try:
        assert [p["name"] for p in worker.get(PRODUCTS)["body"]["data"]] == ["Before"]
        served = worker.get(PRODUCTS)
        assert served["queries"] == 0  # from its page cache, its key from its snapshot
        # when this process changes the product (committed, as a request would)
        services.product_update(product=product, actor=Actor.system(), changes={"name": "After"})
        # then the worker's very next read shows it
        assert [p["name"] for p in worker.get(PRODUCTS)["body"]["data"]] == ["After"]
        # and when this process revokes the key, the worker's very next request is refused
        api_key_revoke(api_key=client.api_key)
        refused = worker.get(PRODUCTS)
        assert refused["status"] == 401
        assert refused["body"]["code"] == "UNAUTHORIZED"
    finally:
        worker.stop()


@pytest.mark.redis
@pytest.mark.django_db
def test_with_the_cache_down_a_list_is_served_from_the_database_and_the_fault_logged(staff_client, settings, caplog):
    # given a page this process has cached
    product = ProductFactory(name="Before")
    assert staff_client.get(PRODUCTS).json()["data"][0]["name"] == "Before"
    # when the shared cache goes away and the product changes meanwhile (no generation can be bumped)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.ERROR):
        Product.objects.filter(pk=product.pk).update(name="After")
        response = staff_client.get(PRODUCTS)
    # then the list still answers, from the database, not from the stale page
    assert response.status_code == 200
    assert response.json()["data"][0]["name"] == "After"
    assert "X-RateLimit-Limit" not in response  # no counter to report
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Could not bump the cache generations" in logged
    assert "Shared cache unavailable" in logged


DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def outage(settings):
    """outage.begin() takes the shared cache away; outage.end() brings it back as it was (same
    tokens: nothing written meanwhile reached it) once the fail-open skip window is over."""
    from verso.api import sharedcache

    class Outage:
        up = settings.CACHES

        def begin(self):
            settings.CACHES = DOWN

        def end(self):
            settings.CACHES = self.up
            sharedcache.reset()

    return Outage()


@pytest.fixture
def stopped_clocks(monkeypatch):
    """The clocks key snapshots and cached pages are aged by, moved only by the test."""
    from tests.conftest import StoppedClock
    from verso.api import keys, pagecache

    snapshots, pages = StoppedClock(1_800_000_000), StoppedClock(1_000)
    monkeypatch.setattr(keys, "clock", snapshots)
    monkeypatch.setattr(pagecache, "clock", pages)
    return snapshots, pages


@pytest.mark.redis
@pytest.mark.django_db
def test_a_key_revoked_while_the_cache_was_down_is_refused_once_its_snapshot_ages_out(
    make_staff_client, stopped_clocks, outage, caplog
):
    from verso.api import keys

    snapshots, _ = stopped_clocks
    client = make_staff_client()
    assert client.get(PRODUCTS).status_code == 200
    assert client.get(PRODUCTS).status_code == 200  # this process now remembers the key
    # the key is revoked while the cache is unreachable: its version token cannot move
    outage.begin()
    with caplog.at_level(logging.ERROR):
        api_key_revoke(api_key=client.api_key)
        assert client.get(PRODUCTS).status_code == 401  # read from the database meanwhile
    assert "Could not invalidate cached API keys" in " ".join(r.getMessage() for r in caplog.records)
    # the cache comes back with the old token; no snapshot outlives its lifetime
    outage.end()
    snapshots.advance(keys.SNAPSHOT_TTL)
    assert client.get(PRODUCTS).status_code == 401


@pytest.mark.redis
@pytest.mark.django_db
def test_a_write_made_while_the_cache_was_down_reaches_every_page_and_total_once_they_age_out(
    staff_client, stopped_clocks, outage
):
    from verso.api import pagecache

    _, pages = stopped_clocks
    ProductFactory.create_batch(2)
    first, deep = PRODUCTS, "/api/v1/products?per_page=1&page=2"
    for _ in range(2):
        assert staff_client.get(first).json()["pagination"]["total"] == 2
        assert staff_client.get(deep).json()["pagination"]["total"] == 2
    # a product is added while the cache is unreachable: no generation can be bumped
    outage.begin()
    ProductFactory()
    outage.end()
    pages.advance(pagecache.MAX_AGE + 1)
    assert staff_client.get(first).json()["pagination"]["total"] == 3
    # a page never cached, whose total was known before the outage, counts again too
    assert staff_client.get("/api/v1/products?per_page=1&page=3").json()["pagination"]["total"] == 3


@pytest.mark.redis
@pytest.mark.django_db
def test_after_an_outage_the_bump_generations_command_makes_every_process_refuse_a_key_revoked_meanwhile(
    make_staff_client, outage
):
    from django.core.management import call_command

    client = make_staff_client()
    assert client.get(PRODUCTS).status_code == 200
    assert client.get(PRODUCTS).status_code == 200
    outage.begin()
    api_key_revoke(api_key=client.api_key)
    outage.end()
    call_command("bump_generations")
    assert client.get(PRODUCTS).status_code == 401

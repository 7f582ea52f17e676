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

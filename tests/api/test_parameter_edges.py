"""Query parameters at the edges of what a database can hold: a 400 VALIDATION_ERROR naming the
parameter, never a 500, on PostgreSQL and on the embedded SQLite default alike.

The suite runs on PostgreSQL; the last test runs this module again in a child pytest on
SQLite (no DATABASE_URL), where an integer past 64 bits or a year-0 instant used to crash.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import assert_staff_error

ON_SQLITE_CHILD = "VERSO_PARAMETER_EDGES_CHILD"

REFUSED = [
    # (query, the parameter the 400 names)
    ("/api/v1/products?category_id=100000000000000000000", "category_id"),
    ("/api/v1/products?supplier_id=9223372036854775808", "supplier_id"),
    ("/api/v1/products?category_id=0", "category_id"),
    ("/api/v1/products?category_id=-1", "category_id"),
    ("/api/v1/products?category_id=%D9%A5", "category_id"),  # an Arabic-Indic five is not ASCII digits
    ("/api/v1/categories?parent_id=99999999999999999999999", "parent_id"),
    ("/api/v1/appointments?estimator_id=18446744073709551616", "estimator_id"),
    ("/api/v1/leads?created_after=0001-01-01T00:30:00%2B01:00", "created_after"),
    ("/api/v1/leads?created_before=0001-01-01T00:00:00%2B00:01", "created_before"),
    ("/api/v1/orders?created_before=9999-12-31T23:30:00-01:00", "created_before"),
    ("/api/v1/orders?created_after=9999-12-31T23:59:59-23:59", "created_after"),
    ("/api/v1/orders?status=", "status"),
    ("/api/v1/products?in_stock=1", "in_stock"),
    ("/api/v1/products?page=100000000000000000000", "page"),
    ("/api/v1/products?page=", "page"),
    ("/api/v1/products?per_page=9223372036854775808", "per_page"),
    ("/api/v1/products?per_page=" + "9" * 5000, "per_page"),  # past int()'s 4300-digit limit
    ("/api/v1/products?category_id=" + "1" * 5000, "category_id"),
    ("/api/v1/leads?sort=", "sort"),
    ("/api/v1/products?search=rose%00", "search"),  # PostgreSQL cannot compare text holding NUL
    ("/api/v1/orders?email=a%00@example.com", "email"),
]

ACCEPTED = [
    # The last representable instants and the largest id are fine: they just match nothing.
    "/api/v1/products?category_id=9223372036854775807",
    "/api/v1/leads?created_after=0001-01-01T00:00:00Z",
    "/api/v1/orders?created_before=9999-12-31T23:59:59Z",
    "/api/v1/orders?created_before=9999-12-31",
    "/api/v1/appointments?date_to=9999-12-31",
    "/api/v1/products?per_page=9223372036854775807",  # read as 100
    "/api/v1/products?per_page=000000000000000000000000042",
    "/api/v1/products?search=",  # an empty search box: no search
]

UNKNOWN_IDS = [
    # (method, path): an id past 64 bits (or 0) names no row, like any id that names none
    ("patch", "/api/v1/orders/99999999999999999999999/groups/1"),
    ("patch", "/api/v1/orders/1/groups/9223372036854775808"),
    ("get", "/api/v1/products/0"),
    ("get", "/api/v1/leads/9223372036854775808"),
    ("get", "/api/v1/categories/" + "9" * 5000),
    ("delete", "/api/v1/products/18446744073709551616"),
]


@pytest.mark.parametrize("url, parameter", REFUSED)
def test_a_parameter_the_database_cannot_hold_is_a_400_naming_it(staff_client, url, parameter):
    body = assert_staff_error(staff_client.get(url), 400, "VALIDATION_ERROR")
    assert parameter in body["details"], body


@pytest.mark.parametrize("url", ACCEPTED)
def test_the_last_representable_values_are_accepted(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("method, path", UNKNOWN_IDS)
def test_an_id_the_database_cannot_hold_is_a_404_like_any_unknown_id(staff_client, method, path):
    response = getattr(staff_client, method)(path, {"status": "confirmed"} if method == "patch" else None,
                                             format="json")
    assert_staff_error(response, 404, "NOT_FOUND")


@pytest.mark.skipif(os.environ.get(ON_SQLITE_CHILD) == "1", reason="already the SQLite run")
def test_the_same_edges_hold_on_the_embedded_sqlite_default(tmp_path):
    if not settings.IS_POSTGRES:
        pytest.skip("this run is on SQLite already")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DATABASE_URL", "REDIS_URL"))}
    env.update({ON_SQLITE_CHILD: "1", "VERSO_VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", __file__],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{len(REFUSED) + len(ACCEPTED) + len(UNKNOWN_IDS)} passed" in result.stdout, result.stdout[-1000:]

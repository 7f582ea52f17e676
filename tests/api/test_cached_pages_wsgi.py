"""The fast path in front of Django's WSGI handler (verso.wsgi, what gunicorn serves): a cached
page is answered there exactly as the full stack would answer it, a request it cannot answer
goes on to Django counted once, and a refused key is refused there too."""
import io
import sys
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ProductFactory
from verso.api.services import api_key_revoke
from verso.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

PRODUCTS = "/api/v1/products?per_page=100"


def wsgi_get(raw: str, url: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """One request through verso.wsgi.application, as gunicorn would make it (the path's
    UTF-8 bytes as latin-1 text, per PEP 3333)."""
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": unquote_to_bytes(parts.path).decode("latin-1"),
        "QUERY_STRING": parts.query, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "HTTP_AUTHORIZATION": f"Bearer {raw}",
    }
    started = []
    # As Django's test client does: the test's transaction must outlive the request's signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = application(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
        content = b"".join(body)
        getattr(body, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status.split()[0]), dict(headers), content


@pytest.fixture
def staff(make_staff_client):
    return make_staff_client(rate_limit_override="1000/m")


def test_a_cached_page_is_answered_in_front_of_django_like_the_full_stack_and_costs_no_query(staff, throttle_clock):
    ProductFactory.create_batch(3)
    full = wsgi_get(staff.raw_key, PRODUCTS)  # fills the cache, teaches the path its headers
    django_requests = []
    count = lambda **kwargs: django_requests.append(kwargs)  # noqa: E731
    request_started.connect(count)
    try:
        with CaptureQueriesContext(connection) as captured:
            cached = wsgi_get(staff.raw_key, PRODUCTS)
    finally:
        request_started.disconnect(count)
    assert len(captured) == 0
    assert django_requests == []  # answered in front of Django's handler
    assert (cached[0], cached[2]) == (200, full[2])
    assert int(cached[1]["X-RateLimit-Remaining"]) == int(full[1]["X-RateLimit-Remaining"]) - 1
    same = lambda headers: {h: v for h, v in headers.items() if h != "X-RateLimit-Remaining"}  # noqa: E731
    assert same(cached[1]) == same(full[1])


def test_a_request_the_front_cannot_answer_goes_to_django_counted_once(staff, throttle_clock):
    ProductFactory.create_batch(2)
    # the first read teaches the path its headers; the second, another page not cached yet,
    # is tried in front (one round trip, counted) and answered by Django reusing that trip
    remaining = [int(wsgi_get(staff.raw_key, url)[1]["X-RateLimit-Remaining"])
                 for url in (PRODUCTS, "/api/v1/products?per_page=1&page=2")]
    assert remaining[1] == remaining[0] - 1


def test_the_front_refuses_a_revoked_key_a_missing_scope_and_a_spent_budget(
        staff, make_staff_client, throttle_clock):
    wsgi_get(staff.raw_key, PRODUCTS)
    assert wsgi_get(staff.raw_key, PRODUCTS)[0] == 200
    api_key_revoke(api_key=staff.api_key)
    assert wsgi_get(staff.raw_key, PRODUCTS)[0] == 401
    leads_only = make_staff_client(scopes=["read:leads"])
    assert wsgi_get(leads_only.raw_key, PRODUCTS)[0] == 403
    three = make_staff_client(rate_limit_override="3/m")
    assert [wsgi_get(three.raw_key, PRODUCTS)[0] for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize("path", ["/api/v1/products/%C3%B4Q%F2%B0%81%8Bc",
                                  "/api/v1/supplier/orders/%F0%A7%B0%9B%C3%B8"])
def test_a_path_of_any_unicode_is_a_404_in_the_apis_envelope_not_a_crash(staff, path):
    status, headers, body = wsgi_get(staff.raw_key, path)
    assert status == 404
    assert headers["Content-Type"] == "application/json"

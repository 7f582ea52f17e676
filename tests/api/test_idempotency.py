"""Idempotency-Key on POST: replay, conflicts, concurrency, expiry, scoping to the API key,
and crash safety (the work and its stored response commit together or not at all)."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from commerce.models import Order, Product
from tests.commerce.conftest import ADDRESS
from tests.conftest import KeyedClient
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import run_at_once
from verso.api.models import IdempotencyKey
from webhooks import services as webhook_services
from webhooks.models import Event

pytestmark = [pytest.mark.urls("tests.api.urls")]

STAFF = "/api/v1/_test/echo"
SUPPLIER = "/api/v1/supplier/_test/echo"
ORDERS = "/api/v1/orders"
BODY = {"name": "widget", "count": 2}


def post(client, body=BODY, key="order-123"):
    return client.post(STAFF, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_repeat_with_the_same_key_and_body_replays_the_stored_response(staff_client):
    first = post(staff_client)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    second = post(staff_client)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Event.objects.count() == 1  # the work ran once


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_409(staff_client):
    post(staff_client)
    response = post(staff_client, {"name": "other", "count": 2})
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert Event.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_while_the_first_is_still_running_is_409(make_staff_client):
    # given a first request that has claimed the key and is in the middle of its work
    client = make_staff_client(scopes=["write:leads"])
    working, may_finish = threading.Event(), threading.Event()

    def pause_after_the_work(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "webhooks_event"'):
            working.set()
            may_finish.wait(timeout=30)
        return result

    def first():
        with connection.execute_wrapper(pause_after_the_work):
            return post(KeyedClient(client.raw_key, client.api_key)).status_code

    def second():
        working.wait(timeout=30)
        try:
            response = post(KeyedClient(client.raw_key, client.api_key))
            return response.status_code, response.json()["error"]
        finally:
            may_finish.set()

    # when the same key comes again meanwhile
    first_status, (second_status, message) = run_at_once(first, second)

    # then the second is refused and only the first acted
    assert (first_status, second_status) == (201, 409)
    assert "still being processed" in message
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_validation_failures_are_replayed_too(staff_client):
    first = post(staff_client, {"count": 0})
    assert first.status_code == 422
    again = post(staff_client, {"count": 0})
    assert again.status_code == 422
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_keys_are_scoped_to_the_api_key(make_staff_client):
    first, second = make_staff_client(), make_staff_client()
    assert post(first).status_code == 201
    response = post(second)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_keys_expire_after_24_hours(staff_client):
    post(staff_client)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    response = post(staff_client, {"name": "new", "count": 1})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_purge_removes_expired_keys(staff_client):
    from verso.api.tasks import purge_expired_idempotency_keys

    post(staff_client, key="old")
    post(staff_client, key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_expired_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_an_overlong_key_is_400(staff_client):
    response = post(staff_client, key="x" * 256)
    assert response.status_code == 400
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_without_the_header_every_post_acts(staff_client):
    staff_client.post(STAFF, BODY, format="json")
    staff_client.post(STAFF, BODY, format="json")
    assert Event.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_act_once(make_staff_client):
    client = make_staff_client(rate_limit_override="1000/m")

    def send():
        own = KeyedClient(client.raw_key, client.api_key)
        response = own.post(STAFF, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
        return response.status_code, response.get("Idempotent-Replayed")

    results = run_at_once(*[send] * 8)
    assert Event.objects.count() == 1
    acted = [r for r in results if r == (201, None)]
    assert len(acted) == 1
    assert all(status in (201, 409) for status, _ in results)


# --- crash safety: the work and its stored response commit together -----------------------


class StoringFailed(Exception):
    pass


def storing_the_response_fails_with(error: BaseException):
    """The request's work is done, then the database write that stores its response (the
    UPDATE of its idempotency row) raises ``error``: injected at the database, the code
    under test runs as it is."""

    def refuse(execute, sql, params, many, context):
        if sql.startswith('UPDATE "api_idempotencykey"'):
            raise error
        return execute(sql, params, many, context)

    return connection.execute_wrapper(refuse)


def place_order(client, product, key="order-1"):
    body = {"email": "buyer@example.com", "items": [{"product_id": product.pk, "quantity": 1}],
            "shipping_address": ADDRESS}
    return client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def committed_events(monkeypatch) -> list:
    """The events whose transaction committed, as the webhook hooks see them."""
    seen: list = []
    monkeypatch.setattr(webhook_services, "_committed_hooks", list(webhook_services._committed_hooks))
    webhook_services.on_event_committed(lambda event: seen.append(event.type))
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_order_is_placed_but_before_its_response_is_stored_commits_nothing(
    make_staff_client, committed_events
):
    # given storing the response fails after the order has been placed
    client = make_staff_client(scopes=["write:orders"])
    client.raise_request_exception = False
    product = ProductFactory(stock_qty=5)
    with storing_the_response_fails_with(StoringFailed("the response could not be stored")):
        # when
        response = place_order(client, product)
    # then it is a server error and nothing of the order was committed
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error", "code": "SERVER_ERROR"}
    assert not Order.objects.exists()
    assert Product.objects.get(pk=product.pk).stock_qty == 5
    assert not Event.objects.exists()
    assert committed_events == []

    # and when the client retries with the same key, the order is placed, once
    retry = place_order(client, product)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_qty == 4
    assert committed_events == ["order.created"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_before_its_commit_leaves_nothing_and_a_retry_places_the_order_at_once(
    make_staff_client, committed_events
):
    # given the worker is killed after placing the order, before the commit
    client = make_staff_client(scopes=["write:orders"])
    product = ProductFactory(stock_qty=5)
    # (SystemExit: what a gunicorn worker timeout or a deploy does to a request in flight)
    with storing_the_response_fails_with(SystemExit(1)), pytest.raises(SystemExit):
        place_order(client, product)
    # then nothing of the order was committed (its claim on the key is all that is left)
    assert not Order.objects.exists()
    assert Product.objects.get(pk=product.pk).stock_qty == 5
    assert committed_events == []
    assert IdempotencyKey.objects.get().status == IdempotencyKey.IN_PROGRESS

    # when the client retries at once with the same key
    retry = place_order(client, product)

    # then the dead request's claim does not hold it up: the order is placed, once
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_qty == 4
    assert committed_events == ["order.created"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_order_is_replayed_with_its_stored_body_and_never_placed_again(
    make_staff_client, committed_events
):
    # given an order placed with a key
    client = make_staff_client(scopes=["write:orders"])
    product = ProductFactory(stock_qty=5)
    first = place_order(client, product)
    assert first.status_code == 201
    # when the same request comes again
    again = place_order(client, product)
    # then it gets the same answer, marked as a replay, and nothing more happens
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock_qty == 4
    assert committed_events == ["order.created"]


@pytest.mark.django_db
def test_the_supplier_api_commits_the_work_and_its_stored_response_together(make_supplier_client):
    # given a supplier request whose response fails to be stored after its work
    client = make_supplier_client(SupplierFactory())
    client.raise_request_exception = False
    with storing_the_response_fails_with(StoringFailed("the response could not be stored")):
        failed = client.post(SUPPLIER, BODY, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    # then it is a server error in the supplier envelope, and the work was undone
    assert failed.status_code == 500
    assert failed.json() == {"success": False, "error": {"code": "SERVER_ERROR", "message": "Internal server error"}}
    assert not Event.objects.exists()
    # when retried, it acts once; a further repeat is a replay
    retry = client.post(SUPPLIER, BODY, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    again = client.post(SUPPLIER, BODY, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert (retry.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in retry
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == retry.json()
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # so "inside a transaction" means the request's own
def test_slow_preparation_runs_outside_the_transaction_an_idempotency_key_wraps_the_work_in(supplier_client):
    # when a POST with a key runs a view that prepares (downloads) before its work
    response = supplier_client.post(
        "/api/v1/supplier/_test/prepared", {}, format="json", HTTP_IDEMPOTENCY_KEY="prep-1"
    )
    # then the preparation ran outside any transaction, and the work inside one
    assert response.status_code == 201
    assert response.json()["data"] == {"prepared_in_transaction": False}


def test_a_refused_preparation_frees_the_key_so_a_retry_acts(supplier_client):
    # given a POST whose preparation is refused
    refused = supplier_client.post(
        "/api/v1/supplier/_test/prepared", {"fail": True}, format="json", HTTP_IDEMPOTENCY_KEY="prep-2"
    )
    assert refused.status_code == 422
    # then nothing holds the key: the same key with a fixed body acts (not a 409)
    retried = supplier_client.post(
        "/api/v1/supplier/_test/prepared", {}, format="json", HTTP_IDEMPOTENCY_KEY="prep-2"
    )
    assert retried.status_code == 201
    assert Event.objects.filter(type="lead.created").count() == 1

"""Idempotency-Key on POST: replay, conflicts, concurrency, expiry, scoping to the API key."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import KeyedClient
from tests.helpers import run_at_once
from verso.api.models import IdempotencyKey
from webhooks.models import Event

pytestmark = [pytest.mark.urls("tests.api.urls")]

STAFF = "/api/v1/_test/echo"
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


@pytest.mark.django_db
def test_the_same_key_while_the_first_is_still_running_is_409(staff_client):
    from django.test import RequestFactory

    from verso.api import idempotency

    # the first request has claimed the key and not finished yet
    request = RequestFactory().post(STAFF, data=b'{"name": "widget", "count": 2}', content_type="application/json")
    idempotency.begin(api_key_id=staff_client.api_key.pk, key="order-123", request=request)
    response = staff_client.post(STAFF, b'{"name": "widget", "count": 2}', content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="order-123")
    assert response.status_code == 409
    assert "still being processed" in response.json()["error"]
    assert Event.objects.count() == 0


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

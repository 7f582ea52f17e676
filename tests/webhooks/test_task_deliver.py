"""The deliver task's body, run in the test (no worker): answers, refusals, retries, disabling."""
import logging

import pytest
import standardwebhooks
from django.db import transaction
from django.utils import timezone

from tests.webhooks.conftest import queued_tasks
from webhooks.models import Delivery, Event, Webhook
from webhooks.services import emit, webhook_create
from webhooks.tasks import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_retries(settings):
    # A failed attempt is final here, so no retry is published to a broker.
    settings.VERSO_WEBHOOK_RETRY_DELAYS = []


def pending_delivery(url: str, **options) -> Delivery:
    webhook, _ = webhook_create(name="Receiver", url=url, events=["lead.created"], **options)
    with transaction.atomic():
        emit("lead.created", {"id": 1})
    return Delivery.objects.get(webhook=webhook)


def test_a_receiver_on_a_private_address_is_refused_when_private_urls_are_not_allowed(private_receiver, settings):
    # given a webhook on 127.0.0.2 (only 127.0.0.1 is allowed; plain http is accepted in DEBUG)
    settings.DEBUG = True
    delivery = pending_delivery(private_receiver.url())
    # when the delivery is attempted
    deliver(delivery.pk)
    # then nothing reaches the receiver and the delivery fails, saying why
    assert private_receiver.received == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, None)
    assert "internal" in delivery.last_error


def test_a_redirect_to_a_private_address_is_not_followed(receiver, private_receiver):
    # given a receiver on an allowed address that redirects to one that is not
    receiver.answers = [307]
    receiver.redirect_to = private_receiver.url()
    delivery = pending_delivery(receiver.url())
    # when the delivery is attempted
    deliver(delivery.pk)
    # then the redirect is a failed attempt and the other address is never called
    assert len(receiver.received) == 1
    assert private_receiver.received == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("failed", 307)


@pytest.mark.redis
def test_a_failed_attempt_is_retried_after_the_first_delay(receiver, settings, task_queue):
    # given retries one minute apart, and a receiver answering 500
    settings.VERSO_WEBHOOK_RETRY_DELAYS = [60, 300]
    receiver.answers = [500]
    delivery = pending_delivery(receiver.url())
    before = timezone.now()
    # when the first attempt fails
    deliver(delivery.pk)
    # then it stays pending, due in a minute, with the answer logged, and its retry is queued
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert 59 <= (delivery.next_attempt_at - before).total_seconds() <= 61
    [retry] = queued_tasks()
    assert retry["headers"]["task"] == "webhooks.tasks.deliver"
    assert retry["headers"]["eta"] is not None
    assert Webhook.objects.get(pk=delivery.webhook_id).consecutive_failures == 0


def test_410_gone_disables_the_endpoint_at_once(receiver):
    # given a receiver answering 410 Gone
    receiver.answers = [410]
    delivery = pending_delivery(receiver.url())
    # when a delivery is attempted
    deliver(delivery.pk)
    # then the delivery failed, the endpoint is disabled and gets no further deliveries
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("failed", 410)
    assert Webhook.objects.get(pk=delivery.webhook_id).disabled_at is not None
    with transaction.atomic():
        emit("lead.created", {"id": 2})
    assert Delivery.objects.count() == 1


def test_twenty_failed_deliveries_in_a_row_disable_the_endpoint(receiver):
    # given a receiver that always answers 500
    receiver.answers = [500]
    webhook, _ = webhook_create(name="Broken", url=receiver.url(), events=["lead.created"])
    for number in range(20):
        with transaction.atomic():
            emit("lead.created", {"id": number})
        # when its deliveries fail one after another
        deliver(Delivery.objects.filter(status="pending").get().pk)
        webhook.refresh_from_db()
        # then the 20th disables it, not before
        assert webhook.consecutive_failures == number + 1
        assert (webhook.disabled_at is not None) == (number == 19)


def test_a_success_resets_the_failure_count(receiver):
    receiver.answers = [500, 200]
    webhook, _ = webhook_create(name="Flaky", url=receiver.url(), events=["lead.created"])
    for number in range(2):
        with transaction.atomic():
            emit("lead.created", {"id": number})
        deliver(Delivery.objects.filter(status="pending").get().pk)
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0
    assert list(Delivery.objects.order_by("id").values_list("status", flat=True)) == ["failed", "succeeded"]


def test_a_task_for_a_delivery_already_done_sends_nothing(receiver):
    delivery = pending_delivery(receiver.url())
    deliver(delivery.pk)
    deliver(delivery.pk)
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)


def test_pending_deliveries_of_a_disabled_or_inactive_endpoint_are_not_sent(receiver):
    # given two pending deliveries whose endpoints were then disabled and switched off
    disabled = pending_delivery(receiver.url("/disabled"))
    inactive = pending_delivery(receiver.url("/inactive"))
    Webhook.objects.filter(pk=disabled.webhook_id).update(disabled_at=timezone.now())
    Webhook.objects.filter(pk=inactive.webhook_id).update(is_active=False)
    # when their tasks run
    deliver(disabled.pk)
    deliver(inactive.pk)
    # then nothing is sent and both wait
    assert receiver.received == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {("pending", 0)}


def test_the_body_is_the_event_and_verifies_with_standardwebhooks(receiver):
    delivery = pending_delivery(receiver.url())
    secret = Webhook.objects.get(pk=delivery.webhook_id).secret
    deliver(delivery.pk)
    [request] = receiver.received
    event = Event.objects.get(pk=delivery.event_id)
    assert standardwebhooks.Webhook(secret).verify(request.body, request.headers) == {
        "id": str(event.pk), "type": "lead.created",
        "created_at": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "data": {"id": 1},
    }


def test_the_secret_never_appears_in_the_log(receiver, caplog):
    receiver.answers = [500]
    delivery = pending_delivery(receiver.url())
    secret = Webhook.objects.get(pk=delivery.webhook_id).secret
    with caplog.at_level(logging.DEBUG):
        deliver(delivery.pk)
    assert caplog.records
    assert secret not in caplog.text
    assert secret.removeprefix("whsec_") not in caplog.text


def test_a_receiver_answering_2xx_with_a_big_body_is_a_success_read_no_further_than_64_kb(db, settings):
    from verso.fetch import fetch

    big = b"x" * (settings.VERSO_WEBHOOK_MAX_RESPONSE_BYTES * 3)

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(big)))
        handler.end_headers()
        handler.wfile.write(big)

    from tests.webserver import LocalServer

    with LocalServer("127.0.0.1") as server:
        url = server.route("/big", answer)
        result = fetch(url, max_bytes=settings.VERSO_WEBHOOK_MAX_RESPONSE_BYTES, deadline_seconds=5,
                       connect_timeout=1, read_timeout=1, truncate=True)
    assert result.status == 200 and len(result.body) == settings.VERSO_WEBHOOK_MAX_RESPONSE_BYTES

"""The delivery log in the admin: read-only, filterable, and "Redeliver" only with its permission."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from tests.helpers import admin_actions_offered, run_admin_action
from tests.webhooks.conftest import queued_tasks
from webhooks import services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

DELIVERIES = "/admin/webhooks/delivery/"


@pytest.fixture
def webhooks():
    orders, _ = services.webhook_create(name="Orders", url="https://orders.example.com/h", events=["order.created"])
    leads, _ = services.webhook_create(name="Leads", url="https://leads.example.com/h", events=["lead.created"])
    return orders, leads


def _delivery(webhook, event_type, status=Delivery.PENDING) -> Delivery:
    event = Event.objects.create(type=event_type, data={})
    return Delivery.objects.create(webhook=webhook, event=event, event_type=event_type, status=status)


def _listed(client, query: str) -> set[int]:
    response = client.get(DELIVERIES + query)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_the_log_filters_by_status_event_and_webhook(make_admin_client, webhooks):
    viewer = make_admin_client("webhooks.view_delivery")
    orders, leads = webhooks
    failed = _delivery(orders, "order.created", Delivery.FAILED)
    succeeded = _delivery(orders, "order.created", Delivery.SUCCEEDED)
    lead = _delivery(leads, "lead.created")

    assert _listed(viewer, "") == {failed.pk, succeeded.pk, lead.pk}
    assert _listed(viewer, "?status__exact=failed") == {failed.pk}
    assert _listed(viewer, "?event_type=lead.created") == {lead.pk}
    assert _listed(viewer, f"?webhook__id__exact={orders.pk}") == {failed.pk, succeeded.pk}
    assert viewer.get(f"{DELIVERIES}{failed.pk}/change/").status_code == 200


def test_the_log_is_read_only_even_for_a_user_with_every_model_permission(make_admin_client, webhooks):
    user = make_admin_client(*(f"webhooks.{p}_delivery" for p in ("view", "add", "change", "delete")))
    delivery = _delivery(webhooks[0], "order.created")

    assert user.get(f"{DELIVERIES}add/").status_code == 403
    user.post(f"{DELIVERIES}{delivery.pk}/change/", {"status": "succeeded"})
    user.post(f"{DELIVERIES}{delivery.pk}/delete/", {"post": "yes"})
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.PENDING
    assert "delete_selected" not in admin_actions_offered(user, DELIVERIES)


@pytest.mark.redis
def test_only_a_user_with_the_redeliver_permission_sends_a_delivery_again(
    make_admin_client, webhooks, task_queue, django_capture_on_commit_callbacks
):
    # given
    viewer = make_admin_client("webhooks.view_delivery")
    redeliverer = make_admin_client("webhooks.view_delivery", "webhooks.redeliver_delivery")
    delivery = _delivery(webhooks[0], "order.created", Delivery.FAILED)
    before = Delivery.objects.get(pk=delivery.pk).updated_at
    # when a view-only user forges the action
    with django_capture_on_commit_callbacks(execute=True):
        viewer.post(DELIVERIES, {"action": "redeliver", ACTION_CHECKBOX_NAME: [delivery.pk]})
    # then it is not offered, the delivery is untouched and nothing is queued
    assert "redeliver" not in admin_actions_offered(viewer, DELIVERIES)
    assert Delivery.objects.get(pk=delivery.pk).updated_at == before
    assert queued_tasks() == []
    # when the user who may redeliver runs it
    assert "redeliver" in admin_actions_offered(redeliverer, DELIVERIES)
    with django_capture_on_commit_callbacks(execute=True):
        response = run_admin_action(redeliverer, DELIVERIES, "redeliver", [delivery])
    # then the same delivery (same event) is sent again: its task is queued
    [task] = queued_tasks()
    assert task["headers"]["task"] == "webhooks.tasks.deliver" and str(delivery.pk) in task["headers"]["argsrepr"]
    assert "Sent 1 delivery(ies) again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.updated_at > before
    assert Delivery.objects.count() == 1

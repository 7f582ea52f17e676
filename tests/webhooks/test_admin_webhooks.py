"""Webhooks in the admin: created through the service with the secret shown once, never again;
re-enabled by ticking is_active; a webhook's recent deliveries on its page."""
import pytest
from django.utils import timezone

from webhooks import services
from webhooks.models import Delivery, Event, Webhook

pytestmark = pytest.mark.django_db

WEBHOOKS = "/admin/webhooks/webhook/"
HOOK = "https://hooks.example.com/verso"


@pytest.fixture
def adder(make_admin_client):
    return make_admin_client("webhooks.view_webhook", "webhooks.add_webhook")


@pytest.fixture
def changer(make_admin_client):
    return make_admin_client("webhooks.view_webhook", "webhooks.change_webhook")


@pytest.fixture
def webhook():
    webhook, _ = services.webhook_create(name="Orders", url=HOOK, events=["order.created"])
    return webhook


def _form(**overrides) -> dict:
    return {"name": "Orders", "url": HOOK, "events": ["order.created", "order.updated"], "is_active": "on",
            **overrides}


def test_adding_a_webhook_shows_its_secret_once_and_never_again(adder):
    # when
    response = adder.post(f"{WEBHOOKS}add/", _form())
    # then the confirmation shows the secret, uncached
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert webhook.secret.startswith("whsec_")
    assert webhook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert webhook.events == ["order.created", "order.updated"]
    # and no page shows it again
    for page in (WEBHOOKS, f"{WEBHOOKS}{webhook.pk}/change/", f"{WEBHOOKS}{webhook.pk}/history/"):
        again = adder.get(page)
        assert again.status_code == 200, page
        assert webhook.secret not in again.content.decode(), page


def test_a_url_the_service_refuses_is_shown_on_the_form(adder):
    response = adder.post(f"{WEBHOOKS}add/", _form(url="http://hooks.example.com/verso"))

    assert response.status_code == 200
    assert "Must be an https URL" in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("still_ticked", [False, True], ids=["unticked", "auto-disabled-still-ticked"])
def test_saving_with_is_active_ticked_re_enables_a_disabled_webhook(changer, webhook, still_ticked):
    # Disabling after failures leaves is_active True; staff may also have unticked it.
    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=still_ticked, disabled_at=timezone.now(), consecutive_failures=20)

    response = changer.post(f"{WEBHOOKS}{webhook.pk}/change/", _form(events=["order.created"]))

    assert response.status_code == 302, response.content
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.disabled_at, webhook.consecutive_failures) == (True, None, 0)


def test_a_webhooks_page_lists_its_twenty_most_recent_deliveries(make_admin_client, webhook):
    viewer = make_admin_client("webhooks.view_webhook")
    event = Event.objects.create(type="order.created", data={})
    Delivery.objects.bulk_create(
        [Delivery(webhook=webhook, event=event, event_type="order.created", last_error=f"error #{n}")
         for n in range(25)]
    )

    page = viewer.get(f"{WEBHOOKS}{webhook.pk}/change/").content.decode()

    shown = [n for n in range(25) if f"error #{n}<" in page]
    assert len(shown) == 20
    assert f"?webhook__id__exact={webhook.pk}" in page


def test_a_view_only_user_sees_webhooks_but_cannot_add_or_change_them(make_admin_client, webhook):
    viewer = make_admin_client("webhooks.view_webhook")

    assert viewer.get(WEBHOOKS).status_code == 200
    page = viewer.get(f"{WEBHOOKS}{webhook.pk}/change/")
    assert page.status_code == 200 and "Orders" in page.content.decode()
    assert webhook.secret not in page.content.decode()
    assert viewer.get(f"{WEBHOOKS}add/").status_code == 403
    viewer.post(f"{WEBHOOKS}{webhook.pk}/change/", _form(name="Renamed"))
    webhook.refresh_from_db()
    assert webhook.name == "Orders"


def test_deleting_a_webhook_in_the_admin_removes_it_and_its_log(make_admin_client, webhook):
    deleter = make_admin_client("webhooks.view_webhook", "webhooks.delete_webhook")
    event = Event.objects.create(type="order.created", data={})
    Delivery.objects.create(webhook=webhook, event=event, event_type="order.created")

    response = deleter.post(f"{WEBHOOKS}{webhook.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Webhook.objects.exists() and not Delivery.objects.exists()

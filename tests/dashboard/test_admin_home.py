"""The admin home: Verso's name, the work queues with counts that match their changelists, the
numbers, what each staff user sees, and a query cost that does not grow with the data."""
import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from commerce.models import Order
from crm.models import Lead
from tests.dashboard.conftest import home_counts, home_links
from tests.factories import AppointmentFactory, LeadFactory
from tests.helpers import queries_for
from verso import dashboard

pytestmark = pytest.mark.django_db
HOME = "/admin/"


def test_the_admin_says_verso_in_its_header_and_browser_tab(admin_client):
    html = admin_client.get(HOME).content.decode()
    assert "<title>Today | Verso</title>" in html
    assert '<a href="/admin/">Verso</a>' in html
    assert "Django administration" not in html


def test_an_operator_who_rebrands_sees_their_own_name(admin_client):
    from django.contrib import admin

    from verso.apps import VersoConfig

    # What VERSO_SITE_NAME=Fleur Market does at start-up. (Not monkeypatch: on the lazy
    # admin.site its undo restores Django's default instead of our name.)
    with override_settings(VERSO_SITE_NAME="Fleur Market"):
        VersoConfig.brand_admin()
    try:
        assert "<title>Today | Fleur Market</title>" in admin_client.get(HOME).content.decode()
    finally:
        VersoConfig.brand_admin()
    assert admin.site.site_title == "Verso"


def test_the_home_counts_every_queue_and_keeps_the_list_of_models(admin_client, queue_rows):
    html = admin_client.get(HOME).content.decode()
    assert home_counts(html) == queue_rows
    assert 'id="content-main"' in html and "app-commerce" in html  # Django's app list is still below


def test_each_queue_link_lists_exactly_the_rows_it_counts(admin_client, queue_rows):
    links = home_links(admin_client.get(HOME).content.decode())
    assert set(links) == set(queue_rows)
    for key, url in links.items():
        response = admin_client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        changelist = response.context["cl"]
        assert changelist.result_count == queue_rows[key], key
        noun = changelist.opts.verbose_name if queue_rows[key] == 1 else changelist.opts.verbose_name_plural
        assert f"{queue_rows[key]} {noun}" in response.content.decode(), key
        # and the rows listed are the queue's rows, chosen by its one condition
        queue = dashboard.QUEUES[key]
        assert set(changelist.queryset.values_list("pk", flat=True)) == set(
            queue.rows().values_list("pk", flat=True))


def test_a_user_with_some_view_permissions_sees_only_those_tiles(make_admin_client, queue_rows):
    client = make_admin_client("commerce.view_product", "webhooks.view_delivery", "crm.view_lead")
    html = client.get(HOME).content.decode()
    assert home_counts(html) == {"awaiting-approval": 2, "low-stock": 2, "failed-24h": 1}
    assert 'data-tile="leads"' in html
    assert 'data-tile="orders"' not in html and 'data-tile="appointments"' not in html
    assert "GMV" not in html


def test_a_user_without_view_permissions_sees_no_tiles(make_admin_client, queue_rows):
    html = make_admin_client().get(HOME).content.decode()
    assert "verso-queues" not in html and "verso-numbers" not in html


def test_the_numbers_count_orders_and_their_value_today_7_and_30_days(admin_client, place_order):
    from tests.factories import ProductFactory

    product = ProductFactory(price=1250)
    today, last_week, last_month, long_ago = (place_order((product, 1)) for _ in range(4))
    cancelled = place_order((product, 2))
    from commerce import services
    from commerce.actors import Actor

    services.order_transition(order=cancelled, to_status=Order.CANCELLED, actor=Actor.system())
    now = timezone.now()
    for order, days in ((last_week, 3), (last_month, 20), (long_ago, 40)):
        Order.objects.filter(pk=order.pk).update(created_at=now - dt.timedelta(days=days))
    LeadFactory.create_batch(2)
    Lead.objects.filter(pk=LeadFactory().pk).update(submitted_at=now - dt.timedelta(days=8))
    AppointmentFactory(scheduled_time=dashboard.start_of_day(now) + dt.timedelta(hours=23))

    figures = {f.label: f.value for tile in dashboard.dashboard_for(_request(admin_client))["numbers"]
               for f in tile.figures}

    assert figures["Orders today"] == "2"  # the cancelled one was placed, it just does not count as value
    assert figures["GMV today"] == "€12.50"
    assert figures["Orders last 7 days"] == "3" and figures["GMV last 7 days"] == "€25.00"
    assert figures["Orders last 30 days"] == "4" and figures["GMV last 30 days"] == "€37.50"
    assert figures["New leads this week"] == "2"
    assert figures["Appointments today"] == "1"
    html = admin_client.get(HOME).content.decode()
    assert "€37.50" in html and "GMV last 30 days" in html


def _request(client: Client):
    from django.test import RequestFactory

    request = RequestFactory().get(HOME)
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request


def test_the_settlement_hook_adds_a_number_tile_for_whoever_may_view_its_model(admin_client, make_admin_client):
    tile = dashboard.NumberTile(
        key="test-commission", title="Commission", model=Order,
        figures=lambda *, now: [dashboard.Figure(label="Commission this month", value="€1.00")],
    )
    dashboard.register_number(tile)
    try:
        assert "Commission this month" in admin_client.get(HOME).content.decode()
        assert "Commission this month" not in make_admin_client("crm.view_lead").get(HOME).content.decode()
    finally:
        del dashboard.NUMBERS[tile.key]


def test_the_home_costs_one_query_per_tile_whatever_the_amount_of_data(admin_client):
    from django.core.management import call_command

    from tests.dashboard.multiply import multiply_demo_data

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    before = queries_for(admin_client, HOME)
    multiply_demo_data(times=10)
    after = queries_for(admin_client, HOME)

    tiles = len(dashboard.QUEUES) + len(dashboard.NUMBERS)
    # session + user + the recent-actions box, then one query per tile
    assert after == before <= tiles + 3
    assert Order.objects.count() >= 500


def test_the_query_cost_holds_for_a_staff_user_with_a_role_too(role_client, queue_rows):
    client = role_client("Support")
    assert queries_for(client, HOME) <= len(dashboard.QUEUES) + len(dashboard.NUMBERS) + 5


def test_an_unknown_queue_on_a_changelist_filters_nothing(admin_client, queue_rows):
    response = admin_client.get(reverse("admin:commerce_product_changelist"), {"queue": "failed-24h"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == response.context["cl"].full_result_count

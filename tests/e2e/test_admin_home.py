"""Each staff role logs in to the admin in a real browser: the home shows that role's work queues
with the right counts, each queue's link lists exactly those rows, and Support can open every
page but finds nothing to change. A failing test leaves a screenshot (tests/e2e/conftest.py)."""
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User

from tests.dashboard.conftest import ROLES, queue_rows, staff_roles  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-12345-long"
BUSINESS_APPS = {"supplier", "commerce", "crm", "scheduling", "webhooks", "api", "settlement"}
ROLE_QUEUES = {
    "Catalogue moderator": {"awaiting-approval", "awaiting-verification", "low-stock"},
    "Order desk": {"awaiting-approval", "awaiting-verification", "low-stock", "pending-48h", "unshipped-3d"},
    "Integrations": {"failed-24h", "disabled"},
    "Finance": {"awaiting-verification", "pending-48h", "unshipped-3d"},  # reads suppliers and orders, not products
}


def _log_in_as(page, live_server, role: str, staff_roles) -> None:  # noqa: F811
    username = role.lower().replace(" ", "-")
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.groups.add(staff_roles[role])
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def _queues_on_home(page) -> dict[str, tuple[int, str]]:
    tiles = page.locator("li.verso-queue")
    return {
        tiles.nth(i).get_attribute("data-queue"): (
            int(tiles.nth(i).locator(".verso-count").inner_text()), tiles.nth(i).locator("a").get_attribute("href"),
        )
        for i in range(tiles.count())
    }


def test_each_role_sees_its_queues_and_each_link_lists_exactly_those_rows(
        page, live_server, queue_rows, staff_roles):  # noqa: F811
    for role, keys in ROLE_QUEUES.items():
        _log_in_as(page, live_server, role, staff_roles)
        assert "Verso" in page.title()
        shown = _queues_on_home(page)
        assert {key: count for key, (count, _) in shown.items()} == {key: queue_rows[key] for key in keys}
        for key, (count, href) in shown.items():
            page.goto(f"{live_server.url}{href}")
            assert page.locator("#result_list tbody tr").count() == count, (role, key)
            assert re.search(rf"\b{count} \w+", page.locator(".paginator").inner_text()), (role, key)


def test_support_opens_everything_and_finds_nothing_to_change(page, live_server, queue_rows, staff_roles):  # noqa: F811
    _log_in_as(page, live_server, "Support", staff_roles)
    shown = _queues_on_home(page)
    assert {key: count for key, (count, _) in shown.items()} == queue_rows
    models = [m for m in admin.site._registry if m._meta.app_label in BUSINESS_APPS]
    for model in models:
        opts = model._meta
        page.goto(f"{live_server.url}/admin/{opts.app_label}/{opts.model_name}/")
        assert page.locator("#changelist").count() == 1, opts.label
        assert page.locator("a.addlink").count() == 0, opts.label
        assert page.locator("select[name=action]").count() == 0, opts.label
        obj = model._default_manager.first()
        if obj is None:
            continue
        page.goto(f"{live_server.url}/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
        assert page.locator("#content h1").count() == 1, opts.label
        assert page.locator("input[name=_save], input[name=_continue], a.deletelink").count() == 0, opts.label

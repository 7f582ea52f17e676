"""A supplier downloads a settlement statement's CSV from the portal's Payouts page, in a real browser."""
import datetime as dt

import pytest

from commerce import services as commerce
from commerce.actors import Actor
from settlement import services
from settlement.models import StatementLine
from supplier.services import supplier_add_portal_user, supplier_create
from tests.commerce.conftest import ADDRESS
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "verso-demo-pass"


def test_a_supplier_downloads_a_statements_csv_from_the_payouts_page(page, live_server, portal_login, tmp_path):
    # given: an October sale of Bloom's, on an issued October statement
    supplier = supplier_create(name="Bloom & Stem", email="hello@bloom.example", verified=True)
    supplier_add_portal_user(supplier=supplier, username="bloom", password=PASSWORD)
    order = commerce.order_place(email="c@example.com", items=[
        {"product_id": ProductFactory(supplier=supplier, price=250).pk, "quantity": 4}],
        shipping_address=ADDRESS, actor=Actor.system())
    for status in ("paid", "shipped", "delivered"):
        commerce.order_transition(order=order, to_status=status, actor=Actor.system())
    StatementLine.objects.update(earned_at=dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC))
    services.statements_generate(period=dt.date(2026, 10, 1), issue=True)
    portal_login(live_server, "bloom", PASSWORD)
    # when
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Payouts").click()
    page.wait_for_url(f"{live_server.url}/portal/payouts/")
    assert page.locator("h1").inner_text() == "Payouts"
    row = page.get_by_role("row").filter(has_text="October 2026")
    assert "€8.50" in row.inner_text()
    with page.expect_download() as download_info:
        row.get_by_role("link", name="CSV for October 2026").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    # then
    assert download.suggested_filename == f"settlement-{supplier.slug}-2026-10.csv"
    assert saved.read_text().splitlines() == [
        "order_number,order_group_id,kind,earned_at,gross,commission_rate,commission,net,currency",
        f"{order.order_number},{order.groups.get().pk},sale,2026-10-15T12:00:00Z,10.00,15.00,1.50,8.50,eur",
    ]


def test_the_payouts_page_fits_a_390_px_wide_screen(page, live_server, portal_login):
    supplier = supplier_create(name="Chrysanthemum Santini Wholesale Growers International", verified=True)
    supplier_add_portal_user(supplier=supplier, username="wide", password=PASSWORD)
    order = commerce.order_place(email="c@example.com", items=[
        {"product_id": ProductFactory(supplier=supplier, price=123_456_78).pk, "quantity": 9}],
        shipping_address=ADDRESS, actor=Actor.system())
    for status in ("paid", "shipped", "delivered"):
        commerce.order_transition(order=order, to_status=status, actor=Actor.system())
    StatementLine.objects.update(earned_at=dt.datetime(2026, 9, 15, 12, tzinfo=dt.UTC))
    services.statements_generate(period=dt.date(2026, 9, 1), issue=True)
    statement = supplier.statements.get()
    services.statement_mark_paid(statement=statement, payout_reference="SEPA-2026-09-0000000001")
    page.set_viewport_size({"width": 390, "height": 800})
    portal_login(live_server, "wide", PASSWORD)
    page.goto(f"{live_server.url}/portal/payouts/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""The portal's stock and orders pages in a real browser: the stock table and CSV upload, an
order group confirmed and shipped, and a new order's badge and email (a real Celery worker)."""
import re

import pytest
from django.core import mail

from commerce.models import OrderGroup, Product
from supplier.services import supplier_add_portal_user, supplier_create
from tests.factories import ProductFactory
from tests.webhooks.conftest import task_queue, worker  # noqa: F401 - the webhook tests' real worker

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "verso-demo-pass"
PHONE_WIDTH = 390
ADDRESS = {"line1": "1 Canal St", "city": "Amsterdam", "state": "NH", "postal_code": "1011 AB", "country": "NL"}


@pytest.fixture
def supplier():
    supplier = supplier_create(name="Bloom & Stem", email="hello@bloom.example", verified=True)
    supplier_add_portal_user(supplier=supplier, username="bloom", password=PASSWORD)
    return supplier


def said(locator) -> str:
    return " ".join(locator.text_content().split())


def place_order(staff_client, *lines):
    response = staff_client.post("/api/v1/orders", {
        "email": "shop@buyer.example", "shipping_address": ADDRESS,
        "items": [{"product_id": product.pk, "quantity": quantity} for product, quantity in lines],
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_supplier_changes_stock_and_price_in_the_table_and_sees_them_saved(page, live_server, supplier,
                                                                            portal_login):
    rose = ProductFactory(supplier=supplier, name="Red rose", sku="ROSE", stock_qty=10, price=250)
    ProductFactory(supplier=supplier, name="White lily", sku="LILY", stock_qty=20, price=400)
    portal_login(live_server, "bloom", PASSWORD)

    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Stock").click()
    page.get_by_label("Stock of Red rose").fill("42")
    page.get_by_label("Price of Red rose in euros").fill("3.15")
    page.get_by_role("button", name="Save changes").click()

    assert page.get_by_role("status").first.inner_text() == "Saved 1 product."
    assert page.get_by_label("Stock of Red rose").input_value() == "42"
    assert page.get_by_label("Price of Red rose in euros").input_value() == "3.15"
    rose.refresh_from_db()
    assert (rose.stock_qty, rose.price) == (42, 315)

    page.get_by_label("Price of Red rose in euros").fill("3,15")  # a comma: refused beside the row
    page.get_by_role("button", name="Save changes").click()
    assert "Must be a number of euros" in page.locator(f"#error-{rose.pk}").inner_text()
    assert page.get_by_role("alert").inner_text().startswith("1 row was not saved")


def test_a_csv_upload_with_one_bad_row_applies_the_rest_and_shows_the_report(page, live_server, supplier,
                                                                            portal_login, tmp_path):
    ProductFactory(supplier=supplier, name="Red rose", sku="ROSE", stock_qty=10, price=250)
    ProductFactory(supplier=supplier, name="White lily", sku="LILY", stock_qty=20, price=400)
    sheet = tmp_path / "stock.csv"
    sheet.write_text("sku,stock_qty,base_price\nROSE,40,2.75\nLILY,-5,4.10\n")
    portal_login(live_server, "bloom", PASSWORD)

    page.goto(f"{live_server.url}/portal/stock/")
    page.get_by_label("CSV file", exact=True).set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and apply").click()

    report = page.get_by_role("table", name=re.compile("^Report"))
    assert page.get_by_role("heading", name=re.compile("^Report")).inner_text() == "Report: 2 rows, 1 not saved"
    rows = report.get_by_role("row")
    assert rows.nth(1).inner_text().split("\t")[:3] == ["2", "ROSE", "OK"]
    assert "LILY" in rows.nth(2).inner_text() and "stock_qty: Must be a whole number" in rows.nth(2).inner_text()
    assert page.get_by_label("Stock of Red rose").input_value() == "40"
    assert page.get_by_label("Stock of White lily").input_value() == "20"  # its price stayed too
    assert Product.objects.get(sku="LILY").price == 400


@pytest.mark.redis
def test_a_new_order_shows_the_badge_sends_one_email_and_is_confirmed_and_shipped(
        page, live_server, supplier, portal_login, worker, make_staff_client):  # noqa: F811
    tulip = ProductFactory(supplier=supplier, name="Yellow tulip", sku="TUL-Y", price=125)
    portal_login(live_server, "bloom", PASSWORD)
    orders_link = page.get_by_role("navigation", name="Portal").get_by_role("link", name=re.compile("^Orders"))
    assert said(orders_link) == "Orders"  # no badge yet

    # a storefront places an order through the Staff API
    order = place_order(make_staff_client(scopes=["write:orders"]), (tulip, 8), (ProductFactory(), 1))
    assert worker.wait_for(2, name="supplier.tasks.send_supplier_email") == 2  # one per supplier
    mine = [m for m in mail.outbox if m.to == ["hello@bloom.example"]]
    assert len(mine) == 1 and mine[0].subject == f"New order {order['order_number']}"
    group = OrderGroup.objects.get(supplier=supplier)
    assert f"/portal/orders/{group.pk}/" in mine[0].body

    page.reload()
    assert said(orders_link) == "Orders 1 new"  # what a screen reader says
    orders_link.click()
    page.get_by_role("link", name=order["order_number"]).click()
    assert said(orders_link) == "Orders"  # opened: no longer new

    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("status").first.inner_text() == f"Order {order['order_number']} is now confirmed."
    page.get_by_role("button", name="Start processing").click()
    # the next page, not the one being left, gets the comment
    page.get_by_role("status").filter(has_text="is now processing").wait_for()
    page.get_by_label("Comment").fill("DHL 3SABC123")
    page.get_by_role("button", name="Mark shipped").click()
    assert page.locator("#group-status").inner_text() == "Shipped"
    history = page.locator("#history").inner_text()
    assert "pending → confirmed" in history and "confirmed → processing" in history
    assert "processing → shipped — DHL 3SABC123" in history
    assert [b.inner_text() for b in page.locator("form .actions button").all()] == ["Mark delivered"]
    assert len([m for m in mail.outbox if m.to == ["hello@bloom.example"]]) == 1  # still one email


def test_the_stock_and_order_pages_fit_a_390_px_wide_screen(page, live_server, supplier, portal_login, tmp_path,
                                                           place_order):
    long = ProductFactory(supplier=supplier, name="Chrysanthemum Santini Extra Long Name Bicolour",
                          sku="CHRYS-SANTINI-BICOLOUR-0001", stock_qty=5)
    order = place_order((long, 2), email="a.very.long.customer.address@some-flower-shop.example")
    group = order.groups.get()
    sheet = tmp_path / "stock.csv"
    sheet.write_text("sku,stock_qty,base_price\nCHRYS-SANTINI-BICOLOUR-0001,abc,2,50\nNOPE,1,1\n")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    portal_login(live_server, "bloom", PASSWORD)
    too_wide = {}

    def measure(label: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[label] = width

    for url in ("/portal/stock/", "/portal/orders/", "/portal/orders/?status=pending", f"/portal/orders/{group.pk}/"):
        page.goto(f"{live_server.url}{url}")
        measure(url)
    page.goto(f"{live_server.url}/portal/stock/")
    page.get_by_label("CSV file", exact=True).set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and apply").click()
    page.get_by_role("heading", name=re.compile("^Report")).wait_for()
    measure("/portal/stock/ with a CSV report")
    page.get_by_label(f"Price of {long.name} in euros").fill("1,5")
    page.get_by_role("button", name="Save changes").click()
    page.locator(f"#error-{long.pk}").wait_for()
    measure("/portal/stock/ with a row error")

    assert too_wide == {}


def test_cancelling_asks_first_and_puts_the_stock_back(page, live_server, supplier, portal_login, place_order):
    tulip = ProductFactory(supplier=supplier, name="Yellow tulip", stock_qty=10)
    group = place_order((tulip, 4)).groups.get()
    portal_login(live_server, "bloom", PASSWORD)
    page.goto(f"{live_server.url}/portal/orders/{group.pk}/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel").click()
    assert page.locator("#group-status").inner_text() == "Pending"  # changed its mind: nothing sent

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{live_server.url}/portal/orders/{group.pk}/")
    page.get_by_text("is now cancelled").wait_for()
    assert page.locator("#group-status").inner_text() == "Cancelled"
    tulip.refresh_from_db()
    assert tulip.stock_qty == 10

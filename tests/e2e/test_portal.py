"""The supplier portal in a real browser: logging in, a product with an uploaded image, an API key's
whole life against the live Supplier API, and every page at a phone's width."""
import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from commerce.models import Product
from supplier.services import supplier_add_portal_user, supplier_create
from tests.factories import CategoryFactory, ProductFactory
from tests.webserver import image_bytes
from verso.api.models import ApiKey

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "verso-demo-pass"
PHONE_WIDTH = 390


@pytest.fixture
def supplier(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    supplier = supplier_create(name="Bloom & Stem", email="hello@bloom.example", verified=True)
    supplier_add_portal_user(supplier=supplier, username="bloom", password=PASSWORD)
    return supplier


def supplier_api(live_server, raw_key: str, path: str = "/api/v1/supplier/products") -> tuple[int, dict]:
    request = urllib.request.Request(f"{live_server.url}{path}", headers={"Authorization": f"Bearer {raw_key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_supplier_logs_in_with_the_keyboard_after_a_wrong_password(page, live_server, supplier):
    page.goto(f"{live_server.url}/portal/products/")
    page.wait_for_url(re.compile(r".*/portal/login/\?next=/portal/products/$"))

    page.get_by_label("Username").fill("bloom")
    page.get_by_label("Password").fill("wrong")
    page.get_by_label("Password").press("Enter")
    assert page.get_by_role("alert").inner_text().startswith("Please enter a correct username and password")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server.url}/portal/products/")
    assert page.locator("h1").inner_text() == "Products"
    assert page.get_by_role("navigation", name="Portal").get_by_role("link", name="Products").get_attribute(
        "aria-current") == "page"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/portal/login/")
    assert "You are logged out." in page.content()


def test_a_supplier_creates_a_product_with_an_uploaded_image_and_sees_it_pending(
        page, live_server, supplier, portal_login, tmp_path):
    CategoryFactory(name="Roses")
    photo = tmp_path / "red-rose.png"
    photo.write_bytes(image_bytes("PNG", size=(300, 200)))
    portal_login(live_server, "bloom", PASSWORD)

    page.get_by_role("link", name="Add a product").first.click()
    page.get_by_label("Name").fill("Red Roses Premium")
    page.get_by_label("SKU").fill("ROSE-RED-001")
    page.get_by_label("Category").select_option(label="Roses")
    page.get_by_label("Price (€, VAT included)").fill("2.50")
    page.get_by_label("Unit").select_option("stem")
    page.get_by_label("Stock").fill("500")
    page.get_by_label("Image files").set_input_files(str(photo))
    page.get_by_role("button", name="Create product").click()

    page.wait_for_url(re.compile(r".*/portal/products/\d+/$"))
    assert page.locator("h1").inner_text() == "Red Roses Premium"
    assert "waits for approval" in page.get_by_role("status").first.inner_text()
    assert page.locator(".status.pending").first.inner_text() == "Pending approval"
    thumbnail = page.get_by_role("img", name="Primary image")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0  # the stored thumbnail is served
    product = Product.objects.get()
    assert (product.supplier, product.approval_status, product.price) == (supplier, Product.PENDING, 250)

    page.get_by_role("link", name="Products").first.click()
    row = page.get_by_role("row").filter(has_text="Red Roses Premium")
    assert "Pending approval" in row.inner_text() and "€2.50" in row.inner_text()


def test_a_key_generated_in_the_portal_works_in_the_api_until_revoked_there(page, live_server, supplier, portal_login):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ProductFactory(supplier=supplier, name="Tulip Yellow")
    portal_login(live_server, "bloom", PASSWORD)

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Key name").fill("Shop sync")
    page.get_by_role("button", name="Generate key").click()
    raw = page.get_by_label("New API key").input_value()
    assert raw.startswith("sk_live_")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")  # set when the async copy resolves
    assert page.evaluate("navigator.clipboard.readText()") == raw

    status, body = supplier_api(live_server, raw)
    assert status == 200
    assert [row["name"] for row in body["data"]["products"]] == ["Tulip Yellow"]

    page.goto(f"{live_server.url}/portal/keys/")  # the key is never shown again
    assert raw not in page.content()
    prefix = ApiKey.objects.get().prefix
    row = page.get_by_role("row").filter(has_text=prefix)
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    assert "was revoked" in page.get_by_role("status").first.inner_text()

    status, body = supplier_api(live_server, raw)
    assert status == 403
    assert body["error"]["code"] == "FORBIDDEN"


def test_every_portal_page_fits_a_390_px_wide_screen(page, live_server, supplier, portal_login, tmp_path):
    # pages with long names, a rejection, images, low stock and a freshly generated key: the widest they get
    product = ProductFactory(supplier=supplier, name="Chrysanthemum Santini Extra Long Name Bicolour",
                             sku="CHRYS-SANTINI-BICOLOUR-0001", approval_status=Product.REJECTED,
                             rejection_reason="The photo shows tulips, not chrysanthemums.")
    ProductFactory(supplier=supplier, stock_qty=2)
    photo = tmp_path / "p.png"
    photo.write_bytes(image_bytes("PNG", size=(800, 600)))
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    too_wide = {}

    def measure(label: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[label] = width

    for url in ("/portal/login/", "/portal/password/reset/", "/portal/password/reset/sent/",
                "/portal/password/reset/done/", "/portal/password/reset/MQ/bad-token/"):
        page.goto(f"{live_server.url}{url}")
        measure(url)
    portal_login(live_server, "bloom", PASSWORD)
    page.goto(f"{live_server.url}/portal/products/{product.pk}/images/")
    page.get_by_label("Image files").set_input_files([str(photo), str(photo)])
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("img", name="Image 2").wait_for()
    for url in ("/portal/", "/portal/products/", "/portal/products/?status=rejected", "/portal/products/new/",
                f"/portal/products/{product.pk}/", f"/portal/products/{product.pk}/images/",
                f"/portal/products/{product.pk}/delete/", "/portal/keys/", "/portal/profile/", "/portal/password/"):
        page.goto(f"{live_server.url}{url}")
        measure(url)
    page.goto(f"{live_server.url}/portal/keys/")
    page.get_by_label("Key name").fill("A key with a rather long name for a small screen")
    page.get_by_role("button", name="Generate key").click()
    page.get_by_label("New API key").wait_for()
    measure("/portal/keys/ showing a new key")

    assert too_wide == {}

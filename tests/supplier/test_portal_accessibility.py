"""Every portal page, as a screen reader and a forger would meet it: each control has a label
(and what describes it, its help and its errors, exists), each image an alt text, each button
a name, and each form that posts carries the CSRF token."""
from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from commerce.models import Product
from tests.factories import ProductFactory, UserFactory
from tests.webserver import image_bytes

from .portal_helpers import portal_client

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageAudit(HTMLParser):
    """Collects what a page lacks: controls without a label, images without alt, nameless
    buttons, posting forms without the CSRF token."""

    def __init__(self):
        super().__init__()
        self.label_for, self.controls, self.problems = set(), [], []
        self.ids, self.described_by = set(), []
        self.label_depth = 0
        self.form = None  # the posting form being read: {"csrf": bool}
        self.button = None  # the text and aria-label of the button being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described_by += [(tag, attrs.get("name"), ref) for ref in attrs["aria-describedby"].split()]
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.form = {"csrf": False, "action": attrs.get("action", "")}
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.form is not None:
            self.form["csrf"] = True
        if tag in ("input", "select", "textarea") and attrs.get("type", "") not in UNLABELLED_TYPES:
            if not (self.label_depth or attrs.get("aria-label") or attrs.get("aria-labelledby")):
                self.controls.append((tag, attrs.get("id"), attrs.get("name")))
        if tag == "img" and "alt" not in attrs:
            self.problems.append(f"an image without alt: {attrs.get('src')}")
        if tag == "button":
            self.button = {"text": "", "label": attrs.get("aria-label", "")}

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        elif tag == "form" and self.form is not None:
            if not self.form["csrf"]:
                self.problems.append(f"a posting form without the CSRF token: {self.form['action']!r}")
            self.form = None
        elif tag == "button" and self.button is not None:
            if not (self.button["text"].strip() or self.button["label"]):
                self.problems.append("a button without a name")
            self.button = None

    def handle_data(self, data):
        if self.button is not None:
            self.button["text"] += data

    def close(self):
        super().close()
        for tag, control_id, name in self.controls:
            if control_id is None or control_id not in self.label_for:
                self.problems.append(f"a {tag} without a label: {name}")
        for tag, name, ref in self.described_by:
            if ref not in self.ids:
                self.problems.append(f"a {tag} described by a missing element: {name} -> {ref}")


def no_supplier_client() -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client


def audit(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture
def pages(settings, tmp_path, place_order):
    """Every portal page at its fullest: a rejected product with an image, an order, a new key, a CSV report."""
    settings.MEDIA_ROOT = tmp_path / "media"
    me = portal_client()
    product = ProductFactory(supplier=me.supplier, name="Red rose", sku="ROSE", stock_qty=2,
                             approval_status=Product.REJECTED, rejection_reason="Blurry photo")
    me.post(f"/portal/products/{product.pk}/images/",
            {"images": [SimpleUploadedFile("a.png", image_bytes("PNG"), content_type="image/png")] * 2})
    group = place_order((ProductFactory(supplier=me.supplier, name="White lily"), 1)).groups.get()
    urls = ["/portal/", "/portal/products/", "/portal/products/?status=rejected", "/portal/products/new/",
            f"/portal/products/{product.pk}/", f"/portal/products/{product.pk}/images/",
            f"/portal/products/{product.pk}/delete/", "/portal/stock/", "/portal/orders/",
            f"/portal/orders/{group.pk}/", "/portal/keys/", "/portal/profile/", "/portal/password/"]
    found = {url: me.get(url) for url in urls}
    found["the keys page with a new key"] = me.post("/portal/keys/", {"name": "Shop sync"})
    found["the stock page with a CSV report"] = me.post("/portal/stock/", {
        "action": "csv", "file": SimpleUploadedFile("s.csv", b"sku,stock_qty,base_price\nROSE,1,x\n")})
    found["the product form with errors"] = me.post("/portal/products/new/", {"name": ""})
    anonymous = Client()
    reset_link = (f"/portal/password/reset/{urlsafe_base64_encode(force_bytes(me.user.pk))}/"
                  f"{default_token_generator.make_token(me.user)}/")
    for url in ("/portal/login/", "/portal/password/reset/", "/portal/password/reset/sent/",
                "/portal/password/reset/done/", "/portal/password/reset/MQ/bad-token/", reset_link):
        found[url] = anonymous.get(url, follow=True)
    assert "new_password1" in found[reset_link].content.decode()
    found["a login that belongs to no supplier"] = no_supplier_client().get("/portal/")
    return found


def test_every_control_on_every_portal_page_is_labelled_and_every_post_carries_the_csrf_token(pages):
    problems = {}
    for name, response in pages.items():
        assert response.status_code == (403 if name.startswith("a login that") else 200), name
        found = audit(response.content.decode())
        if found:
            problems[name] = found
    assert problems == {}


def test_the_audit_itself_notices_what_it_looks_for():
    # given a page with each mistake once
    page = ('<form method="post"><input name="q" id="q"><select name="s"></select><img src="x.png">'
            '<button type="submit"> </button></form><label for="other">Other</label>'
            '<label for="t">T</label><input id="t" name="t" aria-describedby="t_error">')
    # then each is reported
    assert sorted(audit(page)) == sorted([
        "a posting form without the CSRF token: ''", "an image without alt: x.png", "a button without a name",
        "a input without a label: q", "a select without a label: s",
        "a input described by a missing element: t -> t_error"])

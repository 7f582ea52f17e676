"""Supplier API: a product's images, fetched from a real local HTTP server (and a canary nothing may reach)."""
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from commerce.models import ProductImage
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import assert_same_shape
from tests.webserver import image_bytes, jpeg_with_exif, png_bomb
from webhooks.models import Event

pytestmark = pytest.mark.django_db

CONTRACT_IMAGE = {"id": 1, "url": "/uploads/products/abc123.jpg",
                  "thumbnail_url": "/uploads/products/thumb_abc123.jpg", "is_primary": True}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]
    settings.VERSO_IMAGE_DEADLINE_SECONDS = 2
    settings.VERSO_IMAGE_READ_TIMEOUT = 1
    return settings.MEDIA_ROOT


@pytest.fixture
def product(supplier_client):
    return ProductFactory(supplier=supplier_client.api_key.supplier)


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def images_url(product, *rest) -> str:
    return "/".join([f"/api/v1/supplier/products/{product.pk}/images", *map(str, rest)])


def add(client, product, *urls, **headers):
    return client.post(images_url(product), {"image_url": ";".join(urls)}, format="json", **headers)


def served(url: str) -> bytes:
    response = Client().get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def assert_refused(response, naming: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == "VALIDATION_ERROR"
    assert body["error"]["details"]["image_url"].startswith(naming + ": ")


# --- adding -------------------------------------------------------------------------------------


def test_jpeg_png_and_webp_are_added_in_the_order_given_and_the_first_is_primary(
        supplier_client, product, media, origin):
    urls = [
        origin.serve("/b.webp", image_bytes("WEBP", (900, 600)), content_type="image/webp"),
        origin.serve("/a.jpg", image_bytes("JPEG", (800, 600)), content_type="image/jpeg"),
        origin.serve("/c.png", image_bytes("PNG", (300, 200)), content_type="image/png"),
    ]

    response = add(supplier_client, product, *urls)

    assert response.status_code == 201, response.content
    images = response.json()["data"]["images"]
    assert [image["is_primary"] for image in images] == [True, False, False]
    rows = list(ProductImage.objects.filter(product=product).order_by("position"))
    assert [row.source_url for row in rows] == urls
    assert [image["id"] for image in images] == [row.pk for row in rows]
    for image, kind in zip(images, ["WEBP", "JPEG", "PNG"], strict=True):
        assert_same_shape(image, CONTRACT_IMAGE)
        assert image["url"].startswith("/media/") and image["thumbnail_url"].startswith("/media/")
        original = Image.open(io.BytesIO(served(image["url"])))
        thumbnail = Image.open(io.BytesIO(served(image["thumbnail_url"])))
        assert original.format == thumbnail.format == kind
        assert max(thumbnail.size) <= 400
    assert Image.open(io.BytesIO(served(images[0]["url"]))).size == (900, 600)
    assert Image.open(io.BytesIO(served(images[0]["thumbnail_url"]))).size == (400, 267)
    assert len(files_in(media)) == 6


def test_the_list_shows_the_images_in_position_order_for_one_query(supplier_client, product, media, origin):
    add(supplier_client, product, *[origin.serve(f"/{n}.png", image_bytes("PNG")) for n in range(2)])
    url = images_url(product)
    assert supplier_client.get(url).status_code == 200  # warms the key

    with CaptureQueriesContext(connection) as queries:
        response = supplier_client.get(url)

    assert response.status_code == 200
    assert len(queries) == 1
    body = response.json()
    assert body["success"] is True and list(body["data"]) == ["images", "pagination"]
    assert body["data"]["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 2, "per_page": 20}
    rows = ProductImage.objects.filter(product=product).order_by("position")
    assert [image["id"] for image in body["data"]["images"]] == [row.pk for row in rows]


def test_a_product_without_images_lists_none(supplier_client, product):
    response = supplier_client.get(images_url(product))

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"images": [], "pagination": {
        "current_page": 1, "total_pages": 0, "total_items": 0, "per_page": 20}}}


def test_metadata_is_stripped_from_the_stored_image(supplier_client, product, media, origin):
    url = origin.serve("/exif.jpg", jpeg_with_exif())
    assert dict(Image.open(io.BytesIO(jpeg_with_exif())).getexif())  # the source does carry it

    image = add(supplier_client, product, url).json()["data"]["images"][0]

    assert dict(Image.open(io.BytesIO(served(image["url"]))).getexif()) == {}


def test_adding_images_emits_product_updated_with_the_images(supplier_client, product, media, origin):
    response = add(supplier_client, product, origin.serve("/a.png", image_bytes("PNG")))

    event = Event.objects.filter(type="product.updated").get()
    assert event.data["id"] == product.pk
    assert event.data["images"] == response.json()["data"]["images"]
    assert event.data["previous_attributes"]["images"] == []


def test_images_are_added_after_the_existing_ones_and_the_primary_stays(supplier_client, product, media, origin):
    first = add(supplier_client, product, origin.serve("/1.png", image_bytes("PNG"))).json()["data"]["images"]

    images = add(supplier_client, product, origin.serve("/2.png", image_bytes("PNG")),
                 origin.serve("/3.png", image_bytes("PNG"))).json()["data"]["images"]

    assert images[0] == first[0]
    assert [image["is_primary"] for image in images] == [True, False, False]
    assert list(ProductImage.objects.filter(product=product).values_list("position", flat=True)) == [0, 1, 2]


def test_a_repeated_idempotent_add_downloads_nothing_again(supplier_client, product, media, origin):
    url = origin.serve("/a.png", image_bytes("PNG"))

    first = add(supplier_client, product, url, HTTP_IDEMPOTENCY_KEY="add-1")
    again = add(supplier_client, product, url, HTTP_IDEMPOTENCY_KEY="add-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert origin.hits == ["/a.png"]
    assert ProductImage.objects.filter(product=product).count() == 1


# --- refusals: 422 naming the URL, and nothing of the request kept --------------------------------


def test_an_eleventh_image_is_refused_and_nothing_is_added(supplier_client, product, media, origin):
    ten = [origin.serve(f"/{n}.png", image_bytes("PNG")) for n in range(10)]
    assert add(supplier_client, product, *ten).status_code == 201
    files_before = files_in(media)

    response = add(supplier_client, product, origin.serve("/11.png", image_bytes("PNG")))

    assert response.status_code == 422
    assert "at most 10 images" in response.json()["error"]["details"]["image_url"]
    assert ProductImage.objects.filter(product=product).count() == 10
    assert files_in(media) == files_before
    assert "/11.png" not in origin.hits  # refused before downloading


def test_more_than_ten_urls_at_once_are_refused_before_downloading(supplier_client, product, media, origin):
    urls = [origin.serve(f"/{n}.png", image_bytes("PNG")) for n in range(11)]

    response = add(supplier_client, product, *urls)

    assert response.status_code == 422
    assert origin.hits == []
    assert not ProductImage.objects.exists()


def bad_sources(origin):
    """(name, URL) pairs the server answers with something that is not an acceptable image."""

    def lying_length(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.send_header("Content-Length", "1024")
        handler.end_headers()
        handler.wfile.write(image_bytes("JPEG", (2000, 2000), quality=100) + b"\0" * (6 * 1024 * 1024))

    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not origin.stopping.wait(0.05):
            handler.wfile.write(b"\xff")
            handler.wfile.flush()

    return {
        "six_megabytes": origin.serve("/big.jpg", b"\xff\xd8" + b"\0" * (6 * 1024 * 1024), content_type="image/jpeg"),
        "lying_content_length": origin.route("/liar.jpg", lying_length),
        "text_named_jpg": origin.serve("/photo.jpg", b"just some text, honest\n" * 20, content_type="image/jpeg"),
        "decompression_bomb": origin.serve("/bomb.png", png_bomb(), content_type="image/png"),
        "gif": origin.serve("/anim.jpg", image_bytes("GIF"), content_type="image/jpeg"),
        "dripping_server": origin.route("/drip.jpg", drip),
        "not_found": origin.url("/missing.jpg"),
    }


@pytest.mark.parametrize("source", ["six_megabytes", "lying_content_length", "text_named_jpg", "decompression_bomb",
                                    "gif", "dripping_server", "not_found"])
def test_a_bad_image_refuses_the_whole_request_and_keeps_nothing(supplier_client, product, media, origin, source):
    good = origin.serve("/good.jpg", image_bytes("JPEG"))
    bad = bad_sources(origin)[source]

    response = add(supplier_client, product, good, bad)

    assert_refused(response, naming=bad)
    assert not ProductImage.objects.exists()
    assert files_in(media) == []
    assert not Event.objects.filter(type="product.updated").exists()


def test_the_reasons_say_what_was_wrong(supplier_client, product, media, origin):
    sources = bad_sources(origin)
    expected = {
        "six_megabytes": "larger than 5242880 bytes", "text_named_jpg": "Not a JPEG, PNG or WebP image",
        "decompression_bomb": "more than 40000000 pixels", "dripping_server": "within 2 seconds",
        "not_found": "HTTP 404",
    }
    for source, reason in expected.items():
        details = add(supplier_client, product, sources[source]).json()["error"]["details"]["image_url"]
        assert reason in details, (source, details)


def test_a_redirect_to_another_internal_address_is_refused_and_never_reached(
        supplier_client, product, media, origin, canary):
    target = canary.serve("/secret.png", image_bytes("PNG"))
    url = origin.redirect("/hop.png", target)

    response = add(supplier_client, product, url)

    assert_refused(response, naming=url)
    assert canary.hits == []
    assert files_in(media) == []


def test_urls_to_internal_addresses_are_refused(supplier_client, product, media, canary):
    for url in ("http://10.0.0.1/a.jpg", "http://[::ffff:127.0.0.2]/a.jpg", "http://2130706434/a.jpg",
                canary.url("/a.png"), "ftp://example.com/a.jpg"):
        assert_refused(add(supplier_client, product, url), naming=url)
    assert canary.hits == []


@pytest.mark.parametrize("body", [{}, {"image_url": ""}, {"image_url": " ; "}, {"image_url": 5},
                                  {"image_url": "http://a/b.jpg", "extra": 1}])
def test_a_body_without_urls_is_refused(supplier_client, product, body):
    response = supplier_client.post(images_url(product), body, format="json")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


# --- tenancy ------------------------------------------------------------------------------------


def test_another_suppliers_product_is_not_found_before_anything_is_downloaded(supplier_client, media, origin):
    theirs = ProductFactory(supplier=SupplierFactory())
    missing_url = "/api/v1/supplier/products/999999999/images"
    url = origin.serve("/a.png", image_bytes("PNG"))

    for path in (images_url(theirs), missing_url):
        listed = supplier_client.get(path)
        added = supplier_client.post(path, {"image_url": url}, format="json")
        assert listed.status_code == added.status_code == 404
        assert listed.json() == added.json() == {
            "success": False, "error": {"code": "NOT_FOUND", "message": "Product not found"},
        }

    assert origin.hits == []
    assert not ProductImage.objects.exists()


def test_an_image_of_another_product_or_supplier_is_not_found(supplier_client, product, media, origin):
    url = origin.serve("/a.png", image_bytes("PNG"))
    other_product = ProductFactory(supplier=product.supplier)
    add(supplier_client, product, url)
    mine = ProductImage.objects.get(product=product)
    theirs_product = ProductFactory(supplier=SupplierFactory())
    theirs = ProductImage.objects.create(product=theirs_product, image="products/x.png", is_primary=True)

    for action in ("delete", "primary"):
        wrong_product = supplier_client.post(images_url(other_product, mine.pk, action))
        their_image = supplier_client.post(images_url(product, theirs.pk, action))
        their_product = supplier_client.post(images_url(theirs_product, theirs.pk, action))

        assert wrong_product.json()["error"]["message"] == their_image.json()["error"]["message"] == "Image not found"
        assert their_product.json()["error"]["message"] == "Product not found"
        assert {wrong_product.status_code, their_image.status_code, their_product.status_code} == {404}

    assert ProductImage.objects.filter(pk__in=[mine.pk, theirs.pk], is_primary=True).count() == 2


# --- deleting and the primary --------------------------------------------------------------------


def test_deleting_the_primary_removes_its_files_and_promotes_the_next(
        supplier_client, product, media, origin, django_capture_on_commit_callbacks):
    images = add(supplier_client, product, *[origin.serve(f"/{n}.png", image_bytes("PNG")) for n in range(3)]
                 ).json()["data"]["images"]
    primary = images[0]
    served(primary["url"])

    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(images_url(product, primary["id"], "delete"))

    assert response.status_code == 200
    remaining = response.json()["data"]["images"]
    assert [image["id"] for image in remaining] == [images[1]["id"], images[2]["id"]]
    assert [image["is_primary"] for image in remaining] == [True, False]
    assert Client().get(primary["url"]).status_code == 404
    assert Client().get(primary["thumbnail_url"]).status_code == 404
    assert len(files_in(media)) == 4
    served(remaining[0]["url"])


def test_deleting_the_last_image_leaves_none(
        supplier_client, product, media, origin, django_capture_on_commit_callbacks):
    image = add(supplier_client, product, origin.serve("/1.png", image_bytes("PNG"))).json()["data"]["images"][0]

    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(images_url(product, image["id"], "delete"))

    assert response.json() == {"success": True, "data": {"images": [], "pagination": {
        "current_page": 1, "total_pages": 0, "total_items": 0, "per_page": 20}}}
    assert files_in(media) == []


def test_set_primary_keeps_exactly_one_primary(supplier_client, product, media, origin):
    images = add(supplier_client, product, *[origin.serve(f"/{n}.png", image_bytes("PNG")) for n in range(3)]
                 ).json()["data"]["images"]

    response = supplier_client.post(images_url(product, images[2]["id"], "primary"))

    assert response.status_code == 200
    assert [image["is_primary"] for image in response.json()["data"]["images"]] == [False, False, True]
    assert list(ProductImage.objects.filter(product=product, is_primary=True).values_list("pk", flat=True)) == [
        images[2]["id"]]
    again = supplier_client.post(images_url(product, images[2]["id"], "primary"))
    assert again.json() == response.json()


def test_media_of_a_missing_file_is_not_found(media):
    assert Client().get("/media/products/nothing-here.png").status_code == 404
    assert Client().get("/media/../verso/settings.py").status_code == 404


# --- image_url on POST /products ------------------------------------------------------------------


def test_a_product_created_with_image_urls_gets_them_in_order_the_first_one_primary(
    supplier_client, media, origin
):
    # given
    category = ProductFactory().category
    urls = [origin.serve("/front.png", image_bytes("PNG")), origin.serve("/side.jpg", image_bytes("JPEG"))]
    body = {"name": "Tulips", "category_id": category.pk, "base_price": 1.2, "unit": "stem",
            "image_url": ";".join(urls)}
    # when
    response = supplier_client.post("/api/v1/supplier/products", body, format="json")
    # then
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    images = list(ProductImage.objects.filter(product_id=data["id"]).order_by("position"))
    assert [image.source_url for image in images] == urls
    assert [image.is_primary for image in images] == [True, False]
    assert [image["is_primary"] for image in data["images"]] == [True, False]
    assert data["primary_image"] == images[0].image.url
    assert len(files_in(media)) == 4  # each image and its thumbnail


def test_a_product_whose_image_is_refused_is_not_created_and_leaves_no_file(supplier_client, media, origin):
    # given: one good image and a text file named like an image
    category = ProductFactory().category
    good = origin.serve("/good.png", image_bytes("PNG"))
    bad = origin.serve("/bad.jpg", b"not an image at all", content_type="image/jpeg")
    body = {"name": "Tulips", "category_id": category.pk, "base_price": 1.2, "unit": "stem",
            "image_url": f"{good};{bad}"}
    # when
    response = supplier_client.post("/api/v1/supplier/products", body, format="json")
    # then
    assert response.status_code == 422
    assert bad in response.json()["error"]["details"]["image_url"]
    assert not ProductImage.objects.exists()
    assert not supplier_client.get("/api/v1/supplier/products").json()["data"]["products"]
    assert files_in(media) == []
    assert not Event.objects.filter(type="product.created").exists()


def test_a_product_refused_for_its_sku_downloads_none_of_its_images(supplier_client, media, origin):
    # given a SKU the supplier already uses
    mine = ProductFactory(supplier=supplier_client.api_key.supplier, sku="ROSE-1")
    url = origin.serve("/rose.png", image_bytes("PNG"))
    body = {"name": "Roses", "category_id": mine.category_id, "base_price": 2.5, "unit": "stem", "sku": "ROSE-1",
            "image_url": url}
    # when
    response = supplier_client.post("/api/v1/supplier/products", body, format="json")
    # then: refused for the SKU before anything was fetched
    assert response.status_code == 422 and "sku" in response.json()["error"]["details"]
    assert origin.hits == []
    assert files_in(media) == []

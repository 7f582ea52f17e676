"""The portal's image pages: uploads (several at once) and URLs, with the API's limits and checks."""
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from commerce.models import Product, ProductImage
from tests.factories import CategoryFactory, ProductFactory
from tests.webserver import image_bytes, jpeg_with_exif, png_bomb

from .portal_helpers import portal_client
from .test_portal_products import product_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]
    settings.VERSO_IMAGE_DEADLINE_SECONDS = 2
    settings.VERSO_IMAGE_READ_TIMEOUT = 1
    return settings.MEDIA_ROOT


@pytest.fixture
def client(media):
    return portal_client()


@pytest.fixture
def product(client):
    return ProductFactory(supplier=client.supplier)


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_uploading_several_files_at_once_adds_them_in_order_the_first_primary(client, product, media):
    response = client.post(f"/portal/products/{product.pk}/images/", {"images": [
        upload("a.png", image_bytes("PNG")), upload("b.jpg", jpeg_with_exif(), "image/jpeg"),
        upload("c.webp", image_bytes("WEBP"), "image/webp"),
    ]})

    assert response.status_code == 302
    images = list(ProductImage.objects.filter(product=product).order_by("position"))
    assert [image.image.name.rsplit(".", 1)[1] for image in images] == ["png", "jpg", "webp"]
    assert [image.is_primary for image in images] == [True, False, False]
    with Image.open(images[1].image.path) as stored:
        assert not stored.getexif()  # re-encoded without the camera's metadata, like the API's
    page = client.get(response["Location"]).content.decode()
    assert "3 images added" in page and images[0].thumbnail.url in page


def test_a_file_that_is_not_an_image_refuses_the_whole_upload_naming_it(client, product, media):
    response = client.post(f"/portal/products/{product.pk}/images/", {"images": [
        upload("fine.png", image_bytes("PNG")), upload("notes.png", b"not an image at all"),
    ]})

    assert response.status_code == 400
    assert response.context["upload_form"].errors["images"] == ["notes.png: Not a JPEG, PNG or WebP image."]
    assert not ProductImage.objects.exists()
    assert files_in(media) == []


def test_a_file_over_the_size_limit_or_a_pixel_bomb_is_refused(client, product, settings):
    settings.VERSO_IMAGE_MAX_BYTES = 1000

    big = client.post(f"/portal/products/{product.pk}/images/", {"images": [
        upload("big.png", image_bytes("PNG", size=(400, 400), color=None) + b"\0" * 2000)]})
    bomb = client.post(f"/portal/products/{product.pk}/images/", {"images": [upload("bomb.png", png_bomb())]})

    assert "big.png: The file is larger than 1000 bytes." in big.content.decode()
    assert "bomb.png: The image has more than" in bomb.content.decode()
    assert not ProductImage.objects.exists()


def test_no_product_gets_more_than_ten_images(client, product):
    client.post(f"/portal/products/{product.pk}/images/",
                {"images": [upload(f"{n}.png", image_bytes("PNG")) for n in range(8)]})

    response = client.post(f"/portal/products/{product.pk}/images/",
                           {"images": [upload(f"{n}.png", image_bytes("PNG")) for n in range(3)]})

    assert response.status_code == 400
    assert "A product has at most 10 images; this one has 8 and this request adds 3." in response.content.decode()
    assert ProductImage.objects.filter(product=product).count() == 8


def test_choosing_no_file_says_so_next_to_the_field(client, product):
    response = client.post(f"/portal/products/{product.pk}/images/", {})

    assert response.status_code == 400
    assert response.context["upload_form"].errors["images"] == ["Choose at least one image file."]


def test_adding_by_url_downloads_through_the_same_checks(client, product, origin):
    good = origin.serve("/rose.jpg", image_bytes("JPEG"))
    text = origin.serve("/page.html", b"<html>", content_type="text/html")

    added = client.post(f"/portal/products/{product.pk}/images/", {"image_url": f" {good} ; {good} "})
    refused = client.post(f"/portal/products/{product.pk}/images/", {"image_url": text})

    assert added.status_code == 302
    assert list(ProductImage.objects.filter(product=product).values_list("source_url", flat=True)) == [good, good]
    assert refused.status_code == 400
    assert refused.context["url_form"].errors["image_url"] == [f"{text}: Not a JPEG, PNG or WebP image."]


def test_a_url_to_our_own_network_is_refused(client, product, settings, canary):
    settings.VERSO_ALLOW_PRIVATE_URLS = []

    response = client.post(f"/portal/products/{product.pk}/images/", {"image_url": canary.url("/x.png")})

    assert response.status_code == 400
    assert not ProductImage.objects.exists()
    assert canary.hits == []


def test_set_primary_and_delete_from_the_images_page(client, product):
    client.post(f"/portal/products/{product.pk}/images/",
                {"images": [upload("a.png", image_bytes("PNG")), upload("b.png", image_bytes("PNG"))]})
    first, second = ProductImage.objects.filter(product=product).order_by("position")

    client.post(f"/portal/products/{product.pk}/images/{second.pk}/primary/")
    assert ProductImage.objects.get(is_primary=True) == second

    response = client.post(f"/portal/products/{product.pk}/images/{second.pk}/delete/")
    assert response["Location"] == f"/portal/products/{product.pk}/images/"
    assert list(ProductImage.objects.filter(product=product)) == [first]
    first.refresh_from_db()
    assert first.is_primary
    assert client.get(f"/portal/products/{product.pk}/images/{first.pk}/primary/").status_code == 405


def test_creating_a_product_with_an_uploaded_image_and_a_url(client, origin):
    url = origin.serve("/rose.png", image_bytes("PNG"))

    response = client.post("/portal/products/new/", {
        **product_form(CategoryFactory()), "image_url": url, "images": [upload("mine.jpg", image_bytes("JPEG"))]})

    assert response.status_code == 302
    product = Product.objects.get()
    assert product.approval_status == Product.PENDING
    images = list(product.images.order_by("position"))
    assert [image.source_url for image in images] == [url, ""]
    assert images[0].is_primary


def test_a_bad_image_on_create_keeps_no_product_and_no_files(client, media):
    response = client.post("/portal/products/new/", {
        **product_form(CategoryFactory()), "images": [upload("bad.png", b"nope")]})

    assert response.status_code == 200
    assert response.context["form"].errors["images"] == ["bad.png: Not a JPEG, PNG or WebP image."]
    assert not Product.objects.exists()
    assert files_in(media) == []


def test_a_product_refused_on_create_is_refused_before_any_download(client, origin):
    url = origin.serve("/rose.png", image_bytes("PNG"))

    response = client.post("/portal/products/new/", {**product_form(CategoryFactory(), name=" "), "image_url": url})

    assert response.status_code == 200
    assert origin.hits == []



def test_a_photo_bigger_than_the_apis_body_limit_uploads(client, product, settings):
    import io
    import os

    noise = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(noise, "PNG")
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(noise.getvalue()) < settings.VERSO_IMAGE_MAX_BYTES

    response = client.post(f"/portal/products/{product.pk}/images/", {"images": [upload("big.png", noise.getvalue())]})

    assert response.status_code == 302
    assert ProductImage.objects.filter(product=product).count() == 1


def test_a_body_bigger_than_ten_full_size_images_is_refused_before_it_is_read(client, product, media, settings):
    # given a form that says it carries more than ten images at the size limit (and the fields' allowance)
    limit = 10 * settings.VERSO_IMAGE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    data = {"images": [upload("a.png", image_bytes("PNG"))]}
    # when it is posted
    response = client.post(f"/portal/products/{product.pk}/images/", data, CONTENT_LENGTH=str(limit + 1))
    # then it is refused whole, saying why, and nothing is stored
    assert response.status_code == 413
    assert "That upload is too large" in response.content.decode()
    assert not ProductImage.objects.filter(product=product).exists()
    assert files_in(media) == []


"""commerce.images: storing prepared images is all-or-nothing, files included."""
from pathlib import Path

import pytest
from django.db import transaction

from commerce import images
from commerce.actors import Actor
from commerce.models import ProductImage
from tests.factories import ProductFactory, SupplierFactory
from tests.webserver import LocalServer, image_bytes
from verso.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERSO_ALLOW_PRIVATE_URLS = ["127.0.0.1/32"]
    return settings.MEDIA_ROOT


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def prepared(n: int, *, source_url: str = "https://example.com/a.png") -> list[images.PreparedImage]:
    png = image_bytes("PNG")
    return [images.PreparedImage(source_url=source_url, format="PNG", data=png, thumbnail=png, width=64, height=48)
            for _ in range(n)]


class Rollback(Exception):
    pass


def test_files_of_an_outer_transaction_that_rolls_back_are_deleted(media):
    product = ProductFactory()

    with pytest.raises(Rollback), transaction.atomic():
        images.product_images_attach(product=product, prepared=prepared(2), actor=Actor.system())
        assert len(files_in(media)) == 4  # stored, waiting for the outer transaction
        raise Rollback

    assert files_in(media) == []
    assert not ProductImage.objects.exists()


def test_files_of_a_committed_attach_stay(media, django_capture_on_commit_callbacks):
    product = ProductFactory()

    with django_capture_on_commit_callbacks(execute=True):
        images.product_images_attach(product=product, prepared=prepared(2), actor=Actor.system())

    assert len(files_in(media)) == 4
    assert ProductImage.objects.filter(product=product).count() == 2


@pytest.mark.postgres
def test_a_row_that_cannot_be_written_takes_every_stored_file_with_it(media):
    product = ProductFactory()
    # The second image's source URL is longer than its column: PostgreSQL refuses that row
    # after the first image's files and row were stored.
    items = prepared(1) + prepared(1, source_url="https://example.com/" + "a" * 3000)

    with pytest.raises(Exception):  # noqa: B017 - the database's own error
        images.product_images_attach(product=product, prepared=items, actor=Actor.system())

    assert files_in(media) == []
    assert not ProductImage.objects.exists()


def test_a_supplier_cannot_touch_another_suppliers_product(media):
    theirs = ProductFactory(supplier=SupplierFactory())
    stranger = Actor.supplier(SupplierFactory().pk)

    with pytest.raises(NotFound, match="Product not found"):
        images.product_images_attach(product=theirs, prepared=prepared(1), actor=stranger)
    with LocalServer("127.0.0.1") as server, pytest.raises(NotFound, match="Product not found"):
        images.product_images_add(product=theirs, urls=[server.serve("/a.png", image_bytes("PNG"))], actor=stranger)

    assert server.hits == []
    assert files_in(media) == []
    assert not ProductImage.objects.exists()


def test_add_downloads_and_attaches_in_one_call(media):
    product = ProductFactory()
    with LocalServer("127.0.0.1") as server:
        urls = [server.serve("/a.jpg", image_bytes("JPEG")), server.serve("/b.webp", image_bytes("WEBP"))]

        added = images.product_images_add(product=product, urls=urls, actor=Actor.supplier(product.supplier_id))

    assert [image.source_url for image in added] == urls
    assert [image.is_primary for image in added] == [True, False]
    assert [Path(image.image.name).suffix for image in added] == [".jpg", ".webp"]

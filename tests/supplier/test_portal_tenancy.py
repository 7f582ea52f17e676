"""A supplier's portal user never sees or reaches another supplier's products, images or keys:
by URL (GET and POST to their ids) and by form posts, not only by what the menus show."""
import pytest
from django.test import Client

from commerce.models import Product, ProductImage
from supplier.services import supplier_api_key_create
from tests.factories import ProductFactory, UserFactory
from tests.webserver import image_bytes
from verso.api.models import ApiKey

from .portal_helpers import portal_client
from .test_portal_images import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(settings, tmp_path):
    """The first supplier's product (with two images) and API key."""
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = portal_client()
    product = ProductFactory(supplier=owner.supplier, name="Their Secret Rose", sku="SECRET-1")
    owner.post(f"/portal/products/{product.pk}/images/",
               {"images": [upload("a.png", image_bytes("PNG")), upload("b.png", image_bytes("PNG"))]})
    api_key, _ = supplier_api_key_create(supplier=owner.supplier, name="Their key")
    first, second = ProductImage.objects.filter(product=product).order_by("position")
    return {"product": product, "primary": first, "other_image": second, "key": api_key}


@pytest.fixture
def me():
    client = portal_client()
    client.product = ProductFactory(supplier=client.supplier, name="My Tulip")
    return client


def unchanged(theirs) -> None:
    product = Product.objects.get(pk=theirs["product"].pk)
    assert (product.name, product.deleted_at) == ("Their Secret Rose", None)
    assert list(ProductImage.objects.filter(product=product).order_by("position").values_list("id", "is_primary")) \
        == [(theirs["primary"].pk, True), (theirs["other_image"].pk, False)]
    assert ApiKey.objects.get(pk=theirs["key"].pk).revoked_at is None


def test_their_products_and_keys_are_not_in_my_lists(me, theirs):
    assert "Their Secret Rose" not in me.get("/portal/products/?search=secret").content.decode()
    assert "Their Secret Rose" not in me.get("/portal/").content.decode()
    keys_page = me.get("/portal/keys/").content.decode()
    assert "Their key" not in keys_page and theirs["key"].prefix not in keys_page


def test_their_product_pages_are_404_by_get(me, theirs):
    pk = theirs["product"].pk
    for url in (f"/portal/products/{pk}/", f"/portal/products/{pk}/delete/", f"/portal/products/{pk}/images/"):
        assert me.get(url).status_code == 404, url


def test_posting_to_their_product_edit_delete_and_images_is_404_and_changes_nothing(me, theirs):
    pk = theirs["product"].pk
    form = me.get(f"/portal/products/{me.product.pk}/").context["form"]
    edit = {**{name: ("" if value is None else value) for name, value in form.initial.items()}, "name": "Hijacked"}

    assert me.post(f"/portal/products/{pk}/", edit).status_code == 404
    assert me.post(f"/portal/products/{pk}/delete/").status_code == 404
    assert me.post(f"/portal/products/{pk}/images/", {"images": [upload("x.png", image_bytes("PNG"))]}).status_code \
        == 404
    unchanged(theirs)


def test_their_images_cannot_be_made_primary_or_deleted_through_their_product_or_mine(me, theirs):
    pk, image = theirs["product"].pk, theirs["other_image"].pk
    for product_id in (pk, me.product.pk):
        assert me.post(f"/portal/products/{product_id}/images/{image}/primary/").status_code == 404
        assert me.post(f"/portal/products/{product_id}/images/{image}/delete/").status_code == 404
    unchanged(theirs)


def test_their_key_cannot_be_revoked(me, theirs):
    assert me.post(f"/portal/keys/{theirs['key'].pk}/revoke/").status_code == 404
    unchanged(theirs)


def test_ids_nobody_has_are_404_too(me):
    assert me.get("/portal/products/999999/").status_code == 404
    assert me.post("/portal/keys/999999/revoke/").status_code == 404


def test_a_product_created_naming_their_supplier_is_still_mine(me, theirs):
    from .test_portal_products import product_form

    me.post("/portal/products/new/", {**product_form(theirs["product"].category, sku="NEW-1"),
                                      "supplier_id": theirs["product"].supplier_id, "supplier": "x"})

    assert Product.objects.get(sku="NEW-1").supplier == me.supplier


PAGES = ["/portal/", "/portal/products/", "/portal/products/new/", "/portal/keys/", "/portal/profile/",
         "/portal/password/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_an_anonymous_visitor_to_the_login(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_refuses_a_login_without_a_supplier(url):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(url)

    assert response.status_code == 403
    assert "does not belong to a supplier" in response.content.decode()

"""The portal's store profile: a supplier edits its contact details, never its name or verification."""
import pytest

from supplier.models import Supplier

from .portal_helpers import portal_client

pytestmark = pytest.mark.django_db


def test_the_profile_shows_the_store_and_saves_its_contact_details():
    client = portal_client(name="Bloom & Stem", contact_email="old@example.com")
    assert 'value="old@example.com"' in client.get("/portal/profile/").content.decode()

    response = client.post("/portal/profile/", {
        "contact_email": " orders@bloom.example ", "contact_phone": "+31 20 123 4567", "country": "Netherlands",
        "name": "Renamed", "is_verified": "", "slug": "hijack"})

    assert response["Location"] == "/portal/profile/"
    supplier = Supplier.objects.get(pk=client.supplier.pk)
    assert (supplier.contact_email, supplier.contact_phone, supplier.country) == (
        "orders@bloom.example", "+31 20 123 4567", "Netherlands")
    assert (supplier.name, supplier.slug, supplier.is_verified) == ("Bloom & Stem", client.supplier.slug, True)
    assert "Your store profile was saved" in client.get("/portal/profile/").content.decode()


def test_a_bad_email_is_shown_next_to_its_field_and_nothing_is_saved():
    client = portal_client(contact_email="old@example.com")

    response = client.post("/portal/profile/", {"contact_email": "not-an-email", "contact_phone": "1" * 51})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"contact_email", "contact_phone"}
    assert 'id="id_contact_email_error"' in response.content.decode()
    assert Supplier.objects.get(pk=client.supplier.pk).contact_email == "old@example.com"


def test_an_unverified_supplier_sees_the_banner_and_can_still_edit_its_profile():
    client = portal_client(is_verified=False)

    page = client.get("/portal/profile/").content.decode()
    response = client.post("/portal/profile/", {"contact_email": "new@example.com"})

    assert "Verification pending" in page
    assert response.status_code == 302
    assert Supplier.objects.get(pk=client.supplier.pk).contact_email == "new@example.com"


def test_a_verified_supplier_sees_no_banner():
    assert "Verification pending" not in portal_client().get("/portal/profile/").content.decode()

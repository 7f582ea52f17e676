"""The portal's API keys page ("Store Profile → API Keys"): generate once, list, revoke; none while unverified."""
import pytest
from rest_framework.test import APIClient

from supplier.services import supplier_set_verified
from verso.api.models import ApiKey

from .portal_helpers import portal_client

pytestmark = pytest.mark.django_db


def api_get(raw: str, path: str = "/api/v1/supplier/products"):
    return APIClient().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def generate(client, name: str = "Shop sync") -> str:
    response = client.post("/portal/keys/", {"name": name})
    assert response.status_code == 200, response.content
    return response.context["new_key"]


def test_a_generated_key_is_shown_once_works_and_is_listed_by_prefix():
    client = portal_client()

    response = client.post("/portal/keys/", {"name": "Shop sync"})

    raw = response.context["new_key"]
    api_key = ApiKey.objects.get(supplier=client.supplier)
    assert raw.startswith("sk_live_") and raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert (api_key.name, api_key.scopes, api_key.created_by) == ("Shop sync", [], client.user)
    assert api_get(raw).status_code == 200
    later = client.get("/portal/keys/").content.decode()
    assert raw not in later
    assert api_key.prefix in later and "Shop sync" in later


def test_the_list_shows_when_a_key_was_last_used():
    client = portal_client()
    raw = generate(client)
    assert "never" in client.get("/portal/keys/").content.decode()

    api_get(raw)

    assert ApiKey.objects.get().last_used_at is not None
    assert "never" not in client.get("/portal/keys/").content.decode()


def test_a_key_needs_a_name():
    client = portal_client()

    response = client.post("/portal/keys/", {"name": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert not ApiKey.objects.exists()


def test_revoking_a_key_is_refused_by_the_api_on_the_very_next_request():
    client = portal_client()
    raw = generate(client)
    assert api_get(raw).status_code == 200  # its snapshot is now cached
    api_key = ApiKey.objects.get()

    response = client.post(f"/portal/keys/{api_key.pk}/revoke/")

    assert response["Location"] == "/portal/keys/"
    refused = api_get(raw)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This API key has been revoked."
    page = client.get("/portal/keys/").content.decode()
    assert "was revoked" in page and "Revoked" in page


def test_an_unverified_supplier_is_told_why_and_cannot_generate_a_key():
    client = portal_client(is_verified=False)

    page = client.get("/portal/keys/")
    refused = client.post("/portal/keys/", {"name": "Sneaky"}, follow=True)

    assert "is not verified yet, so it cannot have API keys" in page.content.decode()
    assert "Generate key" not in page.content.decode()
    assert not ApiKey.objects.exists()
    assert "is not verified yet" in refused.content.decode()


def test_a_supplier_unverified_after_loading_the_page_still_gets_no_key():
    client = portal_client()
    client.get("/portal/keys/")
    supplier_set_verified(supplier=client.supplier, verified=False)

    client.post("/portal/keys/", {"name": "Late"})

    assert not ApiKey.objects.exists()


def test_an_unverified_supplier_can_still_revoke_its_old_keys():
    client = portal_client()
    generate(client)
    supplier_set_verified(supplier=client.supplier, verified=False)

    client.post(f"/portal/keys/{ApiKey.objects.get().pk}/revoke/")

    assert ApiKey.objects.get().revoked_at is not None

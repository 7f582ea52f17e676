"""The admin's "Generate new key" shows the raw key exactly once; "Revoke" stops it at once."""
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from verso.api.models import ApiKey
from verso.api.scopes import ALL_SCOPES

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

KEY_RE = re.compile(r"sk_live_[0-9a-f]{12}_[A-Za-z0-9_\-]{40,}")


@pytest.fixture
def admin_client():
    user = User.objects.create_superuser("boss", "boss@example.com", "pw-12345-long")
    client = Client()
    client.force_login(user)
    return client


def test_the_add_form_offers_every_scope_as_a_checkbox(admin_client):
    page = admin_client.get("/admin/api/apikey/add/").content.decode()
    for scope in ALL_SCOPES:
        assert f'value="{scope}"' in page
    assert page.count('type="checkbox" name="scopes"') == len(ALL_SCOPES) == 10


def test_generating_a_key_shows_it_once_and_it_works(admin_client):
    response = admin_client.post(
        "/admin/api/apikey/add/",
        {"name": "Zapier", "scopes": ["read:leads", "write:leads"], "expires_at_0": "", "expires_at_1": "",
         "rate_limit_override": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    found = KEY_RE.findall(page)
    assert len(set(found)) == 1, page
    raw = found[0]
    api_key = ApiKey.objects.get(name="Zapier")
    assert api_key.scopes == ["read:leads", "write:leads"]
    assert api_key.created_by.username == "boss"
    assert raw.startswith(f"sk_live_{api_key.prefix}_")
    # it authenticates against the Staff API
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/_test/echo").status_code == 200
    # and is never shown again: not on the list, not on the change page
    for url in ("/admin/api/apikey/", f"/admin/api/apikey/{api_key.pk}/change/"):
        later = admin_client.get(url).content.decode()
        assert raw not in later
        assert api_key.prefix in later


def test_a_staff_key_needs_a_scope(admin_client):
    response = admin_client.post("/admin/api/apikey/add/", {"name": "Empty", "rate_limit_override": ""})
    assert response.status_code == 200
    assert "Choose at least one scope" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_supplier_key_is_generated_without_scopes(admin_client):
    from tests.factories import SupplierFactory

    supplier = SupplierFactory()
    refused = admin_client.post("/admin/api/apikey/add/", {"name": "Shop", "supplier": supplier.pk,
                                                          "scopes": ["read:leads"], "rate_limit_override": ""})
    assert "carries no scopes" in refused.content.decode()
    response = admin_client.post("/admin/api/apikey/add/", {"name": "Shop", "supplier": supplier.pk,
                                                           "rate_limit_override": ""})
    raw = KEY_RE.findall(response.content.decode())[0]
    api_key = ApiKey.objects.get(name="Shop")
    assert (api_key.supplier, api_key.scopes) == (supplier, [])
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/supplier/_test/echo").status_code == 200
    assert f"Shop ({api_key.prefix})" in admin_client.get("/admin/").content.decode()  # recent actions


def test_the_list_shows_name_prefix_scopes_creator_last_use_and_state(admin_client, make_staff_client):
    client = make_staff_client(scopes=["read:orders"], created_by=User.objects.get(username="boss"))
    page = admin_client.get("/admin/api/apikey/").content.decode()
    assert client.api_key.prefix in page
    assert "read:orders" in page
    assert "boss" in page
    assert "active" in page


def test_the_revoke_action_refuses_the_key_on_its_next_request(admin_client, staff_client):
    assert staff_client.get("/api/v1/_test/echo").status_code == 200
    response = admin_client.post(
        "/admin/api/apikey/",
        {"action": "revoke_keys", "_selected_action": [staff_client.api_key.pk]},
        follow=True,
    )
    assert "Revoked 1 key" in response.content.decode()
    assert ApiKey.objects.get(pk=staff_client.api_key.pk).revoked_at is not None
    assert staff_client.get("/api/v1/_test/echo").status_code == 401
    assert "revoked" in admin_client.get("/admin/api/apikey/").content.decode()

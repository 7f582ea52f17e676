"""Revoking API keys in the admin needs the change permission, the one that edits a key's expiry."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from tests.helpers import admin_actions_offered
from verso.api.models import ApiKey

pytestmark = pytest.mark.django_db

KEYS = "/admin/api/apikey/"


def test_only_a_user_who_may_change_keys_edits_their_expiry_and_revokes_them(make_admin_client, staff_client):
    # given
    viewer = make_admin_client("api.view_apikey")
    changer = make_admin_client("api.view_apikey", "api.change_apikey")
    key = staff_client.api_key
    later = {"name": key.name, "scopes": key.scopes, "expires_at_0": "2031-01-01", "expires_at_1": "00:00:00",
             "rate_limit_override": ""}
    # when a view-only user forges the revoke action and the change form
    viewer.post(KEYS, {"action": "revoke_keys", ACTION_CHECKBOX_NAME: [key.pk]})
    refused = viewer.post(f"{KEYS}{key.pk}/change/", later)
    # then neither is offered, and the key is as it was and still works
    assert "revoke_keys" not in admin_actions_offered(viewer, KEYS)
    assert refused.status_code == 403
    assert ApiKey.objects.filter(pk=key.pk, revoked_at=None, expires_at=None).exists()
    assert staff_client.get("/api/v1/leads").status_code == 200
    # when the user who may change keys sets an expiry, then revokes the key
    assert changer.post(f"{KEYS}{key.pk}/change/", later).status_code == 302
    assert "revoke_keys" in admin_actions_offered(changer, KEYS)
    changer.post(KEYS, {"action": "revoke_keys", ACTION_CHECKBOX_NAME: [key.pk]})
    # then both took effect, and the key is refused from the next request on
    key.refresh_from_db()
    assert (key.expires_at.year, key.revoked_at is not None) == (2031, True)
    assert staff_client.get("/api/v1/leads").status_code == 401

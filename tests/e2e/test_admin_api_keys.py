"""Staff generate an API key in the admin in a real browser: it is shown once and it works."""
import json
import re
import urllib.request

import pytest
from django.contrib.auth.models import User

from verso.api.models import ApiKey

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_generate_a_key_see_it_once_and_use_it(page, live_server):
    User.objects.create_superuser("boss", "boss@example.com", "pw-12345-long")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/api/apikey/add/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("pw-12345-long")
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(re.compile(r".*/admin/api/apikey/add/$"))
    page.get_by_label("Name").fill("Zapier")
    page.locator("input[name=scopes][value='read:leads']").check()
    page.locator("input[name=scopes][value='write:leads']").check()
    page.get_by_role("button", name="Save", exact=True).click()

    raw = page.locator("#generated-api-key").input_value()
    assert raw.startswith("sk_live_")
    assert "will not be shown again" in page.content()
    api_key = ApiKey.objects.get(name="Zapier")
    assert api_key.scopes == ["read:leads", "write:leads"]

    request = urllib.request.Request(f"{live_server.url}/api/v1/leads", headers={"Authorization": f"Bearer {raw}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        assert json.loads(response.read())["pagination"]["total"] == 0

    # the key list shows the prefix, never the key
    page.goto(f"{live_server.url}/admin/api/apikey/")
    assert api_key.prefix in page.content()
    assert raw not in page.content()

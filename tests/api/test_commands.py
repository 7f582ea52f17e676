"""Operator commands: create_api_key and create_supplier print what scripts need last."""
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from supplier.models import Membership, Supplier
from verso.api import keys
from verso.api.models import ApiKey
from verso.api.scopes import ALL_SCOPES
from verso.api.services import api_key_revoke

pytestmark = pytest.mark.django_db


def last_line(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_create_api_key_prints_a_working_raw_key_last():
    raw = last_line("create_api_key", "--name", "ci", "--scopes", "read:leads,write:orders")
    principal = keys.lookup(raw)
    assert principal is not None
    assert principal.scopes == {"read:leads", "write:orders"}
    assert ApiKey.objects.get().name == "ci"


def test_create_api_key_with_all_scopes():
    raw = last_line("create_api_key", "--name", "all", "--all-scopes")
    assert keys.lookup(raw).scopes == set(ALL_SCOPES)


def test_create_api_key_refuses_unknown_scopes():
    with pytest.raises(CommandError, match="Unknown scopes"):
        call_command("create_api_key", "--name", "x", "--scopes", "read:everything", stdout=StringIO())


def test_create_api_key_for_a_supplier_ignores_scopes():
    supplier_id = last_line("create_supplier", "--name", "Rosa BV", "--verified")
    raw = last_line("create_api_key", "--name", "rosa", "--all-scopes", "--supplier", "rosa-bv")
    principal = keys.lookup(raw)
    assert principal.supplier_id == int(supplier_id)
    assert principal.scopes == frozenset()


def test_create_supplier_prints_its_id_last_and_makes_a_portal_login():
    supplier_id = last_line(
        "create_supplier", "--name", "Tulip & Co", "--slug", "tulip-co", "--email", "t@example.com",
        "--user", "tulip", "--password", "pw-12345-long",
    )
    supplier = Supplier.objects.get(pk=int(supplier_id))
    assert supplier.slug == "tulip-co" and not supplier.is_verified
    user = User.objects.get(username="tulip")
    assert user.check_password("pw-12345-long")
    assert Membership.objects.get(user=user).supplier == supplier


def test_create_supplier_refuses_a_taken_slug():
    last_line("create_supplier", "--name", "A", "--slug", "same")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_supplier", "--name", "B", "--slug", "same", stdout=StringIO())


def test_createsuperuser_noinput_uses_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-12345-long")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ops@example.com")
    call_command("createsuperuser", "--noinput", stdout=StringIO())
    assert User.objects.get(username="ops").is_staff


def test_demo_api_key_is_kept_and_reused(tmp_path):
    path = tmp_path / "demo_key"
    first = last_line("demo_api_key", str(path))
    assert last_line("demo_api_key", str(path)) == first
    assert ApiKey.objects.count() == 1
    api_key_revoke(api_key=ApiKey.objects.get())
    assert last_line("demo_api_key", str(path)) != first


def test_demo_api_key_for_a_supplier_is_that_suppliers_kept_supplier_key(tmp_path):
    # given
    bloom = Supplier.objects.create(name="Bloom & Stem", slug="bloom-stem", is_verified=True)
    path = tmp_path / "demo_supplier_key"
    # when
    first = last_line("demo_api_key", "--supplier", "bloom-stem", str(path))
    # then: a Supplier API key of that supplier, kept across runs
    assert keys.lookup(first).supplier_id == bloom.pk
    assert last_line("demo_api_key", "--supplier", "bloom-stem", str(path)) == first
    assert ApiKey.objects.count() == 1
    # a staff key in that file is replaced, and a supplier key is not kept as the staff demo key
    staff = last_line("demo_api_key", str(path))
    assert keys.lookup(staff).supplier_id is None
    assert keys.lookup(last_line("demo_api_key", "--supplier", "bloom-stem", str(path))).supplier_id == bloom.pk


def test_demo_api_key_for_an_unknown_supplier_fails_and_makes_no_key(tmp_path):
    with pytest.raises(CommandError):
        call_command("demo_api_key", "--supplier", "nobody", str(tmp_path / "key"), stdout=StringIO())
    assert not ApiKey.objects.exists()

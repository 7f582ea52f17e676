"""verso.cache.RedisCache keeps Django's cache contract while saving round trips."""
import pytest
from django.core.cache import cache

pytestmark = pytest.mark.redis


def test_incr_adds_to_an_existing_key_and_keeps_its_expiry():
    cache.set("hits", 1, timeout=60)
    assert cache.incr("hits") == 2
    assert cache.incr("hits", 5) == 7
    assert cache.get("hits") == 7
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("hits")) <= 60


def test_incr_of_a_missing_key_is_a_value_error_and_creates_nothing():
    with pytest.raises(ValueError):
        cache.incr("never-set")
    assert cache.get("never-set") is None


def test_one_redis_client_serves_every_call():
    client = cache._cache.get_client(write=True)
    cache.set("a", 1)
    assert cache._cache.get_client(write=True) is client

"""Shared fixtures: a clean cache per test, API clients holding real keys, the rate limiter's clock, markers."""
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.commerce.conftest import place_order  # noqa: F401  (a fixture every app's tests may use)
from tests.factories import StaffUserFactory, SupplierFactory
from tests.webhooks.conftest import QUEUE
from tests.webserver import LocalServer
from verso.api import keys, throttling
from verso.api.scopes import ALL_SCOPES
from verso.api.services import api_key_create


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.IS_POSTGRES
    has_redis = bool(settings.REDIS_URL)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (REDIS_URL)"))


def clear_cache() -> None:
    """Empty this run's cache. On Redis only our own prefix goes: other runs may share the server."""
    if settings.REDIS_URL and "redis" in settings.CACHES["default"]["BACKEND"].lower():
        client = cache._cache.get_client(write=True)
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        doomed = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if doomed:
            client.delete(*doomed)
    else:
        cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _tasks_stay_in_this_run():
    """Every task this run publishes (an order's supplier emails, from any test whose
    transaction commits) goes to this run's own queue, emptied when the run ends: nothing is
    left on a broker other runs share."""
    from tests.webhooks.conftest import use_queue
    from verso.celery import app as celery_app

    use_queue(QUEUE)
    yield
    try:
        use_queue(QUEUE)
        celery_app.control.purge()
    except Exception:  # noqa: BLE001 - a broker gone by now has nothing of ours to keep
        pass


@pytest.fixture(autouse=True)
def _clean_slate(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clear_cache()
    keys.reset_local_state()


class KeyedClient(APIClient):
    """An APIClient that sends ``Authorization: Bearer <raw key>`` and remembers its key."""

    def __init__(self, raw_key: str, api_key, **kwargs):
        super().__init__(**kwargs)
        self.raw_key = raw_key
        self.api_key = api_key
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


@pytest.fixture
def make_staff_client(db):
    """make_staff_client(scopes=[...]) -> a client with a fresh Staff API key."""

    def make(scopes=None, **kwargs) -> KeyedClient:
        api_key, raw = api_key_create(name="test key", scopes=ALL_SCOPES if scopes is None else scopes, **kwargs)
        return KeyedClient(raw, api_key)

    return make


@pytest.fixture
def staff_client(make_staff_client) -> KeyedClient:
    """A client whose Staff API key holds every scope."""
    return make_staff_client()


@pytest.fixture
def make_supplier_client(db):
    def make(supplier, **kwargs) -> KeyedClient:
        api_key, raw = api_key_create(name="supplier key", scopes=[], supplier=supplier, **kwargs)
        return KeyedClient(raw, api_key)

    return make


@pytest.fixture
def supplier_client(make_supplier_client) -> KeyedClient:
    """A client whose Supplier API key belongs to a fresh, verified supplier."""
    return make_supplier_client(SupplierFactory())


@pytest.fixture
def make_admin_client(db):
    """make_admin_client("commerce.view_product", ...) -> a browser client logged in as a staff
    user (not a superuser) holding exactly those permissions; ``client.user`` is that user."""

    def make(*permissions: str) -> Client:
        client = Client()
        client.user = StaffUserFactory(permissions=permissions)
        client.force_login(client.user)
        return client

    return make


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


class StoppedClock:
    """Stands in for the rate limiter's clock: time moves only when a test moves it."""

    def __init__(self, now: int):
        self.now = now

    def __call__(self) -> float:
        return float(self.now)

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture
def throttle_clock(monkeypatch) -> StoppedClock:
    """Every request of the test falls in one rate-limit window until the test advances the clock."""
    clock = StoppedClock(1_800_000_000)
    monkeypatch.setattr(throttling, "clock", clock)
    return clock


@pytest.fixture
def origin():
    """A real HTTP server on 127.0.0.1 for outbound fetches (tests allow 127.0.0.1/32 to reach it)."""
    with LocalServer("127.0.0.1") as server:
        yield server


@pytest.fixture
def canary():
    """A second server on another loopback address that nothing may ever reach."""
    with LocalServer("127.0.0.2") as server:
        yield server

"""/admin/login/ refuses brute force: failed attempts are counted per client IP and per username."""
import pytest
from django.test import Client

from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "pw-12345-long"  # the factories' password
REFUSED = "Too many failed login attempts. Please wait up to 5 minutes and try again."


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.VERSO_LOGIN_RATE_PER_USERNAME = "3/5m"
    settings.VERSO_LOGIN_RATE_PER_IP = "5/5m"


@pytest.fixture
def alice(db):
    return StaffUserFactory(username="alice")


@pytest.fixture
def bob(db):
    return StaffUserFactory(username="bob")


def log_in(username: str, password: str, ip: str = "10.0.0.1") -> tuple[Client, object]:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)
    return client, response


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_after_the_allowed_failures_even_the_right_password_is_refused_with_a_message(alice):
    # given three failed attempts
    for _ in range(3):
        client, response = log_in("alice", "wrong")
        assert response.status_code == 200 and not logged_in(client)
        assert REFUSED not in response.content.decode()
    # when alice now types the right password
    client, response = log_in("alice", PASSWORD)
    # then she is refused, and told why
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not logged_in(client)


def test_the_username_is_refused_from_every_ip_whatever_its_case(alice):
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        log_in("alice", "wrong", ip=ip)

    client, response = log_in("Alice", PASSWORD, ip="10.0.0.4")
    assert REFUSED in response.content.decode()
    client, response = log_in("alice", PASSWORD, ip="10.0.0.4")
    assert REFUSED in response.content.decode() and not logged_in(client)


def test_an_ip_is_refused_for_every_username_once_it_used_up_its_failures(alice, bob):
    for name in ("u1", "u2", "u3", "u4", "u5"):
        log_in(name, "wrong", ip="10.0.0.9")

    client, response = log_in("bob", PASSWORD, ip="10.0.0.9")

    assert REFUSED in response.content.decode() and not logged_in(client)


def test_successful_logins_do_not_count(alice):
    # given two failures, one short of the limit
    log_in("alice", "wrong")
    log_in("alice", "wrong")
    # when alice logs in successfully more often than the limit
    for _ in range(5):
        client, response = log_in("alice", PASSWORD)
        # then every one of them succeeds
        assert response.status_code == 302 and logged_in(client)
    # and one more mistake is still allowed before the pause
    client, response = log_in("alice", "wrong")
    assert REFUSED not in response.content.decode()
    client, response = log_in("alice", PASSWORD)
    assert REFUSED in response.content.decode()


def test_another_username_from_another_ip_is_unaffected(alice, bob):
    # given alice is locked out from her IP
    for _ in range(3):
        log_in("alice", "wrong", ip="10.0.0.1")
    assert REFUSED in log_in("alice", PASSWORD, ip="10.0.0.1")[1].content.decode()
    # when bob logs in from elsewhere
    client, response = log_in("bob", PASSWORD, ip="10.0.0.2")
    # then
    assert response.status_code == 302 and logged_in(client)


def test_logins_fail_open_when_the_cache_is_unreachable(alice, settings):
    # given alice is locked out
    for _ in range(3):
        log_in("alice", "wrong")
    assert REFUSED in log_in("alice", PASSWORD)[1].content.decode()
    # when the cache holding the counters goes away
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # then failures are not held against anyone and the right password logs in
    log_in("alice", "wrong")
    client, response = log_in("alice", PASSWORD)
    assert response.status_code == 302 and logged_in(client)

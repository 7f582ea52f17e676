"""The public contact form at /contact/, over HTTP with CSRF enforced."""
import pytest
from django.test import Client

from crm.models import Lead
from verso.api import throttling
from webhooks.models import Event

pytestmark = pytest.mark.django_db

FILLED = {
    "first_name": "Jane",
    "last_name": "Smith",
    "email": "jane@example.com",
    "phone": "+1-555-987-6543",
    "message": "Looking for weekly deliveries",
}


def _browser(ip: str = "203.0.113.7") -> tuple[Client, str]:
    """A browser that has loaded the form: it holds the CSRF cookie the page set."""
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    page = browser.get("/contact/")
    assert page.status_code == 200
    return browser, browser.cookies["csrftoken"].value


def _submit(browser: Client, token: str, **overrides):
    return browser.post("/contact/", {**FILLED, "csrfmiddlewaretoken": token, **overrides})


def test_the_contact_page_is_a_real_form_with_a_csrf_token_and_a_hidden_honeypot():
    response = Client().get("/contact/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    for name in ("first_name", "last_name", "email", "phone", "message", "website"):
        assert f'name="{name}"' in html
    assert 'class="hp"' in html and ".hp {" in html  # the honeypot is hidden by CSS
    assert "http://" not in html and "https://" not in html  # nothing loaded from a CDN


def test_a_submission_creates_a_website_lead_and_redirects_to_thanks():
    browser, token = _browser()

    response = _submit(browser, token)

    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    lead = Lead.objects.get()
    assert (lead.first_name, lead.email, lead.source, lead.status) == ("Jane", "jane@example.com", "website", "New")
    assert Event.objects.filter(type="lead.created", data__id=lead.id).exists()
    thanks = browser.get(response["Location"])
    assert thanks.status_code == 200 and b"Thank you" in thanks.content


def test_a_submitted_lead_appears_in_the_staff_api(staff_client):
    browser, token = _browser()
    _submit(browser, token)

    data = staff_client.get("/api/v1/leads?status=New").json()["data"]

    assert len(data) == 1
    assert data[0]["email"] == "jane@example.com" and data[0]["source"] == "website"


def test_a_post_without_the_csrf_token_is_refused_with_403():
    browser, _ = _browser()

    response = browser.post("/contact/", FILLED)

    assert response.status_code == 403
    assert Lead.objects.count() == 0


def test_a_post_with_a_wrong_csrf_token_is_refused_with_403():
    browser, _ = _browser()

    assert _submit(browser, "x" * 32).status_code == 403
    assert Lead.objects.count() == 0


def test_a_bot_filling_the_honeypot_sees_success_but_creates_nothing():
    browser, token = _browser()

    response = _submit(browser, token, website="http://spam.example")

    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert Lead.objects.count() == 0
    assert not Event.objects.exists()


def test_missing_fields_show_the_form_again_with_errors():
    browser, token = _browser()

    response = _submit(browser, token, email="not-an-email", message="")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "This field is required." in html
    assert 'value="Jane"' in html  # what was typed is kept
    assert Lead.objects.count() == 0


def test_posts_are_rate_limited_per_ip(throttle_clock):
    browser, token = _browser(ip="198.51.100.1")
    for n in range(5):
        assert _submit(browser, token, email=f"jane{n}@example.com").status_code == 302

    limited = _submit(browser, token, email="jane6@example.com")

    assert limited.status_code == 429
    window_end = throttling.window_end("ip:198.51.100.1", 60, throttle_clock.now)
    assert limited["Retry-After"] == str(window_end - throttle_clock.now)
    assert b"wait a minute" in limited.content
    assert Lead.objects.count() == 5
    other_ip, other_token = _browser(ip="198.51.100.2")
    assert _submit(other_ip, other_token).status_code == 302
    throttle_clock.advance(window_end - throttle_clock.now)  # the next window: the budget is back
    assert _submit(browser, token, email="jane7@example.com").status_code == 302


def test_reading_the_form_is_not_rate_limited():
    browser = Client(REMOTE_ADDR="198.51.100.3")

    assert all(browser.get("/contact/").status_code == 200 for _ in range(10))


def test_head_requests_on_the_public_pages_succeed():
    assert Client().head("/contact/").status_code == 200
    assert Client().head("/contact/thanks/").status_code == 200


def test_behind_a_trusted_proxy_the_limit_is_per_visitor_not_per_proxy(settings, throttle_clock):
    settings.VERSO_TRUSTED_PROXY_HOPS = 1
    proxy = "10.0.0.5"
    # six visitors through the same proxy: each has a budget of their own
    for n in range(6):
        browser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        response = browser.post("/contact/", {"first_name": "A", "last_name": "B", "email": f"v{n}@example.com",
                                              "phone": "1", "message": "hi"})
        assert response.status_code == 302, n
    # while one visitor still can't get past five a minute by forging the header's left part
    for n in range(6):
        browser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.9")
        last = browser.post("/contact/", {"first_name": "A", "last_name": "B", "email": "same@example.com",
                                          "phone": "1", "message": "hi"})
    assert last.status_code == 429


def test_the_form_still_takes_submissions_when_the_cache_is_down_and_logs_the_fault(settings, caplog):
    browser, token = _browser(ip="198.51.100.4")
    settings.CACHES = {
        "default": {
            "BACKEND": "verso.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = _submit(browser, token)

    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    assert Lead.objects.get().email == "jane@example.com"
    assert any(
        r.levelname == "ERROR" and "cache unavailable" in r.getMessage() and "contact form" in r.getMessage()
        for r in caplog.records
    )


def test_a_message_past_the_services_limit_shows_the_form_again_and_creates_nothing():
    from crm.services import MESSAGE_MAX_LENGTH

    browser, token = _browser()
    assert f'maxlength="{MESSAGE_MAX_LENGTH}"' in browser.get("/contact/").content.decode()

    response = _submit(browser, token, message="x" * (MESSAGE_MAX_LENGTH + 1))

    assert response.status_code == 400
    assert f"at most {MESSAGE_MAX_LENGTH} characters" in response.content.decode()
    assert not Lead.objects.exists()

"""Logging in to the supplier portal: supplier logins only, rate-limited, with password change and reset."""
import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import MembershipFactory, StaffUserFactory, SupplierFactory, UserFactory

from .portal_helpers import PASSWORD, portal_client

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_portal_login_with_next():
    response = Client().get("/portal/products/?status=pending")

    assert response.status_code == 302
    assert response["Location"] == "/portal/login/?next=/portal/products/%3Fstatus%3Dpending"


def test_supplier_user_logs_in_and_lands_on_the_dashboard():
    membership = MembershipFactory(supplier=SupplierFactory(name="Bloom & Stem"))
    client = Client()

    response = client.post("/portal/login/", {"username": membership.user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    page = client.get("/portal/")
    assert page.status_code == 200
    assert "Bloom &amp; Stem" in page.content.decode()


def test_login_follows_next_within_the_site_only():
    membership = MembershipFactory()

    inside = Client().post("/portal/login/?next=/portal/keys/",
                           {"username": membership.user.username, "password": PASSWORD})
    outside = Client().post("/portal/login/?next=https://evil.example/",
                            {"username": membership.user.username, "password": PASSWORD})

    assert inside["Location"] == "/portal/keys/"
    assert outside["Location"] == "/portal/"


def test_wrong_password_is_refused_with_a_message_on_the_form():
    membership = MembershipFactory()

    response = Client().post("/portal/login/", {"username": membership.user.username, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_without_a_supplier_membership_is_refused_clearly():
    UserFactory(username="loner")
    StaffUserFactory(username="staffer")

    for username in ("loner", "staffer"):
        client = Client()
        response = client.post("/portal/login/", {"username": username, "password": PASSWORD})

        assert response.status_code == 200
        assert "does not belong to a supplier" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_logged_in_user_without_membership_gets_a_refusal_page():
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/portal/")

    assert response.status_code == 403
    assert "No supplier account" in response.content.decode()


def test_failed_logins_are_rate_limited_even_with_the_right_password(settings):
    settings.VERSO_LOGIN_RATE_PER_USERNAME = "3/5m"
    membership = MembershipFactory()
    client = Client()
    for _ in range(3):
        client.post("/portal/login/", {"username": membership.user.username, "password": "wrong"})

    response = client.post("/portal/login/", {"username": membership.user.username, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_out_is_a_post_and_ends_the_session():
    client = portal_client()

    assert client.get("/portal/logout/").status_code == 405
    response = client.post("/portal/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/login/"
    assert client.get("/portal/").status_code == 302


def test_portal_posts_need_the_csrf_token():
    membership = MembershipFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post("/portal/login/", {"username": membership.user.username, "password": PASSWORD})

    assert response.status_code == 403


def test_password_change_needs_the_old_password_and_then_works():
    client = portal_client()

    wrong = client.post("/portal/password/", {
        "old_password": "nope", "new_password1": "a-Fresh-pass-9", "new_password2": "a-Fresh-pass-9"})
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly" in wrong.content.decode()

    right = client.post("/portal/password/", {
        "old_password": PASSWORD, "new_password1": "a-Fresh-pass-9", "new_password2": "a-Fresh-pass-9"})
    assert right.status_code == 302
    client.user.refresh_from_db()
    assert client.user.check_password("a-Fresh-pass-9")
    assert "Your password has been changed" in client.get(right["Location"]).content.decode()


def test_password_reset_emails_a_supplier_login_a_link_on_the_public_address(settings):
    settings.VERSO_PUBLIC_URL = "https://portal.example.com"
    membership = MembershipFactory(user=UserFactory(email="grower@example.com"))
    UserFactory(email="staffer@example.com", is_staff=True)

    Client().post("/portal/password/reset/", {"email": "staffer@example.com"})
    response = Client().post("/portal/password/reset/", {"email": "grower@example.com"}, HTTP_HOST="localhost")

    assert response["Location"] == "/portal/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grower@example.com"]
    link = re.search(r"https://portal\.example\.com(/portal/password/reset/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-Fresh-pass-9",
                                                    "new_password2": "a-Fresh-pass-9"})
    assert done["Location"] == "/portal/password/reset/done/"
    membership.user.refresh_from_db()
    assert membership.user.check_password("a-Fresh-pass-9")

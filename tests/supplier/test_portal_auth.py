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


def test_the_demo_login_the_run_script_prints_gets_into_the_portal():
    import io
    from pathlib import Path

    from supplier import demo

    demo.seed(io.StringIO())
    run_script = (Path(__file__).resolve().parents[2] / "scripts" / "run").read_text()
    assert f"/portal/   login: bloom / {demo.DEMO_PASSWORD}" in run_script
    client = Client()

    response = client.post("/portal/login/", {"username": "bloom", "password": demo.DEMO_PASSWORD}, follow=True)

    assert response.redirect_chain == [("/portal/", 302)]
    assert "Bloom &amp; Stem" in response.content.decode()
    assert "Verification pending" not in response.content.decode()


def test_an_unverified_supplier_gets_in_and_sees_the_verification_banner_on_every_page():
    client = portal_client(is_verified=False)

    for url in ("/portal/", "/portal/products/", "/portal/products/new/", "/portal/keys/", "/portal/profile/"):
        assert "Verification pending" in client.get(url).content.decode(), url


def test_a_used_or_forged_reset_link_says_so_and_offers_a_new_one():
    response = Client().get("/portal/password/reset/MQ/set-password/")

    assert response.status_code == 200
    assert "This link does not work any more" in response.content.decode()
    assert 'href="/portal/password/reset/"' in response.content.decode()


def test_password_resets_past_the_budget_answer_the_same_but_send_nothing(settings):
    # given a budget of two reset emails an hour per address
    settings.VERSO_PASSWORD_RESET_RATE_PER_EMAIL = "2/h"
    MembershipFactory(user=UserFactory(email="grower@example.com"))
    # when the form is sent four times for that address, in any case
    answers = [Client().post("/portal/password/reset/", {"email": email})
               for email in ("grower@example.com", "GROWER@example.com", "grower@example.com", "grower@example.com")]
    # then each answer is the usual one, and only the first two sent an email
    assert [a["Location"] for a in answers] == ["/portal/password/reset/sent/"] * 4
    assert len(mail.outbox) == 2


def test_one_client_asking_for_many_addresses_is_cut_off_too(settings):
    settings.VERSO_PASSWORD_RESET_RATE_PER_IP = "3/h"
    for n in range(5):
        MembershipFactory(user=UserFactory(email=f"grower{n}@example.com"))

    for n in range(5):
        Client().post("/portal/password/reset/", {"email": f"grower{n}@example.com"})

    assert [m.to for m in mail.outbox] == [[f"grower{n}@example.com"] for n in range(3)]

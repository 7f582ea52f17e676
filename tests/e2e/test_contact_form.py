"""A visitor sends the contact form in a real browser; staff then find the lead in the API."""
import pytest

from crm.models import Lead

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_sends_the_contact_form_and_the_lead_reaches_the_staff_api(page, live_server, make_staff_client):
    # given the public contact page
    page.goto(f"{live_server.url}/contact/")
    assert page.locator("h1").inner_text() == "Get in touch"
    # the honeypot is there for bots but placed off-screen, out of people's way
    honeypot = page.locator("input[name=website]")
    box = honeypot.bounding_box()
    assert box["x"] + box["width"] <= 0
    assert honeypot.get_attribute("tabindex") == "-1"

    # when a visitor fills it in and sends it
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_label("Message").fill("Do you deliver white lilies on Saturdays?")
    page.get_by_role("button", name="Send message").click()

    # then they see the thank-you page and staff see the lead
    page.wait_for_url(f"{live_server.url}/contact/thanks/")
    assert page.locator("h1").inner_text() == "Thank you!"
    lead = Lead.objects.get()
    assert (lead.email, lead.source, lead.status) == ("ada@example.com", "website", "New")
    body = make_staff_client(scopes=["read:leads"]).get("/api/v1/leads").json()
    assert [(row["first_name"], row["source"]) for row in body["data"]] == [("Ada", "website")]


def test_a_form_with_a_bad_email_is_shown_again_with_the_error(page, live_server):
    page.goto(f"{live_server.url}/contact/")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_label("Message").fill("Hello")
    # the browser's own check passes, the server's stricter one does not
    page.evaluate("document.querySelector('input[name=email]').type = 'text'")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Send message").click()
    assert page.url.rstrip("/").endswith("/contact")
    assert "valid email" in page.content().lower()
    assert page.get_by_label("First name").input_value() == "Ada"  # what was typed is kept
    assert not Lead.objects.exists()

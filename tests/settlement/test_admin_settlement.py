"""Settlement in the admin, each door tried by the least-privileged user who may use it (and one who may not)."""
import datetime as dt
from decimal import Decimal

import pytest

from settlement import services
from settlement.models import CommissionRate, CommissionRateChange, Statement
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import admin_actions_offered, run_admin_action
from webhooks.models import Event

from .conftest import date_lines, deliver, refund

pytestmark = pytest.mark.django_db

STATEMENTS = "/admin/settlement/statement/"
RATES = "/admin/settlement/commissionrate/"
IN_OCTOBER = dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC)
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def october_earned(place_order):
    supplier = SupplierFactory(name="Bloom BV", slug="bloom")
    order = deliver(place_order((ProductFactory(supplier=supplier, price=250), 4)))
    date_lines(order, IN_OCTOBER)
    return supplier, order


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- rates ------------------------------------------------------------------------------


def test_a_rate_set_in_the_admin_goes_through_the_service_and_is_logged(make_admin_client):
    # given
    client = make_admin_client("settlement.view_commissionrate", "settlement.add_commissionrate",
                               "settlement.change_commissionrate")
    supplier = SupplierFactory()
    # when
    added = client.post(f"{RATES}add/", {"supplier": supplier.pk, "rate": "12.50"})
    rate = CommissionRate.objects.get()
    changed = client.post(f"{RATES}{rate.pk}/change/", {"rate": "10"})
    # then
    assert (added.status_code, changed.status_code) == (302, 302)
    assert CommissionRate.objects.get().rate == Decimal("10.00")
    log = list(CommissionRateChange.objects.order_by("id").values_list("old_rate", "new_rate", "changed_by"))
    assert log == [(None, Decimal("12.50"), client.user.pk), (Decimal("12.50"), Decimal("10.00"), client.user.pk)]


def test_removing_a_rate_in_the_admin_is_logged_as_a_change_to_none(make_admin_client):
    client = make_admin_client("settlement.view_commissionrate", "settlement.delete_commissionrate")
    supplier = SupplierFactory()
    rate = services.commission_rate_set(supplier=supplier, rate="9")
    response = client.post(f"{RATES}{rate.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CommissionRate.objects.exists()
    assert CommissionRateChange.objects.order_by("-id").values_list("old_rate", "new_rate").first() == (
        Decimal("9.00"), None)


def test_a_view_only_user_cannot_change_a_rate(make_admin_client):
    client = make_admin_client("settlement.view_commissionrate")
    rate = services.commission_rate_set(supplier=SupplierFactory(), rate="9")
    response = client.post(f"{RATES}{rate.pk}/change/", {"rate": "1"})
    assert response.status_code == 403
    assert CommissionRate.objects.get().rate == Decimal("9.00")


# --- generate ---------------------------------------------------------------------------


def test_a_user_with_generate_permission_generates_a_months_drafts(make_admin_client, october_earned):
    client = make_admin_client("settlement.view_statement", "settlement.generate_settlements")
    response = client.post(f"{STATEMENTS}generate/", {"period": "2026-10"}, follow=True)
    assert response.status_code == 200
    assert "2026-10: 1 statement(s) made or updated." in _messages(response)
    assert Statement.objects.get().status == "draft"


def test_generating_and_issuing_at_once_needs_the_issue_permission_too(make_admin_client, october_earned):
    client = make_admin_client("settlement.view_statement", "settlement.generate_settlements")
    assert client.post(f"{STATEMENTS}generate/", {"period": "2026-10", "issue": "on"}).status_code == 403
    assert not Statement.objects.exists()


def test_a_bad_month_is_a_form_error_not_a_500(make_admin_client):
    client = make_admin_client("settlement.view_statement", "settlement.generate_settlements")
    response = client.post(f"{STATEMENTS}generate/", {"period": "2026-13"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"period": ["Enter a month as YYYY-MM."]}


def test_a_view_only_user_cannot_generate(make_admin_client, october_earned):
    client = make_admin_client("settlement.view_statement")
    assert client.get(f"{STATEMENTS}generate/").status_code == 403
    assert client.post(f"{STATEMENTS}generate/", {"period": "2026-10"}).status_code == 403
    assert "Generate for a month" not in client.get(STATEMENTS).content.decode()
    assert not Statement.objects.exists()


# --- issue and pay ----------------------------------------------------------------------


def test_a_view_only_user_is_offered_no_action_and_a_forged_one_changes_nothing(make_admin_client, october_earned):
    # given
    services.statements_generate(period=OCTOBER)
    statement = Statement.objects.get()
    client = make_admin_client("settlement.view_statement")
    # when
    offered = admin_actions_offered(client, STATEMENTS)
    issue = run_admin_action(client, STATEMENTS, "issue_statements", [statement])
    pay = run_admin_action(client, STATEMENTS, "mark_paid", [statement], apply="1", payout_reference="X")
    # then
    assert offered == set()
    assert (issue.status_code, pay.status_code) == (200, 200)
    assert Statement.objects.get().status == "draft"
    assert not Event.objects.filter(type="settlement.issued").exists()


def test_an_issuer_issues_and_a_payer_marks_paid_with_a_reference(make_admin_client, october_earned):
    # given
    services.statements_generate(period=OCTOBER)
    statement = Statement.objects.get()
    issuer = make_admin_client("settlement.view_statement", "settlement.issue_settlement")
    payer = make_admin_client("settlement.view_statement", "settlement.mark_settlement_paid")
    assert admin_actions_offered(issuer, STATEMENTS) == {"issue_statements"}
    assert admin_actions_offered(payer, STATEMENTS) == {"mark_paid"}
    # when
    issued = run_admin_action(issuer, STATEMENTS, "issue_statements", [statement])
    asked = run_admin_action(payer, STATEMENTS, "mark_paid", [statement])
    paid = run_admin_action(payer, STATEMENTS, "mark_paid", [statement], apply="1", payout_reference="SEPA-7")
    # then
    assert "Issued 1 statement(s)." in _messages(issued)
    assert "payout_reference" in asked.content.decode()
    assert "Marked paid 1 statement(s)." in _messages(paid)
    statement.refresh_from_db()
    assert (statement.status, statement.payout_reference, statement.issued_by, statement.paid_by) == (
        "paid", "SEPA-7", issuer.user, payer.user)
    assert Event.objects.filter(type="settlement.issued").count() == 1


def test_marking_a_draft_paid_is_an_error_message(make_admin_client, october_earned):
    services.statements_generate(period=OCTOBER)
    statement = Statement.objects.get()
    payer = make_admin_client("settlement.view_statement", "settlement.mark_settlement_paid")
    response = run_admin_action(payer, STATEMENTS, "mark_paid", [statement], apply="1", payout_reference="SEPA-7")
    assert any("Cannot move statement" in text for text in _messages(response))
    assert Statement.objects.get().status == "draft"


# --- changelist, CSV and report ---------------------------------------------------------


def test_the_changelist_shows_totals_per_month(make_admin_client, october_earned):
    services.statements_generate(period=OCTOBER)
    response = make_admin_client("settlement.view_statement").get(STATEMENTS)
    assert response.status_code == 200
    (row,) = response.context["month_totals"]
    assert (row["period"], row["statements"], row["gross"], row["commission"], row["net"]) == (
        OCTOBER, 1, "€10.00", "€1.50", "€8.50")


def test_a_viewer_downloads_a_statements_lines_as_csv(make_admin_client, october_earned):
    # given
    supplier, order = october_earned
    services.statements_generate(period=OCTOBER)
    statement = Statement.objects.get()
    # when
    response = make_admin_client("settlement.view_statement").get(f"{STATEMENTS}{statement.pk}/lines.csv")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="settlement-bloom-2026-10.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines == [
        "order_number,order_group_id,kind,earned_at,gross,commission_rate,commission,net,currency",
        f"{order.order_number},{order.groups.get().pk},sale,2026-10-15T12:00:00Z,10.00,15.00,1.50,8.50,eur",
    ]


def test_a_user_without_view_permission_gets_no_csv_and_no_report(make_admin_client, october_earned):
    services.statements_generate(period=OCTOBER)
    client = make_admin_client("settlement.view_commissionrate")
    statement = Statement.objects.get()
    assert client.get(f"{STATEMENTS}{statement.pk}/lines.csv").status_code == 403
    assert client.get(f"{STATEMENTS}report/?start=2026-10-01&end=2026-10-31").status_code == 403


def test_the_report_sums_sales_refunds_commission_and_net_per_supplier_and_in_total(
        make_admin_client, october_earned, place_order):
    # given: Bloom sold 10.00 and refunded it in October; another supplier sold 20.00
    supplier, order = october_earned
    refund(order)
    date_lines(order, IN_OCTOBER, kind="refund")
    other = SupplierFactory(name="Zinnia")
    date_lines(deliver(place_order((ProductFactory(supplier=other, price=2000), 1))), IN_OCTOBER)
    client = make_admin_client("settlement.view_statement")
    # when
    page = client.get(f"{STATEMENTS}report/?start=2026-10-01&end=2026-10-31")
    csv = client.get(f"{STATEMENTS}report/?start=2026-10-01&end=2026-10-31&export=csv")
    outside = client.get(f"{STATEMENTS}report/?start=2026-11-01&end=2026-11-30")
    # then
    rows = {row["supplier__name"]: row for row in page.context["rows"]}
    assert (rows["Bloom BV"]["gross_sales"], rows["Bloom BV"]["refunds"], rows["Bloom BV"]["commission"],
            rows["Bloom BV"]["net_payable"]) == ("€10.00", "€10.00", "€0.00", "€0.00")
    assert (rows["Zinnia"]["gross_sales"], rows["Zinnia"]["commission"], rows["Zinnia"]["net_payable"]) == (
        "€20.00", "€3.00", "€17.00")
    assert (page.context["total"]["gross_sales"], page.context["total"]["commission"],
            page.context["total"]["net_payable"]) == ("€30.00", "€3.00", "€17.00")
    assert csv.content.decode().splitlines() == [
        "supplier_id,supplier,gross_sales,refunds,commission,net_payable",
        f"{supplier.pk},Bloom BV,10.00,10.00,0.00,0.00",
        f"{other.pk},Zinnia,20.00,0.00,3.00,17.00",
        ",Total,30.00,10.00,3.00,17.00",
    ]
    assert outside.context["rows"] == []


def test_the_report_costs_the_same_queries_however_many_suppliers(make_admin_client, place_order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = make_admin_client("settlement.view_statement")
    url = f"{STATEMENTS}report/?start=2026-10-01&end=2026-10-31"

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    date_lines(deliver(place_order((ProductFactory(), 1))), IN_OCTOBER)
    few = count()
    for _ in range(4):
        date_lines(deliver(place_order((ProductFactory(), 1))), IN_OCTOBER)
    assert count() == few


def test_a_viewer_opens_a_statement_and_sees_its_lines_but_nothing_to_edit(make_admin_client, october_earned):
    _, order = october_earned
    services.statements_generate(period=OCTOBER)
    statement = Statement.objects.get()
    response = make_admin_client("settlement.view_statement").get(f"{STATEMENTS}{statement.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bloom BV" in page and "2026-10" in page and "8.50" in page
    assert order.order_number in page  # its line
    assert 'name="_save"' not in page


def test_a_supplier_name_that_looks_like_a_formula_is_written_as_text_in_the_report(
        make_admin_client, place_order):
    supplier = SupplierFactory(name="=HYPERLINK(\"http://evil\")")
    date_lines(deliver(place_order((ProductFactory(supplier=supplier, price=100), 1))), IN_OCTOBER)
    csv = make_admin_client("settlement.view_statement").get(
        f"{STATEMENTS}report/?start=2026-10-01&end=2026-10-31&export=csv").content.decode()
    assert csv.splitlines()[1].startswith(f"{supplier.pk},\"'=HYPERLINK(")


def test_the_home_shows_this_months_commission_net_of_refunds(place_order, make_admin_client):
    # given: two sales delivered this month (commission 1.50 and 15.00), the second refunded,
    # and a sale earned last month (not this month's income)
    supplier = SupplierFactory()
    deliver(place_order((ProductFactory(supplier=supplier, price=250), 4)))
    refund(deliver(place_order((ProductFactory(supplier=supplier, price=10000), 1))))
    date_lines(deliver(place_order((ProductFactory(supplier=supplier, price=90000), 1))),
               dt.datetime.now(dt.UTC).replace(day=1, hour=0) - dt.timedelta(days=1))
    client = make_admin_client("settlement.view_statement")
    # when
    html = client.get("/admin/").content.decode()
    # then
    assert '<span class="verso-count">€1.50</span><span class="verso-label">Commission earned this month' in html
    assert '<span class="verso-count">2</span><span class="verso-label">Sales earned this month' in html

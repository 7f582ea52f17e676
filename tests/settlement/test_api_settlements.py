"""Statements through both doors: Staff API (cents, read:settlements), Supplier API (euros, own issued ones)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settlement import services
from settlement.models import Statement, StatementLine
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import assert_staff_error, assert_supplier_error, assert_supplier_ok

from .conftest import date_lines, deliver, refund

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
IN_OCTOBER = dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC)
IN_NOVEMBER = dt.datetime(2026, 11, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def books(place_order):
    """Supplier A: an issued October (one sale) and a draft November (its refund); supplier B: an issued October."""
    a, b = SupplierFactory(), SupplierFactory()
    sold = deliver(place_order((ProductFactory(supplier=a, price=250), 4)))
    date_lines(sold, IN_OCTOBER)
    date_lines(deliver(place_order((ProductFactory(supplier=b, price=999), 1))), IN_OCTOBER)
    services.statements_generate(period=OCTOBER, issue=True)
    refund(sold)
    date_lines(sold, IN_NOVEMBER, kind="refund")
    services.statements_generate(period=NOVEMBER)
    return {
        "a": a, "b": b, "order": sold,
        "a_october": Statement.objects.get(supplier=a, period=OCTOBER),
        "a_november": Statement.objects.get(supplier=a, period=NOVEMBER),
        "b_october": Statement.objects.get(supplier=b, period=OCTOBER),
    }


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Staff API --------------------------------------------------------------------------


def test_staff_read_a_statement_with_every_field_in_cents(make_staff_client, books):
    # given
    client = make_staff_client(scopes=["read:settlements"])
    statement = books["a_october"]
    group_id = books["order"].groups.get().pk
    # when
    response = client.get(f"/api/v1/settlements/{statement.pk}")
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": statement.pk, "supplier_id": books["a"].pk, "period": "2026-10", "status": "issued",
        "gross_amount": 1000, "commission_amount": 150, "net_amount": 850, "currency": "eur", "lines_count": 1,
        "issued_at": _iso(statement.issued_at), "paid_at": None, "payout_reference": None,
        "lines": [{
            "order_number": books["order"].order_number, "order_group_id": group_id, "kind": "sale",
            "gross_amount": 1000, "commission_rate": "15.00", "commission_amount": 150, "net_amount": 850,
            "earned_at": "2026-10-15T12:00:00Z",
        }],
    }


def test_a_refund_line_is_negative_and_a_paid_statement_shows_its_payout(make_staff_client, books):
    # given
    client = make_staff_client(scopes=["read:settlements"])
    services.statement_issue(statement=books["a_november"])
    services.statement_mark_paid(statement=books["a_november"], payout_reference="SEPA-42")
    # when
    body = client.get(f"/api/v1/settlements/{books['a_november'].pk}").json()
    # then
    assert (body["status"], body["payout_reference"]) == ("paid", "SEPA-42")
    assert body["paid_at"] is not None and body["issued_at"] is not None
    assert (body["gross_amount"], body["commission_amount"], body["net_amount"]) == (-1000, -150, -850)
    (line,) = body["lines"]
    assert (line["kind"], line["gross_amount"], line["commission_amount"], line["net_amount"], line["earned_at"]) == (
        "refund", -1000, -150, -850, "2026-11-10T09:30:00Z")


def test_staff_list_statements_filtered_by_supplier_period_and_status(make_staff_client, books):
    client = make_staff_client(scopes=["read:settlements"])
    every = client.get("/api/v1/settlements").json()
    assert every["pagination"] == {"page": 1, "per_page": 25, "total": 3, "pages": 1}
    assert [row["id"] for row in every["data"]][0] == books["a_november"].pk  # newest month first
    assert "lines" not in every["data"][0]
    by_supplier = client.get(f"/api/v1/settlements?supplier_id={books['b'].pk}").json()
    assert [row["id"] for row in by_supplier["data"]] == [books["b_october"].pk]
    october = client.get("/api/v1/settlements?period=2026-10").json()
    assert {row["id"] for row in october["data"]} == {books["a_october"].pk, books["b_october"].pk}
    drafts = client.get("/api/v1/settlements?status=draft").json()
    assert [row["id"] for row in drafts["data"]] == [books["a_november"].pk]


@pytest.mark.parametrize("query", ["period=2026-13", "period=2026-1", "period=nov", "status=open", "supplier_id=x"])
def test_a_bad_filter_is_a_400_naming_it(make_staff_client, books, query):
    body = assert_staff_error(make_staff_client(scopes=["read:settlements"]).get(f"/api/v1/settlements?{query}"),
                              400, "VALIDATION_ERROR")
    assert query.split("=")[0] in body["details"]


def test_staff_api_needs_the_read_settlements_scope(make_staff_client, books):
    client = make_staff_client(scopes=["read:orders"])
    assert_staff_error(client.get("/api/v1/settlements"), 403, "FORBIDDEN")
    assert_staff_error(client.get(f"/api/v1/settlements/{books['a_october'].pk}"), 403, "FORBIDDEN")


def test_a_supplier_key_gets_a_403_on_the_staff_api(make_supplier_client, books):
    client = make_supplier_client(books["a"])
    assert_staff_error(client.get("/api/v1/settlements"), 403, "FORBIDDEN")


def test_an_unknown_statement_is_a_404(make_staff_client):
    assert_staff_error(make_staff_client(scopes=["read:settlements"]).get("/api/v1/settlements/999999"),
                       404, "NOT_FOUND")


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warms the key snapshot
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def test_lists_and_details_cost_one_query_however_many_statements_and_lines(
        make_staff_client, make_supplier_client, books, place_order):
    # given
    staff = make_staff_client(scopes=["read:settlements"], rate_limit_override="1000/m")
    supplier = make_supplier_client(books["a"], rate_limit_override="1000/m")
    urls = ["/api/v1/settlements", f"/api/v1/settlements/{books['a_october'].pk}",
            "/api/v1/supplier/settlements", f"/api/v1/supplier/settlements/{books['a_october'].pk}"]
    before = {url: _queries(staff if "supplier" not in url else supplier, url) for url in urls}
    # when: many more statements, and more lines on one
    for _ in range(5):
        other = SupplierFactory()
        date_lines(deliver(place_order((ProductFactory(supplier=other), 1))), IN_OCTOBER)
    services.statements_generate(period=OCTOBER, issue=True)
    # then
    after = {url: _queries(staff if "supplier" not in url else supplier, url) for url in urls}
    assert before == after == dict.fromkeys(urls, 1)


# --- Supplier API -----------------------------------------------------------------------


def test_a_supplier_lists_its_own_issued_statements_in_euros(make_supplier_client, books):
    # given
    client = make_supplier_client(books["a"])
    # when
    data = assert_supplier_ok(client.get("/api/v1/supplier/settlements"))
    # then: the draft November and supplier B's statement are not there
    assert data["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 1, "per_page": 20}
    statement = books["a_october"]
    assert data["settlements"] == [{
        "id": statement.pk, "supplier_id": books["a"].pk, "period": "2026-10", "status": "issued",
        "gross_amount": 10.0, "commission_amount": 1.5, "net_amount": 8.5, "currency": "eur", "lines_count": 1,
        "issued_at": _iso(statement.issued_at), "paid_at": None, "payout_reference": None,
    }]


def test_a_supplier_reads_its_statement_with_lines_in_euros(make_supplier_client, books):
    # given
    client = make_supplier_client(books["a"])
    statement = books["a_october"]
    # when
    data = assert_supplier_ok(client.get(f"/api/v1/supplier/settlements/{statement.pk}"))
    # then
    assert (data["gross_amount"], data["commission_amount"], data["net_amount"]) == (10, 1.5, 8.5)
    assert data["lines"] == [{
        "order_number": books["order"].order_number, "order_group_id": books["order"].groups.get().pk,
        "kind": "sale", "gross_amount": 10, "commission_rate": 15, "commission_amount": 1.5, "net_amount": 8.5,
        "earned_at": "2026-10-15T12:00:00Z",
    }]


def test_a_supplier_never_sees_another_suppliers_statement_nor_its_own_draft(make_supplier_client, books):
    client = make_supplier_client(books["a"])
    assert_supplier_error(client.get(f"/api/v1/supplier/settlements/{books['b_october'].pk}"), 404, "NOT_FOUND")
    assert_supplier_error(client.get(f"/api/v1/supplier/settlements/{books['a_november'].pk}"), 404, "NOT_FOUND")
    assert StatementLine.objects.filter(statement=books["a_november"]).exists()


def test_a_staff_key_is_refused_by_the_supplier_api(staff_client, books):
    assert_supplier_error(staff_client.get("/api/v1/supplier/settlements"), 403, "FORBIDDEN")

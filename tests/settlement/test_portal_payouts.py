"""The portal's Payouts page: the supplier's own issued and paid statements, each with a CSV."""
import datetime as dt

import pytest

from settlement import services
from settlement.models import Statement
from tests.factories import ProductFactory, SupplierFactory
from tests.supplier.portal_helpers import portal_client

from .conftest import date_lines, deliver, refund

pytestmark = pytest.mark.django_db

IN_OCTOBER = dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC)
IN_NOVEMBER = dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def statements(place_order):
    mine, theirs = SupplierFactory(slug="mine"), SupplierFactory()
    order = deliver(place_order((ProductFactory(supplier=mine, price=250), 4)))
    date_lines(order, IN_OCTOBER)
    date_lines(deliver(place_order((ProductFactory(supplier=theirs), 1))), IN_OCTOBER)
    services.statements_generate(period=dt.date(2026, 10, 1), issue=True)
    date_lines(deliver(place_order((ProductFactory(supplier=mine), 1))), IN_NOVEMBER)
    services.statements_generate(period=dt.date(2026, 11, 1))
    return {
        "mine": mine, "order": order,
        "issued": Statement.objects.get(supplier=mine, status="issued"),
        "draft": Statement.objects.get(supplier=mine, status="draft"),
        "theirs": Statement.objects.get(supplier=theirs),
    }


def test_the_payouts_page_lists_only_the_suppliers_issued_and_paid_statements(statements):
    client = portal_client(statements["mine"])
    response = client.get("/portal/payouts/")
    assert response.status_code == 200
    assert [s["id"] for s in response.context["page"].object_list] == [statements["issued"].pk]
    page = response.content.decode()
    assert "October 2026" in page and "November 2026" not in page
    assert "€10.00" in page and "€1.50" in page and "€8.50" in page
    assert f"/portal/payouts/{statements['issued'].pk}/lines.csv" in page


def test_a_supplier_downloads_its_statements_lines_as_csv(statements):
    client = portal_client(statements["mine"])
    response = client.get(f"/portal/payouts/{statements['issued'].pk}/lines.csv")
    assert response.status_code == 200
    assert 'filename="settlement-mine-2026-10.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[1] == (
        f"{statements['order'].order_number},{statements['order'].groups.get().pk},sale,2026-10-15T12:00:00Z,"
        "10.00,15.00,1.50,8.50,eur")


@pytest.mark.parametrize("which", ["theirs", "draft"])
def test_another_suppliers_statement_or_a_draft_is_a_404(statements, which):
    client = portal_client(statements["mine"])
    assert client.get(f"/portal/payouts/{statements[which].pk}/lines.csv").status_code == 404


def test_the_payouts_page_needs_a_supplier_login(client, statements):
    response = client.get("/portal/payouts/")
    assert response.status_code == 302 and "/portal/login/" in response["Location"]


def test_a_month_with_more_refunds_than_sales_reads_as_a_negative_payout(place_order):
    # given: an October sale issued, refunded in November, November issued
    supplier = SupplierFactory()
    order = deliver(place_order((ProductFactory(supplier=supplier, price=250), 4)))
    date_lines(order, IN_OCTOBER)
    services.statements_generate(period=dt.date(2026, 10, 1), issue=True)
    refund(order)
    date_lines(order, IN_NOVEMBER, kind="refund")
    services.statements_generate(period=dt.date(2026, 11, 1), issue=True)
    # when
    page = portal_client(supplier).get("/portal/payouts/").content.decode()
    # then: the sign comes before the currency, as people write it
    assert "-€10.00" in page and "-€1.50" in page and "-€8.50" in page
    assert "€-" not in page

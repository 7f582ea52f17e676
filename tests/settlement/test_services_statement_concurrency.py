"""Statement runs at the same time, each on its own PostgreSQL connection."""
import datetime as dt

import pytest

from commerce import services as commerce
from commerce.actors import Actor
from settlement import services
from settlement.models import Statement, StatementLine
from tests.commerce.conftest import ADDRESS
from tests.factories import ProductFactory, SupplierFactory
from tests.helpers import Rendezvous, run_at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_for_the_same_month_at_once_make_one_statement_with_each_line_once():
    # given two delivered sales of one supplier, earned in October
    supplier = SupplierFactory()
    for price in (250, 1000):
        order = commerce.order_place(email="x@example.com", items=[
            {"product_id": ProductFactory(supplier=supplier, price=price).pk, "quantity": 1}],
            shipping_address=ADDRESS, actor=Actor.system())
        for status in ("paid", "shipped", "delivered"):
            commerce.order_transition(order=order, to_status=status, actor=Actor.system())
    StatementLine.objects.update(earned_at=dt.datetime(2026, 10, 15, tzinfo=dt.UTC))
    # and both runs reaching the statement's INSERT together
    both_inserting = Rendezvous()

    def generate() -> int:
        with both_inserting.taking_part(at='INSERT INTO "settlement_statement"'):
            return services.statements_generate(period=dt.date(2026, 10, 1))

    # when
    counts = run_at_once(generate, generate)
    # then one made it, the other found it made and had nothing left to add
    assert sorted(counts) == [0, 1]
    statement = Statement.objects.get()
    assert (statement.lines_count, statement.gross_amount, statement.commission_amount) == (2, 1250, 188)
    assert not StatementLine.objects.filter(statement__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refund_racing_the_issue_of_its_month_lands_whole_in_the_next_statement():
    from django.utils import timezone

    from settlement.periods import next_period, period_of

    # given: a sale delivered this month, on this month's draft
    supplier = SupplierFactory()
    order = commerce.order_place(email="x@example.com", items=[
        {"product_id": ProductFactory(supplier=supplier, price=250).pk, "quantity": 4}],
        shipping_address=ADDRESS, actor=Actor.system())
    for status in ("paid", "shipped", "delivered"):
        commerce.order_transition(order=order, to_status=status, actor=Actor.system())
    this_month = period_of(timezone.now())
    services.statements_generate(period=this_month)
    statement = Statement.objects.get()
    # and the refund's reversal written (not yet committed) while the issue is being written
    both_writing = Rendezvous()

    def refund() -> None:
        with both_writing.taking_part(at='INSERT INTO "settlement_statementline"', after=True):
            commerce.order_transition(order=order, to_status="refunded", actor=Actor.system())

    def issue() -> None:
        with both_writing.taking_part(at='UPDATE "settlement_statement" SET "status"'):
            services.statement_issue(statement=statement)

    # when
    run_at_once(refund, issue)
    # then the issued statement holds the sale alone, and the reversal waits for the next one
    statement.refresh_from_db()
    assert (statement.status, statement.lines_count, statement.net_amount) == ("issued", 1, 850)
    assert services.statements_generate(period=next_period(this_month)) == 1
    following = Statement.objects.get(period=next_period(this_month))
    assert list(following.lines.values_list("kind", "net_amount")) == [("refund", -850)]
    assert not StatementLine.objects.filter(statement__isnull=True).exists()

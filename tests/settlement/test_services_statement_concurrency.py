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

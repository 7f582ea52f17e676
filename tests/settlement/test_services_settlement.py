"""Commission snapshots, earning and reversal, and monthly statements, through the real services."""
import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from commerce import services as commerce
from commerce.actors import Actor
from commerce.models import OrderGroup, OrderItem
from settlement import services
from settlement.models import CommissionRate, CommissionRateChange, Statement, StatementLine
from settlement.rates import commission_of
from tests.factories import CategoryFactory, ProductFactory, StaffUserFactory, SupplierFactory
from verso.errors import InvalidTransition, ValidationFailed
from webhooks.models import Event

from .conftest import date_lines, deliver, group_of, refund

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
IN_OCTOBER = dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC)
IN_NOVEMBER = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)


# --- rates and snapshots ----------------------------------------------------------------


def test_fifteen_percent_of_250_cents_is_38_rounded_half_up():
    assert commission_of(250, Decimal("15.00")) == 38
    assert commission_of(10, Decimal("15.00")) == 2  # 1.5 → 2
    assert commission_of(0, Decimal("15.00")) == 0


def test_the_supplier_rate_wins_over_the_category_rate_which_wins_over_the_default(place_order, settings):
    # given
    settings.VERSO_DEFAULT_COMMISSION_RATE = Decimal("15.00")
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    negotiated, ordinary = SupplierFactory(), SupplierFactory()
    services.commission_rate_set(category=parent, rate="10.00")
    services.commission_rate_set(supplier=negotiated, rate="8.50")
    by_negotiated = ProductFactory(supplier=negotiated, category=child, price=1000)
    by_category = ProductFactory(supplier=ordinary, category=child, price=1000)
    by_default = ProductFactory(supplier=ordinary, category=CategoryFactory(), price=1000)
    # when
    order = place_order((by_negotiated, 1), (by_category, 1), (by_default, 1))
    # then
    items = {item.product_id: item for item in OrderItem.objects.filter(order=order)}
    assert items[by_negotiated.pk].commission_rate == Decimal("8.50")
    assert (items[by_negotiated.pk].commission_amount, items[by_negotiated.pk].net_amount) == (85, 915)
    assert items[by_category.pk].commission_rate == Decimal("10.00")  # the parent category's rate
    assert (items[by_category.pk].commission_amount, items[by_category.pk].net_amount) == (100, 900)
    assert items[by_default.pk].commission_rate == Decimal("15.00")
    assert (items[by_default.pk].commission_amount, items[by_default.pk].net_amount) == (150, 850)
    ordinary_group = group_of(order, ordinary)
    assert (ordinary_group.commission_amount, ordinary_group.net_amount) == (250, 1750)


def test_a_category_rate_of_zero_is_a_rate_not_a_missing_one(place_order):
    category = CategoryFactory()
    services.commission_rate_set(category=category, rate="0")
    order = place_order((ProductFactory(category=category, price=999), 1))
    assert OrderItem.objects.get(order=order).commission_amount == 0


def test_nets_plus_commissions_equal_gross_to_the_cent_across_many_items(place_order):
    # given: many prices, quantities and odd rates
    chance = random.Random(18)
    suppliers = [SupplierFactory() for _ in range(4)]
    for supplier, rate in zip(suppliers, ["15.00", "12.35", "7.77", "33.33"], strict=True):
        services.commission_rate_set(supplier=supplier, rate=rate)
    for _ in range(12):
        lines = [(ProductFactory(supplier=chance.choice(suppliers), price=chance.randint(1, 99_999)),
                  chance.randint(1, 7)) for _ in range(8)]
        # when
        order = place_order(*lines)
        # then
        for item in OrderItem.objects.filter(order=order):
            gross = item.unit_price * item.quantity
            assert item.commission_amount + item.net_amount == gross
            assert item.commission_amount == commission_of(gross, item.commission_rate)
        for group in OrderGroup.objects.filter(order=order):
            assert group.commission_amount + group.net_amount == group.subtotal_amount


def test_a_later_rate_change_never_alters_a_placed_order(place_order):
    # given
    supplier = SupplierFactory()
    order = place_order((ProductFactory(supplier=supplier, price=1000), 1))
    # when
    services.commission_rate_set(supplier=supplier, rate="50")
    deliver(order)
    # then
    line = StatementLine.objects.get()
    assert (line.commission_rate, line.commission_amount, line.net_amount) == (Decimal("15.00"), 150, 850)


def test_every_rate_change_is_logged_with_who_and_old_and_new():
    # given
    user = StaffUserFactory()
    supplier = SupplierFactory(name="Bloom BV")
    # when
    services.commission_rate_set(supplier=supplier, rate="12", user=user)
    services.commission_rate_set(supplier=supplier, rate="12.00", user=user)  # no change: no log
    services.commission_rate_set(supplier=supplier, rate="9.5", user=user)
    services.commission_rate_set(supplier=supplier, rate=None, user=user)
    # then
    log = list(CommissionRateChange.objects.order_by("id").values_list("target", "old_rate", "new_rate", "changed_by"))
    assert log == [
        ("Supplier Bloom BV", None, Decimal("12.00"), user.pk),
        ("Supplier Bloom BV", Decimal("12.00"), Decimal("9.50"), user.pk),
        ("Supplier Bloom BV", Decimal("9.50"), None, user.pk),
    ]
    assert not CommissionRate.objects.exists()


@pytest.mark.parametrize("rate", ["-1", "100.01", "12.345", "abc", "NaN"])
def test_a_rate_outside_0_to_100_or_with_more_than_two_decimals_is_refused(rate):
    supplier = SupplierFactory()
    with pytest.raises(ValidationFailed):
        services.commission_rate_set(supplier=supplier, rate=rate)
    assert not CommissionRate.objects.exists() and not CommissionRateChange.objects.exists()


def test_operator_products_carry_no_commission_and_earn_no_line(place_order):
    # given
    operator_product = ProductFactory(supplier=None, price=500)
    order = place_order((operator_product, 2))
    # when
    deliver(order)
    # then
    item = OrderItem.objects.get(order=order)
    assert (item.commission_rate, item.commission_amount, item.net_amount) == (None, None, None)
    assert not StatementLine.objects.exists()


# --- earning and reversal ---------------------------------------------------------------


def test_a_sale_is_earned_when_the_group_is_delivered_not_before(place_order):
    # given
    supplier = SupplierFactory()
    order = place_order((ProductFactory(supplier=supplier, price=250), 4))
    group = group_of(order, supplier)
    supplier_actor = Actor.supplier(supplier.pk)
    for status in ("confirmed", "processing", "shipped"):
        commerce.order_group_transition(group=group, to_status=status, actor=supplier_actor)
    assert not StatementLine.objects.exists()
    # when
    commerce.order_group_transition(group=group, to_status="delivered", actor=supplier_actor)
    commerce.order_group_transition(group=group, to_status="completed", actor=Actor.system())
    # then: earned once, at delivery
    line = StatementLine.objects.get()
    assert (line.kind, line.supplier_id, line.order_group_id) == ("sale", supplier.pk, group.pk)
    assert (line.gross_amount, line.commission_amount, line.net_amount) == (1000, 150, 850)


def test_a_refund_of_an_earned_group_adds_a_reversal_dated_when_it_happened(delivered_order):
    # given
    supplier = SupplierFactory()
    order = delivered_order((ProductFactory(supplier=supplier, price=250), 1))
    date_lines(order, IN_OCTOBER)
    # when
    refund(order)
    # then
    sale, reversal = StatementLine.objects.order_by("id")
    assert (reversal.kind, reversal.order_group_id) == ("refund", sale.order_group_id)
    assert (reversal.gross_amount, reversal.commission_amount, reversal.net_amount) == (-250, -38, -212)
    assert reversal.commission_rate == sale.commission_rate
    assert reversal.earned_at > IN_OCTOBER


def test_a_group_cancelled_before_delivery_earns_nothing_and_a_refund_reverses_nothing(place_order):
    # given
    supplier, other = SupplierFactory(), SupplierFactory()
    order = place_order((ProductFactory(supplier=supplier), 1), (ProductFactory(supplier=other), 1))
    commerce.order_group_transition(group=group_of(order, supplier), to_status="cancelled", actor=Actor.system())
    # when
    commerce.order_transition(order=order, to_status="paid", actor=Actor.system())
    refund(order)
    # then
    assert not StatementLine.objects.exists()


def test_only_the_delivered_group_of_a_refunded_order_is_reversed(place_order):
    # given: one supplier delivered, the other only shipped
    delivered_by, shipped_by = SupplierFactory(), SupplierFactory()
    order = place_order((ProductFactory(supplier=delivered_by, price=100), 1),
                        (ProductFactory(supplier=shipped_by, price=100), 1))
    for supplier, last in ((delivered_by, "delivered"), (shipped_by, "shipped")):
        group = group_of(order, supplier)
        for status in ["confirmed", "processing", "shipped", "delivered"][: ["shipped", "delivered"].index(last) + 3]:
            commerce.order_group_transition(group=group, to_status=status, actor=Actor.supplier(supplier.pk))
    commerce.order_transition(order=order, to_status="paid", actor=Actor.system())
    # when
    refund(order)
    # then
    assert sorted(StatementLine.objects.values_list("supplier_id", "kind")) == [
        (delivered_by.pk, "refund"), (delivered_by.pk, "sale")]


# --- statements -------------------------------------------------------------------------


def test_a_statement_sums_its_months_lines_one_per_group(delivered_order):
    # given
    supplier, other = SupplierFactory(), SupplierFactory()
    first = delivered_order((ProductFactory(supplier=supplier, price=250), 1))
    second = delivered_order((ProductFactory(supplier=supplier, price=1000), 3), (ProductFactory(supplier=other), 1))
    late = delivered_order((ProductFactory(supplier=supplier, price=5000), 1))
    date_lines(first, IN_OCTOBER)
    date_lines(second, IN_OCTOBER)
    date_lines(late, IN_NOVEMBER)
    # when
    made = services.statements_generate(period=OCTOBER)
    # then
    assert made == 2
    statement = Statement.objects.get(supplier=supplier)
    assert (statement.period, statement.status, statement.lines_count) == (OCTOBER, "draft", 2)
    assert (statement.gross_amount, statement.commission_amount, statement.net_amount) == (3250, 488, 2762)
    assert statement.currency == "eur"
    assert Statement.objects.get(supplier=other).lines_count == 1


def test_regenerating_a_draft_adds_what_arrived_since_and_a_rerun_changes_nothing(delivered_order):
    # given
    supplier = SupplierFactory()
    date_lines(delivered_order((ProductFactory(supplier=supplier, price=100), 1)), IN_OCTOBER)
    assert services.statements_generate(period=OCTOBER) == 1
    date_lines(delivered_order((ProductFactory(supplier=supplier, price=200), 1)), IN_OCTOBER)
    # when
    updated = services.statements_generate(period=OCTOBER)
    again = services.statements_generate(period=OCTOBER)
    # then
    assert (updated, again) == (1, 0)
    statement = Statement.objects.get()
    assert (statement.lines_count, statement.gross_amount) == (2, 300)


def test_an_issued_statement_never_changes_and_a_later_refund_lands_in_the_next_month(delivered_order):
    # given: an October sale on an issued October statement
    supplier = SupplierFactory()
    order = delivered_order((ProductFactory(supplier=supplier, price=250), 4))
    date_lines(order, IN_OCTOBER)
    services.statements_generate(period=OCTOBER, issue=True)
    october = Statement.objects.get()
    before = (october.gross_amount, october.commission_amount, october.net_amount, october.lines_count,
              october.updated_at)
    # when: the order is refunded in November
    refund(order)
    date_lines(order, IN_NOVEMBER, kind="refund")
    regenerated = services.statements_generate(period=OCTOBER)
    services.statements_generate(period=NOVEMBER)
    # then
    october.refresh_from_db()
    assert regenerated == 0
    assert (october.gross_amount, october.commission_amount, october.net_amount, october.lines_count,
            october.updated_at) == before
    assert list(october.lines.values_list("kind", flat=True)) == ["sale"]
    november = Statement.objects.get(period=NOVEMBER)
    assert (november.gross_amount, november.commission_amount, november.net_amount) == (-1000, -150, -850)
    assert list(november.lines.values_list("kind", flat=True)) == ["refund"]


def test_a_line_that_arrives_after_its_month_was_issued_goes_to_the_next_statement(delivered_order):
    # given: October is issued, then a line dated October shows up (it was committed late)
    supplier = SupplierFactory()
    date_lines(delivered_order((ProductFactory(supplier=supplier, price=100), 1)), IN_OCTOBER)
    services.statements_generate(period=OCTOBER, issue=True)
    date_lines(delivered_order((ProductFactory(supplier=supplier, price=700), 1)), IN_OCTOBER)
    # when
    services.statements_generate(period=NOVEMBER)
    # then
    assert Statement.objects.get(period=OCTOBER).gross_amount == 100
    assert Statement.objects.get(period=NOVEMBER).gross_amount == 700


def test_issuing_sends_settlement_issued_and_paying_needs_a_reference(delivered_order):
    # given
    supplier = SupplierFactory()
    date_lines(delivered_order((ProductFactory(supplier=supplier, price=250), 1)), IN_OCTOBER)
    services.statements_generate(period=OCTOBER)
    statement = Statement.objects.get()
    user = StaffUserFactory()
    # when
    services.statement_issue(statement=statement, user=user)
    with pytest.raises(ValidationFailed):
        services.statement_mark_paid(statement=statement, payout_reference="  ", user=user)
    services.statement_mark_paid(statement=statement, payout_reference="SEPA-2026-11-001", user=user)
    # then
    statement.refresh_from_db()
    assert (statement.status, statement.payout_reference, statement.paid_by_id) == ("paid", "SEPA-2026-11-001", user.pk)
    event = Event.objects.get(type="settlement.issued")
    assert event.data["id"] == statement.pk and event.data["status"] == "issued"
    assert (event.data["period"], event.data["net_amount"], event.data["lines_count"]) == ("2026-10", 212, 1)
    with pytest.raises(InvalidTransition):
        services.statement_issue(statement=statement)


def test_a_draft_cannot_be_marked_paid(delivered_order):
    supplier = SupplierFactory()
    date_lines(delivered_order((ProductFactory(supplier=supplier), 1)), IN_OCTOBER)
    services.statements_generate(period=OCTOBER)
    with pytest.raises(InvalidTransition):
        services.statement_mark_paid(statement=Statement.objects.get(), payout_reference="X")
    assert Statement.objects.get().status == "draft"


def test_the_command_prints_the_number_of_statements_alone_on_its_last_line(delivered_order, capsys):
    # given
    for _ in range(2):
        date_lines(delivered_order((ProductFactory(supplier=SupplierFactory()), 1)), IN_OCTOBER)
    # when
    call_command("generate_settlements", "--period", "2026-10")
    first = capsys.readouterr().out
    call_command("generate_settlements", "--period", "2026-10")
    second = capsys.readouterr().out
    call_command("generate_settlements", "--period", "2026-10", "--issue")
    issued = capsys.readouterr().out
    # then
    assert [out.strip().splitlines()[-1] for out in (first, second, issued)] == ["2", "0", "2"]
    assert set(Statement.objects.values_list("status", flat=True)) == {"issued"}


def test_the_command_refuses_a_period_that_is_not_a_month():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("generate_settlements", "--period", "2026-13")


def test_a_group_whose_items_had_different_rates_earns_a_line_without_one_rate(delivered_order):
    # given
    supplier, cheap, dear = SupplierFactory(), CategoryFactory(), CategoryFactory()
    services.commission_rate_set(category=cheap, rate="5")
    services.commission_rate_set(category=dear, rate="20")
    # when
    delivered_order((ProductFactory(supplier=supplier, category=cheap, price=1000), 1),
                    (ProductFactory(supplier=supplier, category=dear, price=1000), 1))
    # then
    line = StatementLine.objects.get()
    assert (line.commission_rate, line.gross_amount, line.commission_amount, line.net_amount) == (None, 2000, 250, 1750)


def test_a_group_placed_before_commissions_were_recorded_is_split_when_it_is_earned(place_order):
    # given: an order from before this feature (no snapshot on its items or group)
    supplier = SupplierFactory()
    order = place_order((ProductFactory(supplier=supplier, price=250), 1))
    OrderItem.objects.filter(order=order).update(commission_rate=None, commission_amount=None, net_amount=None)
    OrderGroup.objects.filter(order=order).update(commission_amount=None, net_amount=None)
    # when
    deliver(order)
    # then: the rates in force at delivery apply, and are recorded on the order too
    item = OrderItem.objects.get(order=order)
    assert (item.commission_rate, item.commission_amount, item.net_amount) == (Decimal("15.00"), 38, 212)
    line = StatementLine.objects.get()
    assert (line.gross_amount, line.commission_amount, line.net_amount) == (250, 38, 212)


def test_the_monthly_run_drafts_the_previous_utc_months_statements_only(delivered_order):
    from django.utils import timezone

    from settlement.periods import period_of, previous_period
    from settlement.tasks import generate_previous_month_statements

    # given: a sale earned last month (UTC) and one earned this month
    this_month = period_of(timezone.now())
    last_month = previous_period(this_month)
    supplier = SupplierFactory()
    earned_last_month = dt.datetime.combine(last_month.replace(day=15), dt.time(12), tzinfo=dt.UTC)
    date_lines(delivered_order((ProductFactory(supplier=supplier, price=100), 1)), earned_last_month)
    delivered_order((ProductFactory(supplier=supplier, price=700), 1))
    # when
    made = generate_previous_month_statements()
    # then: one draft, for last month, with last month's sale alone
    statement = Statement.objects.get()
    assert made == 1
    assert (statement.period, statement.status, statement.gross_amount) == (last_month, "draft", 100)
    assert StatementLine.objects.filter(statement__isnull=True).count() == 1


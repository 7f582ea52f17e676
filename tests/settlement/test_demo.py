"""The demo seed leaves settlement data to look at: issued statements (one paid) and a logged rate, once."""
import pytest
from django.core.management import call_command

from settlement.models import CommissionRateChange, Statement, StatementLine

pytestmark = pytest.mark.django_db


def test_seed_demo_issues_statements_once(capsys):
    # when
    call_command("seed_demo")
    # then
    assert StatementLine.objects.filter(kind="sale").exists() and StatementLine.objects.filter(kind="refund").exists()
    assert set(Statement.objects.values_list("status", flat=True)) == {"issued", "paid"}
    assert not StatementLine.objects.filter(statement__isnull=True).exists()
    assert CommissionRateChange.objects.count() == 1
    counts = (Statement.objects.count(), StatementLine.objects.count(), CommissionRateChange.objects.count())
    # when run again: nothing changes
    call_command("seed_demo")
    assert counts == (Statement.objects.count(), StatementLine.objects.count(), CommissionRateChange.objects.count())

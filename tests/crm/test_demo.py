"""Demo data for crm: plentiful, varied, and loaded only once."""
import io

import pytest

from crm import demo as crm_demo
from crm.models import Lead

pytestmark = pytest.mark.django_db


def test_the_crm_demo_seeds_about_a_hundred_varied_leads_once():
    crm_demo.seed(io.StringIO())
    crm_demo.seed(io.StringIO())

    assert Lead.objects.count() == 100
    assert Lead.objects.values("status").distinct().count() == 5
    assert Lead.objects.values("source").distinct().count() > 1
    assert Lead.objects.exclude(tags=[]).exists()

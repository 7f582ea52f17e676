"""The demo seed: a full catalogue and orders made through the services, once."""
import pytest
from django.core.management import call_command

from commerce.models import Category, Order, OrderGroup, Product, StatusChange

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_catalogue_and_orders_once(capsys):
    # when
    call_command("seed_demo")
    # then
    assert Category.objects.filter(parent__isnull=True).count() == 2
    assert Product.objects.count() >= 180
    assert set(Product.objects.values_list("approval_status", flat=True)) == {"approved", "pending", "rejected"}
    assert Product.objects.filter(supplier__isnull=True).exists()
    assert Product.objects.filter(stock_qty=0).exists()
    assert Order.objects.count() == 50
    assert set(Order.objects.values_list("status", flat=True)) == {s for s, _ in Order.STATUS_CHOICES}
    assert OrderGroup.objects.filter(supplier__isnull=False).exists()
    assert StatusChange.objects.filter(group__isnull=False).exists()
    counts = (Category.objects.count(), Product.objects.count(), Order.objects.count(), StatusChange.objects.count())

    # when run again
    call_command("seed_demo")
    # then nothing changes
    assert counts == (Category.objects.count(), Product.objects.count(), Order.objects.count(),
                      StatusChange.objects.count())

"""Supplier emails, service and task: a new order group, a product approved or rejected.

The rows are written by the services; the task is published after commit (to this run's
queue) and its body runs here, as the worker would run it. tests/supplier/
test_notifications_worker.py runs the same path through a real worker.
"""
import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce import services as commerce
from commerce.actors import Actor
from supplier import notifications
from supplier.models import SupplierEmail
from supplier.tasks import send_supplier_email, sweep_pending_supplier_emails
from tests.factories import ProductFactory, SupplierFactory
from tests.supplier.mailbackends import RefusingBackend
from tests.webhooks.conftest import queued_tasks
from verso.errors import InvalidTransition

pytestmark = pytest.mark.django_db

ADDRESS = {"line1": "1 Canal St", "city": "Amsterdam", "state": "NH", "postal_code": "1011 AB", "country": "NL"}
SEND = "supplier.tasks.send_supplier_email"


def place(*lines):
    return commerce.order_place(
        email="buyer@example.com", items=[{"product_id": p.pk, "quantity": q} for p, q in lines],
        shipping_address=ADDRESS, actor=Actor.system(),
    )


def published_email_ids() -> list[int]:
    """The ids the queued send tasks carry (read from the broker, not taken)."""
    return sorted(int(task["headers"]["argsrepr"].strip("(),")) for task in queued_tasks()
                  if task["headers"]["task"] == SEND)


def run_published_tasks() -> None:
    """Run every queued send task's body once, as a worker would."""
    for email_id in published_email_ids():
        send_supplier_email(email_id)


@pytest.fixture
def two_suppliers_order(django_capture_on_commit_callbacks, task_queue):
    tulips = SupplierFactory(name="Tulip Farm", contact_email="orders@tulips.example")
    roses = SupplierFactory(name="Rose Garden", contact_email="sales@roses.example")
    tulip = ProductFactory(supplier=tulips, name="Red tulip", sku="TUL-RED", price=250)
    rose = ProductFactory(supplier=roses, name="White rose", sku="ROS-WHT", price=400)
    vase = ProductFactory(supplier=roses, name="Glass vase", sku="VASE-1", price=1500)
    with django_capture_on_commit_callbacks(execute=True):
        order = place((tulip, 20), (rose, 10), (vase, 1))
    return order, tulips, roses


@pytest.mark.redis
def test_an_order_from_two_suppliers_emails_each_supplier_once_at_its_contact_address(two_suppliers_order):
    # given an order with products of two suppliers (placed and committed)
    order, tulips, roses = two_suppliers_order
    # when the published tasks run
    assert len(published_email_ids()) == 2
    run_published_tasks()
    # then each supplier got exactly one email, at its own contact address
    assert sorted(tuple(m.to) for m in mail.outbox) == [("orders@tulips.example",), ("sales@roses.example",)]
    assert {m.subject for m in mail.outbox} == {f"New order {order.order_number}"}
    assert set(SupplierEmail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.redis
def test_the_new_order_email_lists_the_suppliers_own_items_and_links_to_its_group_in_the_portal(
        two_suppliers_order, settings):
    # given a public URL for links in emails
    settings.VERSO_PUBLIC_URL = "https://market.example"
    order, tulips, roses = two_suppliers_order
    # when the tasks run
    run_published_tasks()
    # then the rose supplier's email names its two items, their quantities and its group's page
    [email] = [m for m in mail.outbox if m.to == ["sales@roses.example"]]
    group = order.groups.get(supplier=roses)
    text = email.body
    assert order.order_number in text
    assert "10 × White rose (ROS-WHT)" in text and "1 × Glass vase (VASE-1)" in text
    assert "tulip" not in text.lower()
    assert f"https://market.example/portal/orders/{group.pk}/" in text
    assert "55.00 EUR" in text  # 10 × 4.00 + 15.00
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert f'href="https://market.example/portal/orders/{group.pk}/"' in html
    assert "<td style=\"padding:6px 4px;\">White rose</td>" in html


@pytest.mark.redis
def test_a_task_run_twice_or_published_twice_sends_the_email_once(two_suppliers_order):
    # given an order's published tasks
    ids = published_email_ids()
    # when every task runs twice (a duplicate message, a redelivery after a lost ack)
    run_published_tasks()
    for email_id in ids:
        send_supplier_email(email_id)
    # and the sweep runs much later
    SupplierEmail.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert sweep_pending_supplier_emails() == 0
    # then still one email per supplier
    assert len(mail.outbox) == 2


@pytest.mark.redis
def test_a_claimed_email_is_not_sent_by_a_second_task_while_the_first_sends(two_suppliers_order):
    # given one email claimed by a task that is still sending (or died after sending)
    first = SupplierEmail.objects.order_by("id").first()
    SupplierEmail.objects.filter(pk=first.pk).update(status=SupplierEmail.SENDING)
    # when another task for it runs, and the sweep
    send_supplier_email(first.pk)
    SupplierEmail.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    sweep_pending_supplier_emails()
    # then nothing is sent for it (at most once: a dead worker's email is not sent twice)
    assert [m for m in mail.outbox if m.to == [first.supplier.contact_email]] == []


@pytest.mark.redis
def test_a_mail_server_failure_is_retried_later_and_the_email_arrives_once(two_suppliers_order, settings):
    # given a mail server that refuses the first message
    settings.EMAIL_BACKEND = "tests.supplier.mailbackends.RefusingBackend"
    RefusingBackend.refusals = 1
    first = SupplierEmail.objects.order_by("id").first()
    # when its task runs
    send_supplier_email(first.pk)
    # then nothing is sent, and a retry is scheduled after the first delay
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 1)
    assert "SMTPServerDisconnected" in first.last_error
    retry = queued_tasks()[0]  # the newest
    assert retry["headers"]["task"] == SEND and retry["headers"]["eta"] is not None
    # and a task arriving early (the original, delivered twice) does nothing
    send_supplier_email(first.pk)
    assert mail.outbox == []
    # when the retry is due and runs
    SupplierEmail.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    send_supplier_email(first.pk)
    # then the email arrives, once
    assert len(mail.outbox) == 1
    first.refresh_from_db()
    assert (first.status, first.attempts, first.recipient) == ("sent", 2, first.supplier.contact_email)


@pytest.mark.redis
def test_an_email_the_mail_server_keeps_refusing_fails_after_the_last_retry(two_suppliers_order, settings):
    # given two retries allowed and a mail server that refuses everything
    settings.VERSO_SUPPLIER_EMAIL_RETRY_DELAYS = [0, 0]
    settings.EMAIL_BACKEND = "tests.supplier.mailbackends.RefusingBackend"
    RefusingBackend.refusals = 99
    first = SupplierEmail.objects.order_by("id").first()
    # when its task runs three times
    for _ in range(3):
        send_supplier_email(first.pk)
    # then it is failed for good, and a fourth run does nothing
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("failed", 3)
    RefusingBackend.refusals = 0
    send_supplier_email(first.pk)
    assert mail.outbox == []


def test_nothing_is_queued_or_sent_when_the_order_rolls_back(django_capture_on_commit_callbacks):
    # given a supplier's product
    product = ProductFactory()
    # when an order is placed in a transaction that then fails
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            place((product, 1))
            raise RuntimeError("something after the order failed")
    # then no email row stays and no task is published
    assert SupplierEmail.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_the_operators_own_products_email_nobody(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        place((ProductFactory(supplier=None), 1))
    assert SupplierEmail.objects.count() == 0


def test_a_group_is_announced_once_even_if_announced_again(django_capture_on_commit_callbacks):
    # given an order whose group was announced
    with django_capture_on_commit_callbacks():
        order = place((ProductFactory(), 1))
    group = order.groups.get()
    # when something announces the same group again
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's unique key refuses it
        notifications.notify_new_order_groups(order_number=order.order_number, currency="eur", groups=[(group, [])])
    # then the database keeps one row for it
    assert SupplierEmail.objects.filter(kind="new_order_group").count() == 1


@pytest.mark.redis
def test_approval_and_rejection_email_the_supplier_with_the_reason(django_capture_on_commit_callbacks, task_queue):
    # given a pending product of a supplier
    supplier = SupplierFactory(contact_email="team@lilies.example")
    product = ProductFactory(supplier=supplier, name="Calla lily", sku="CAL-1", approval_status="pending")
    staff = Actor.system()
    # when staff reject it with a reason, then approve it after a fix
    with django_capture_on_commit_callbacks(execute=True):
        commerce.product_reject(product=product, actor=staff, reason="Photo shows a different flower.")
    with django_capture_on_commit_callbacks(execute=True):
        commerce.product_approve(product=product, actor=staff)
    run_published_tasks()
    run_published_tasks()  # again: still one email per decision
    # then the supplier got two emails, in order, the rejection with its reason
    rejected, approved = mail.outbox
    assert rejected.to == approved.to == ["team@lilies.example"]
    assert rejected.subject == "Product rejected: Calla lily"
    assert "Reason: Photo shows a different flower." in rejected.body
    assert "Photo shows a different flower." in rejected.alternatives[0][0]
    assert approved.subject == "Product approved: Calla lily"
    assert "was approved: it appears in the catalogue whenever it is on sale." in approved.body
    assert f"/portal/products/{product.pk}/" in approved.body


@pytest.mark.redis
def test_a_second_rejection_is_a_second_email_with_its_own_reason(django_capture_on_commit_callbacks, task_queue):
    product = ProductFactory(approval_status="pending")
    staff = Actor.system()
    for reason in ("Blurry photo.", "Wrong category."):
        with django_capture_on_commit_callbacks(execute=True):
            commerce.product_reject(product=product, actor=staff, reason=reason)
            if reason == "Blurry photo.":
                commerce.product_approve(product=product, actor=staff)
    run_published_tasks()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Product rejected", "Product approved",
                                                               "Product rejected"]
    assert "Wrong category." in mail.outbox[2].body


def test_a_refused_decision_emails_nobody(django_capture_on_commit_callbacks):
    product = ProductFactory(approval_status="approved")
    with django_capture_on_commit_callbacks(), pytest.raises(InvalidTransition):  # approved → approved
        commerce.product_approve(product=product, actor=Actor.system())
    assert SupplierEmail.objects.count() == 0


@pytest.mark.redis
def test_a_supplier_without_a_contact_email_is_skipped_not_retried(django_capture_on_commit_callbacks, task_queue):
    product = ProductFactory(supplier=SupplierFactory(contact_email=""))
    with django_capture_on_commit_callbacks(execute=True):
        place((product, 1))
    run_published_tasks()
    assert mail.outbox == []
    assert list(SupplierEmail.objects.values_list("status", flat=True)) == ["skipped"]


@pytest.mark.redis
def test_the_sweep_publishes_an_email_no_task_carried_once_per_grace_period(task_queue):
    # given an email row whose task was never published (a broker outage), written 2 minutes ago
    with transaction.atomic():
        order = place((ProductFactory(), 1))
    SupplierEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    before = len(published_email_ids())
    # when the sweep runs twice in a row
    first, second = sweep_pending_supplier_emails(), sweep_pending_supplier_emails()
    # then it published the email once; running it sends it
    assert (first, second) == (1, 0)
    assert len(published_email_ids()) == before + 1
    send_supplier_email(published_email_ids()[-1])
    assert [m.subject for m in mail.outbox] == [f"New order {order.order_number}"]


# --- the "new" badge ------------------------------------------------------------------------


def test_a_new_group_counts_as_new_until_its_supplier_opens_it_once(place_order):
    from supplier.selectors import new_order_group_count

    supplier, other = SupplierFactory(), SupplierFactory()
    place_order((ProductFactory(supplier=supplier), 1))
    order = place_order((ProductFactory(supplier=supplier), 1), (ProductFactory(supplier=other), 1))
    group = order.groups.get(supplier=supplier)
    assert new_order_group_count(supplier_id=supplier.pk) == 2
    # another supplier cannot mark it; staff opening it do not either
    assert commerce.order_group_mark_opened(group_id=group.pk, actor=Actor.supplier(other.pk)) is False
    assert commerce.order_group_mark_opened(group_id=group.pk, actor=Actor.system()) is False
    assert new_order_group_count(supplier_id=supplier.pk) == 2
    # its supplier opening it marks it, once
    updated_at = group.updated_at
    assert commerce.order_group_mark_opened(group_id=group.pk, actor=Actor.supplier(supplier.pk)) is True
    assert commerce.order_group_mark_opened(group_id=group.pk, actor=Actor.supplier(supplier.pk)) is False
    assert new_order_group_count(supplier_id=supplier.pk) == 1
    assert new_order_group_count(supplier_id=other.pk) == 1
    group.refresh_from_db()
    assert group.updated_at == updated_at  # opening is not a change of the order

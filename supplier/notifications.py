"""Emails to suppliers: a new order for them, a product approved or rejected.

Services call ``notify_*`` inside their transaction: that writes one ``SupplierEmail`` row per
email (rolled back with the change if it fails) and publishes its task after commit, never
waiting on the broker (verso.outbox). The ``send_supplier_email`` task sends a row once: it
claims the row before sending, so a second task, a retry or a sweep finds nothing to do.
"""
import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from verso import outbox

from .models import Supplier, SupplierEmail

logger = logging.getLogger(__name__)

# A task may run a moment before the next_attempt_at it was scheduled for (clock rounding).
EARLY_TOLERANCE = dt.timedelta(seconds=2)
# A pending row no task took within this long is published again by the sweep.
SWEEP_GRACE = dt.timedelta(seconds=60)

SUBJECTS = {
    SupplierEmail.NEW_ORDER_GROUP: "New order {order_number}",
    SupplierEmail.PRODUCT_APPROVED: "Product approved: {product_name}",
    SupplierEmail.PRODUCT_REJECTED: "Product rejected: {product_name}",
}


def portal_url(name: str, **kwargs) -> str:
    """An absolute link to a portal page, for emails (no request to build it from)."""
    return settings.VERSO_PUBLIC_URL.rstrip("/") + reverse(f"portal:{name}", kwargs=kwargs)


# --- writing (inside the caller's transaction) ---------------------------------------------


def _queue(rows: list[SupplierEmail]) -> list[SupplierEmail]:
    if not rows:
        return []
    rows = SupplierEmail.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: enqueue(ids))
    return rows


def enqueue(email_ids: list[int], *, countdown: float | None = None) -> int:
    from .tasks import send_supplier_email

    return outbox.publish_each(send_supplier_email, email_ids, what="supplier email", countdown=countdown, log=logger)


def notify_new_order_groups(*, order_number: str, currency: str, groups: list[tuple]) -> list[SupplierEmail]:
    """One email per new supplier group of an order: ``groups`` is ``[(group, [(name, sku,
    quantity)])]``. The operator's own group (no supplier) tells nobody. One INSERT."""
    rows = [
        SupplierEmail(
            supplier_id=group.supplier_id, kind=SupplierEmail.NEW_ORDER_GROUP,
            key=f"{SupplierEmail.NEW_ORDER_GROUP}:{group.pk}",
            context={
                "order_number": order_number, "group_id": group.pk, "currency": currency.upper(),
                "subtotal": f"{Decimal(group.subtotal_amount) / 100:.2f}",
                "items": [{"name": name, "sku": sku, "quantity": quantity} for name, sku, quantity in lines],
            },
        )
        for group, lines in groups if group.supplier_id is not None
    ]
    return _queue(rows)


def notify_product_decision(*, product, event_id, approved: bool) -> SupplierEmail | None:
    """Tell a product's supplier that staff approved or rejected it (with the reason).
    ``event_id`` is the decision's ``product.updated`` event: each decision is its own email,
    and the same decision is never announced twice."""
    if product.supplier_id is None:
        return None
    kind = SupplierEmail.PRODUCT_APPROVED if approved else SupplierEmail.PRODUCT_REJECTED
    row = SupplierEmail(
        supplier_id=product.supplier_id, kind=kind, key=f"{kind}:{product.pk}:{event_id}",
        context={"product_id": product.pk, "product_name": product.name, "sku": product.sku,
                 "reason": "" if approved else product.rejection_reason},
    )
    return _queue([row])[0]


# --- sending (the task's body) ----------------------------------------------------------------


def due_for_sweep(now: dt.datetime | None = None):
    """Pending emails no task took: due (or written) more than SWEEP_GRACE ago."""
    now = now or timezone.now()
    return SupplierEmail.objects.filter(
        Q(next_attempt_at__lte=now - SWEEP_GRACE) | Q(next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE),
        status=SupplierEmail.PENDING,
    )


def build_message(row: SupplierEmail, supplier: Supplier, recipient: str) -> EmailMultiAlternatives:
    context = {**row.context, "supplier_name": supplier.name}
    if row.kind == SupplierEmail.NEW_ORDER_GROUP:
        context["url"] = portal_url("order", pk=row.context["group_id"])
    else:
        context["url"] = portal_url("product", pk=row.context["product_id"])
    # One line, whatever a product name holds (a header cannot carry a newline).
    subject = " ".join(SUBJECTS[row.kind].format(**context).split())
    text = render_to_string(f"supplier/emails/{row.kind}.txt", context)
    html = render_to_string(f"supplier/emails/{row.kind}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient])
    message.attach_alternative(html, "text/html")
    return message


def _claim(email_id: int) -> SupplierEmail | None:
    """The row, now ``sending``, if it was pending and due; None when there is nothing to do.
    A conditional UPDATE: of two tasks racing for the row, exactly one claims it."""
    now = timezone.now()
    row = SupplierEmail.objects.select_related("supplier").filter(pk=email_id).first()
    if row is None or row.status != SupplierEmail.PENDING:
        return None  # sent, being sent, failed for good, or skipped: a duplicate task
    if row.next_attempt_at is not None and row.next_attempt_at > now + EARLY_TOLERANCE:
        return None  # a retry not due yet
    claimed = SupplierEmail.objects.filter(pk=row.pk, status=SupplierEmail.PENDING,
                                           next_attempt_at=row.next_attempt_at).update(
        status=SupplierEmail.SENDING, updated_at=now)
    return row if claimed else None


def send(email_id: int) -> str | None:
    """Send a pending email once; returns the row's new status (None: nothing to do).

    Claimed before sending, marked sent after. An exception from the mail backend means the
    message was not accepted: the row goes back to pending for a retry after the next delay
    (settings.VERSO_SUPPLIER_EMAIL_RETRY_DELAYS), and fails for good after the last one. A
    worker killed between sending and marking leaves the row ``sending``: never sent again.
    """
    row = _claim(email_id)
    if row is None:
        return None
    supplier = row.supplier
    recipient = supplier.contact_email.strip()
    now = timezone.now()
    rows = SupplierEmail.objects.filter(pk=row.pk, status=SupplierEmail.SENDING)
    if not recipient:
        rows.update(status=SupplierEmail.SKIPPED, last_error="The supplier has no contact email.", updated_at=now)
        logger.info("Supplier email %s skipped: supplier %s has no contact email", row.pk, supplier.pk)
        return SupplierEmail.SKIPPED
    try:
        build_message(row, supplier, recipient).send()
    except Exception as exc:  # noqa: BLE001 - any failure of the backend is one failed attempt
        return _record_failure(row, f"{type(exc).__name__}: {exc}")
    rows.update(status=SupplierEmail.SENT, recipient=recipient, attempts=row.attempts + 1, sent_at=timezone.now(),
                last_error="", next_attempt_at=None, updated_at=timezone.now())
    return SupplierEmail.SENT


def _record_failure(row: SupplierEmail, error: str) -> str:
    now = timezone.now()
    attempts = row.attempts + 1
    delays = settings.VERSO_SUPPLIER_EMAIL_RETRY_DELAYS
    rows = SupplierEmail.objects.filter(pk=row.pk, status=SupplierEmail.SENDING)
    if attempts <= len(delays):
        delay = delays[attempts - 1]
        rows.update(status=SupplierEmail.PENDING, attempts=attempts, last_error=error[:2000],
                    next_attempt_at=now + dt.timedelta(seconds=delay), updated_at=now)
        logger.warning("Supplier email %s failed (attempt %s), retrying in %ss: %s", row.pk, attempts, delay, error)
        enqueue([row.pk], countdown=delay)  # if this publish fails, the sweep retries
        return SupplierEmail.PENDING
    rows.update(status=SupplierEmail.FAILED, attempts=attempts, last_error=error[:2000], next_attempt_at=None,
                updated_at=now)
    logger.error("Supplier email %s failed for good after %s attempts: %s", row.pk, attempts, error)
    return SupplierEmail.FAILED

"""The one way to record that something happened: ``emit`` (and ``emit_updated`` for changes)."""
from typing import Any

import orjson
from django.db import transaction

from verso.api.renderers import dumps

from .models import Event

_committed_hooks: list = []


def on_event_committed(hook) -> None:
    """Register ``hook(event)`` to run after an emitted event's transaction commits
    (webhook delivery hooks in here)."""
    _committed_hooks.append(hook)


def emit(event_type: str, data: dict[str, Any]) -> Event:
    """Write an event into the outbox in the caller's transaction.

    The row commits or rolls back with the change it describes, so no event is lost and
    none is sent for a change that did not happen. Hooks run only after commit.
    """
    if event_type not in Event.TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    # Round-trip through the API's own JSON encoder: an event carries exactly what the API
    # would show (timestamps "2024-12-01T10:30:00Z", no microseconds).
    payload = orjson.loads(dumps(data))
    event = Event.objects.create(type=event_type, data=payload)
    for hook in _committed_hooks:
        transaction.on_commit(lambda hook=hook: hook(event))
    return event


def emit_updated(event_type: str, representation: dict[str, Any], previous: dict[str, Any]) -> Event:
    """An ``*.updated`` event: the new representation plus the old values of what changed."""
    return emit(event_type, {**representation, "previous_attributes": previous})


# --- many events at once (bulk updates) -------------------------------------------------


def emit_many(event_type: str, data: list[dict[str, Any]]) -> list[Event]:
    """``emit`` for many events of one type, written in ONE INSERT (a bulk update of 500
    products costs the same number of queries as one of 5). Each event is its own row, as
    if emitted one by one; hooks run after commit, once per event."""
    if event_type not in Event.TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    if not data:
        return []
    events = Event.objects.bulk_create([Event(type=event_type, data=orjson.loads(dumps(item))) for item in data])
    for event in events:
        for hook in _committed_hooks:
            transaction.on_commit(lambda hook=hook, event=event: hook(event))
    return events


def emit_many_updated(event_type: str, changes: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Event]:
    """``emit_updated`` for many ``(representation, previous)`` pairs, in one INSERT."""
    return emit_many(event_type, [{**representation, "previous_attributes": previous}
                                  for representation, previous in changes])


# --- TEMPORARY (API share, issue 15): thin stand-ins for the core share's webhook services.
# The lead keeps the core share's versions (webhooks/services.py + delivery.py) at merge;
# these exist only so the Staff API and the admin can be built and tested on this branch.
# They send nothing: webhook_test and delivery_redeliver only write the rows.
import base64 as _base64  # noqa: E402
import secrets as _secrets  # noqa: E402
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

from django.conf import settings as _settings  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402

from verso.changes import reject_unknown_fields as _reject_unknown_fields  # noqa: E402
from verso.errors import ValidationFailed as _ValidationFailed  # noqa: E402
from verso.fetch import FetchRefused as _FetchRefused  # noqa: E402
from verso.fetch import check_address as _check_address  # noqa: E402
from verso.fetch import parse_ip as _parse_ip  # noqa: E402

from .models import Delivery, Webhook  # noqa: E402


def _webhook_problems(*, url=None, events=None) -> dict[str, str]:
    problems = {}
    if url is not None:
        parts = _urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems["url"] = "Must be an http(s) URL."
        elif parts.scheme == "http" and not _settings.DEBUG:
            ip = _parse_ip(parts.hostname)
            try:
                allowed = ip is not None and bool(_settings.VERSO_ALLOW_PRIVATE_URLS) and _check_address(ip) is None
            except _FetchRefused:
                allowed = False
            if not allowed:
                problems["url"] = "Must be an https URL."
    if events is not None:
        unknown = [e for e in events if e not in Event.TYPES]
        if not events:
            problems["events"] = "Choose at least one event."
        elif unknown:
            problems["events"] = f"Unknown event(s): {', '.join(map(str, unknown))}."
    return problems


def webhook_create(*, name, url, events, secret=None, is_active=True) -> tuple[Webhook, str]:
    problems = _webhook_problems(url=url, events=events)
    if secret is not None and not secret.startswith("whsec_"):
        problems["secret"] = "Must start with whsec_."
    if problems:
        raise _ValidationFailed.for_fields(problems)
    raw = secret or "whsec_" + _base64.b64encode(_secrets.token_bytes(32)).decode()
    webhook = Webhook.objects.create(name=name, url=url, events=list(dict.fromkeys(events)), secret=raw,
                                     is_active=is_active)
    return webhook, raw


def webhook_update(*, webhook: Webhook, changes: dict) -> Webhook:
    _reject_unknown_fields(changes, allowed=["name", "url", "events", "is_active"])
    problems = _webhook_problems(url=changes.get("url"), events=changes.get("events"))
    if problems:
        raise _ValidationFailed.for_fields(problems)
    for name, value in changes.items():
        setattr(webhook, name, value)
    if changes.get("is_active"):
        webhook.disabled_at, webhook.consecutive_failures = None, 0
    webhook.save()
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


def webhook_test(*, webhook: Webhook) -> Delivery:
    event = Event.objects.create(type=Event.PING, data={"webhook_id": webhook.pk})
    return Delivery.objects.create(webhook=webhook, event=event, event_type=Event.PING)


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    delivery.status, delivery.next_attempt_at = Delivery.PENDING, _timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    return delivery
# --- end TEMPORARY ------------------------------------------------------------------------

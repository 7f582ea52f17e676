"""The one way to record that something happened: ``emit`` (and ``emit_updated`` for changes),
and the rules for webhook endpoints (create, update, delete, test, redeliver)."""
import contextlib
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from verso.api.renderers import dumps
from verso.errors import Conflict, NotFound, ValidationFailed
from verso.fetch import parse_ip

from . import delivery as delivery_path
from . import signing
from .models import Delivery, Event, Webhook

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
    with _atomic_unless_already():
        event = Event.objects.create(type=event_type, data=payload)
        delivery_path.fan_out([event])
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
    events = []
    for item in data:
        event = Event(type=event_type, data=orjson.loads(dumps(item)))
        event.created_at = timezone.now()  # as bulk_create's auto_now_add would, row by row
        events.append(event)
    with _atomic_unless_already():
        _insert_events(events)
        delivery_path.fan_out(events)
    for event in events:
        for hook in _committed_hooks:
            transaction.on_commit(lambda hook=hook, event=event: hook(event))
    return events


def _insert_events(events: list[Event]) -> None:
    """INSERT the events in one statement whose rows come as ONE jsonb parameter.

    ``bulk_create`` sends each column as an array; psycopg escapes every JSON document of a
    text array in Python, character class by character class, which was half the time of a
    500-product bulk update. One JSON string is escaped by libpq in C.
    """
    if connection.vendor != "postgresql":  # the embedded demo (SQLite)
        Event.objects.bulk_create(events)
        return
    quote = connection.ops.quote_name
    column = {name: quote(Event._meta.get_field(name).column) for name in ("id", "type", "data", "created_at")}
    rows = orjson.dumps([[str(event.pk), event.type, event.data, event.created_at.isoformat()] for event in events])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Event._meta.db_table)} ({', '.join(column.values())}) "
            "SELECT (r->>0)::uuid, r->>1, r->2, (r->>3)::timestamptz FROM jsonb_array_elements(%s::jsonb) AS r",
            [rows.decode()],
        )
    for event in events:  # saved, as bulk_create leaves them
        event._state.adding = False
        event._state.db = connection.alias


def emit_many_updated(event_type: str, changes: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Event]:
    """``emit_updated`` for many ``(representation, previous)`` pairs, in one INSERT."""
    return emit_many(event_type, [{**representation, "previous_attributes": previous}
                                  for representation, previous in changes])


def _atomic_unless_already():
    """The event and its deliveries commit together; inside the caller's transaction (the
    usual case) that needs no savepoint of its own."""
    return contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()


# --- webhook endpoints ----------------------------------------------------------------------

WEBHOOK_FIELDS = ("name", "url", "events", "is_active")


def _host_is_allowed_private(host: str) -> bool:
    """Whether every address ``host`` stands for lies in VERSO_ALLOW_PRIVATE_URLS."""
    networks = [ipaddress.ip_network(net, strict=False) for net in settings.VERSO_ALLOW_PRIVATE_URLS]
    if not networks:
        return False
    literal = parse_ip(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0])
                         for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
        except (OSError, UnicodeError, ValueError):
            return False
    return bool(addresses) and all(any(ip.version == net.version and ip in net for net in networks)
                                   for ip in addresses)


def _url_problem(url: Any) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "A URL is required."
    if len(url) > Webhook._meta.get_field("url").max_length:
        return "The URL is too long."
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "The URL contains spaces or control characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "The URL is not valid."
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "Must be an http or https URL."
    if parts.username is not None or parts.password is not None:
        return "URLs with credentials are not allowed."
    if parts.scheme.lower() == "http" and not settings.DEBUG and not _host_is_allowed_private(parts.hostname):
        return "Must be an https URL."
    return None


def _events_problem(events: Any) -> str | None:
    if not isinstance(events, list) or not events:
        return "Subscribe to at least one event."
    if not all(isinstance(e, str) for e in events):
        return "Events are event type names."
    unknown = [e for e in events if e not in Event.TYPES]
    if unknown:
        return f"Unknown event {unknown[0]!r}; known events: {', '.join(Event.TYPES)}."
    return None


def _name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "A name is required."
    if len(name) > Webhook._meta.get_field("name").max_length:
        return "The name is too long."
    return None


def _check(fields: dict[str, Any]) -> None:
    problems = {}
    checks = {"name": _name_problem, "url": _url_problem, "events": _events_problem}
    for name, value in fields.items():
        check = checks.get(name)
        problem = check(value) if check else None
        if name == "is_active" and not isinstance(value, bool):
            problem = "Must be true or false."
        if problem:
            problems[name] = problem
    if problems:
        raise ValidationFailed.for_fields(problems)


def _unique(events: list[str]) -> list[str]:
    return list(dict.fromkeys(events))


def webhook_create(*, name: str, url: str, events: list[str], secret: str | None = None,
                   is_active: bool = True) -> tuple[Webhook, str]:
    """A new endpoint and its raw secret (shown to the caller this once)."""
    _check({"name": name, "url": url, "events": events, "is_active": is_active})
    if secret is None:
        secret = signing.generate_secret()
    else:
        try:
            if not isinstance(secret, str) or len(secret) > Webhook._meta.get_field("secret").max_length:
                raise ValueError("must be whsec_ followed by base64")
            signing.secret_key(secret)
        except ValueError as exc:
            raise ValidationFailed.for_fields({"secret": f"The secret {exc} (as Standard Webhooks secrets are)."})
    webhook = Webhook.objects.create(name=name.strip(), url=url, events=_unique(events), secret=secret,
                                     is_active=is_active)
    return webhook, secret


def webhook_update(*, webhook: Webhook, changes: dict[str, Any]) -> Webhook:
    """Change name, url, events or is_active (never the secret). Turning a disabled endpoint
    on again re-enables it and starts its failure count afresh."""
    unknown = set(changes) - set(WEBHOOK_FIELDS)
    if unknown:
        raise ValidationFailed.for_fields({name: "This field cannot be changed." for name in sorted(unknown)})
    _check(changes)
    with _atomic_unless_already():
        # Locked and re-read: a worker may have disabled it, or someone deleted it, meanwhile;
        # only the fields this change names are written.
        webhook = Webhook.objects.select_for_update().filter(pk=webhook.pk).first()
        if webhook is None:
            raise NotFound("Webhook not found")
        values: dict[str, Any] = {}
        if "name" in changes:
            values["name"] = changes["name"].strip()
        if "url" in changes:
            values["url"] = changes["url"]
        if "events" in changes:
            values["events"] = _unique(changes["events"])
        if "is_active" in changes:
            values["is_active"] = changes["is_active"]
            if changes["is_active"] and webhook.disabled_at is not None:
                values.update(disabled_at=None, consecutive_failures=0)
        for name, value in values.items():
            setattr(webhook, name, value)
        webhook.save(update_fields=[*values, "updated_at"])
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()  # its deliveries go with it


def _refuse_unless_live(webhook: Webhook) -> None:
    """Sending "now" to an endpoint that takes nothing would only leave a pending row: say so."""
    if not webhook.is_active or webhook.disabled_at is not None:
        state = "disabled" if webhook.disabled_at is not None else "inactive"
        raise Conflict(f"This webhook is {state}: turn it back on (is_active) before sending to it.",
                       details={"is_active": webhook.is_active, "disabled_at": webhook.disabled_at})


def webhook_test(*, webhook: Webhook) -> Delivery:
    """A ``ping`` event for this webhook alone, sent through the ordinary delivery path (the
    task is queued when the transaction commits: the caller answers without waiting for the
    receiver, and the delivery log shows the outcome)."""
    _refuse_unless_live(webhook)
    with _atomic_unless_already():
        event = Event.objects.create(type=Event.PING, data={"webhook_id": webhook.pk})
        delivery = Delivery.objects.create(webhook=webhook, event=event, event_type=Event.PING)
        delivery_path.enqueue_on_commit([delivery.pk])
    return delivery


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery again now (whatever its outcome so far): the same event and
    ``webhook-id``, one more attempt in its log. The task is queued on commit."""
    _refuse_unless_live(delivery.webhook)
    with _atomic_unless_already():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = Delivery.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
        delivery_path.enqueue_on_commit([delivery.pk])
    return delivery

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

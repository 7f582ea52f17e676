"""The admin home (the operator's dashboard): a registry of tiles any app adds to.

Two kinds of tile, shown in the order they were registered:

- a **queue** counts the rows that need a person today and links to its model's changelist
  filtered to exactly those rows (``?queue=<key>``, applied by ``QueueFilter``). The count
  and the filter both apply the one condition the queue declares (a selector returning a
  ``Q`` for "now"), so the number on the home is the number of rows behind the link;
- a **number tile** computes a few figures with one query (``aggregate(filter=…)``).

Apps register their tiles in their ``admin.py`` (autodiscovered before any admin page is
served)::

    dashboard.register_queue(dashboard.Queue(key="…", label="…", model=…, condition=selectors.…))
    dashboard.register_number(dashboard.NumberTile(key="…", title="…", model=…, figures=…))

A staff user sees a tile only when they may view its model in the admin, so the link never
ends in a 403. Each tile costs at most one SQL query; the page's cost does not grow with rows.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class Queue:
    key: str  # the ``?queue=`` value: unique across the site
    label: str
    model: type[Model]
    condition: Callable[..., Q]  # condition(now=…) -> the rows in the queue at that moment
    help: str = ""

    def rows(self, *, now: dt.datetime | None = None) -> QuerySet:
        return self.model._default_manager.filter(self.condition(now=now or timezone.now()))

    def changelist_url(self) -> str:
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{changelist}?{QueueFilter.parameter_name}={self.key}"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class NumberTile:
    key: str
    title: str
    model: type[Model]  # who may view this model in the admin sees the tile
    figures: Callable[..., list[Figure]]  # figures(now=…) -> the tile's figures, from one query


QUEUES: dict[str, Queue] = {}
NUMBERS: dict[str, NumberTile] = {}


def register_queue(queue: Queue) -> Queue:
    _register(QUEUES, queue)
    return queue


def register_number(tile: NumberTile) -> NumberTile:
    """The hook for apps that bring their own numbers (e.g. settlement's commission this month)."""
    _register(NUMBERS, tile)
    return tile


def _register(registry: dict, tile) -> None:
    known = registry.get(tile.key)
    if known is not None and known != tile:
        raise ValueError(f"A dashboard tile {tile.key!r} is already registered")
    registry[tile.key] = tile


def queues_for(model: type[Model]) -> list[Queue]:
    return [queue for queue in QUEUES.values() if queue.model is model]


class QueueFilter(admin.SimpleListFilter):
    """"Work queue" on a changelist: the rows of one of the model's dashboard queues."""

    title = "work queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(queue.key, queue.label) for queue in queues_for(model_admin.model)]

    def queryset(self, request, queryset):
        queue = QUEUES.get(self.value() or "")
        if queue is None or queue.model is not queryset.model:
            return queryset
        return queryset.filter(queue.condition(now=timezone.now()))


def _may_view(request, model: type[Model]) -> bool:
    model_admin = admin.site._registry.get(model)
    return model_admin is not None and model_admin.has_view_or_change_permission(request)


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int
    url: str


@dataclass(frozen=True)
class NumberFigures:
    tile: NumberTile
    figures: list[Figure]


def dashboard_for(request) -> dict:
    """The tiles this staff user may see, computed: one query per visible tile."""
    now = timezone.now()
    queues = [
        QueueCount(queue=queue, count=queue.rows(now=now).count(), url=queue.changelist_url())
        for queue in QUEUES.values() if _may_view(request, queue.model)
    ]
    numbers = [
        NumberFigures(tile=tile, figures=tile.figures(now=now))
        for tile in NUMBERS.values() if _may_view(request, tile.model)
    ]
    return {"queues": queues, "numbers": numbers}


# --- time windows the number tiles share --------------------------------------------------


def start_of_day(now: dt.datetime, *, days_back: int = 0) -> dt.datetime:
    """Local midnight ``days_back`` days before ``now``'s day (TIME_ZONE)."""
    local = timezone.localtime(now)
    return (local - dt.timedelta(days=days_back)).replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_week(now: dt.datetime) -> dt.datetime:
    """Local midnight on the Monday of ``now``'s week."""
    return start_of_day(now, days_back=timezone.localtime(now).weekday())

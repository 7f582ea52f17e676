"""Query parameters shared by the API lists: ids, booleans, instants, dates, pages and sort/order.

Each parser turns a bad value into a 400 ``VALIDATION_ERROR`` naming the parameter, so a
list never quietly ignores a filter, and never fails with a 500 on a value the database
cannot hold. Each filter class also says how it is documented: ``filter_parameters``
builds a list's OpenAPI parameters from its FilterSet, so the document and the parser
cannot drift apart.
"""
import datetime as dt
import re

import django_filters
from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from verso.db import MAX_BIGINT
from verso.errors import InvalidParameters

DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
SPACED_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_UTC_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


def whole_number(raw: str, *, minimum: int, maximum: int) -> int:
    """``raw`` as a whole number in ASCII digits from ``minimum`` to ``maximum``; a ValueError saying so otherwise."""
    if not WHOLE_NUMBER.fullmatch(raw):
        raise ValueError("Must be a whole number.")
    # Past 19 significant digits it is out of any range we take (and int() refuses past 4300).
    if len(raw.lstrip("-").lstrip("0")) > 19 or not minimum <= int(raw) <= maximum:
        raise ValueError(f"Must be a whole number from {minimum} to {maximum}.")
    return int(raw)

_UTC_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)


def parse_instant(raw: str, *, end_of_day: bool) -> dt.datetime | None:
    """An ISO 8601 datetime or date as an aware datetime (a naive one is UTC); None if it is neither.

    With ``end_of_day`` the result is an exclusive upper bound (compare with ``<``): the
    next midnight for a date, the instant plus one microsecond for a datetime.
    """
    raw = raw.strip()
    if DATE_ONLY.fullmatch(raw):
        try:
            day = parse_date(raw)
        except ValueError:
            return None
        return day_bound(day, end_of_day=end_of_day)
    value = _parse_datetime(raw)
    if value is None and SPACED_OFFSET.search(raw):
        # An unencoded "+01:00" in a query string arrives as " 01:00".
        value = _parse_datetime(SPACED_OFFSET.sub(r"+\1", raw))
    if value is None:
        return None
    try:
        # An offset can carry an instant past year 1 or 9999 once in UTC: not an instant we can compare.
        value = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except OverflowError:
        return None
    if end_of_day and value < _UTC_MAX:
        return value + dt.timedelta(microseconds=1)
    return value


def day_bound(day: dt.date, *, end_of_day: bool) -> dt.datetime:
    """A UTC day's start, or with ``end_of_day`` the exclusive bound after it (the next midnight)."""
    if end_of_day:
        if day == dt.date.max:
            return dt.datetime.max.replace(tzinfo=dt.UTC)  # the end of time: no upper bound
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _parse_datetime(raw: str) -> dt.datetime | None:
    try:
        return parse_datetime(raw)
    except ValueError:
        return None


class InstantField(forms.CharField):
    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        instant = parse_instant(value, end_of_day=self.end_of_day)
        if instant is None:
            raise forms.ValidationError("Must be an ISO 8601 datetime (2024-12-01T10:30:00Z) or date (2024-12-01).")
        return instant


class InstantFilter(django_filters.Filter):
    """An ISO 8601 datetime or date; ``end_of_day=True`` makes an inclusive upper bound (use ``lt``)."""

    field_class = InstantField
    openapi_schema = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}


class StrictDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": "Must be a date as YYYY-MM-DD."}


class StrictDateFilter(django_filters.Filter):
    """A calendar date, YYYY-MM-DD only."""

    field_class = StrictDateField
    openapi_schema = {"type": "string", "format": "date"}


class DayBoundField(StrictDateField):
    """A YYYY-MM-DD date as the instant its UTC day starts, or (``end_of_day``) the one it ends."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return None if day is None else day_bound(day, end_of_day=self.end_of_day)


class DayBoundFilter(django_filters.Filter):
    """A calendar date (YYYY-MM-DD, UTC) filtering a datetime column; ``end_of_day=True`` makes
    an inclusive upper bound (use ``lt``), like InstantFilter."""

    field_class = DayBoundField
    openapi_schema = {"type": "string", "format": "date"}


class IdField(forms.Field):
    """A database id: a whole number from 1 to 2^63-1, written in ASCII digits."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return whole_number(value, minimum=1, maximum=MAX_BIGINT)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class IdFilter(django_filters.Filter):
    field_class = IdField
    openapi_schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_BIGINT}


class BooleanField(forms.Field):
    """``true`` or ``false``; anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Must be true or false.")


class BooleanFilter(django_filters.Filter):
    field_class = BooleanField
    openapi_schema = {"type": "boolean"}


class TextFilter(django_filters.CharFilter):
    """Free text. Django's form field refuses NUL characters (which PostgreSQL cannot compare)
    with a 400; ``allow_empty=True`` makes an empty value mean "no filter" (a search box)."""

    def __init__(self, *args, allow_empty: bool = False, **kwargs):
        self.allow_empty = allow_empty
        super().__init__(*args, **kwargs)

    @property
    def openapi_schema(self) -> dict:
        return {"type": "string", "pattern": r"^[^\u0000]*$", **({} if self.allow_empty else {"minLength": 1})}


def empty_parameters(filterset_class: type[django_filters.FilterSet], query_params) -> list[str]:
    """The filters given an empty value (``?status=``): a mistake, not "no filter", unless the filter allows it."""
    return [name for name, filter_ in filterset_class.base_filters.items()
            if query_params.get(name) == "" and not getattr(filter_, "allow_empty", False)]


def filter_parameters(filterset_class: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """The OpenAPI parameters of a FilterSet: each filter's own schema, its choices, its help_text."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        schema = getattr(filter_, "openapi_schema", None) or {"type": "string", "minLength": 1}
        choices = filter_.extra.get("choices")
        if choices:
            schema = {"type": "string", "enum": [value for value, _ in choices]}
        parameters.append(OpenApiParameter(name, schema, description=filter_.extra.get("help_text", "")))
    return parameters


class RangeFilterSet(django_filters.FilterSet):
    """A FilterSet whose lower/upper bound pairs (``ranges``) must not be reversed: a 400, not an empty page.

    Each pair is (lower, upper) as parsed: the lower bound an instant compared with ``gte``,
    the upper one the exclusive instant an ``end_of_day`` filter yields (compared with
    ``lt``), so the same day or instant given as both bounds is a valid range.
    """

    ranges: tuple[tuple[str, str], ...] = ()

    def is_valid(self):
        if not super().is_valid():
            return False
        for lower, upper in self.ranges:
            start, end = self.form.cleaned_data.get(lower), self.form.cleaned_data.get(upper)
            if start is not None and end is not None and start >= end:
                self.form.add_error(upper, f"Must not be earlier than {lower}.")
        return not self.form.errors


def ordering_from(request, *, allowed: dict[str, str], default_sort: str, default_order: str = "desc") -> list[str]:
    """``sort``/``order`` query parameters as an order_by list; unknown values are a 400.

    ``allowed`` maps a public sort name to a model field; ``id`` breaks ties so pages
    never overlap. ``order`` is exactly ``asc`` or ``desc``, as the contract spells it.
    """
    sort = request.query_params.get("sort", default_sort)
    order = request.query_params.get("order", default_order)
    errors = {}
    if sort not in allowed:
        errors["sort"] = f"Must be one of: {', '.join(allowed)}."
    if order not in ("asc", "desc"):
        errors["order"] = "Must be asc or desc."
    if errors:
        raise InvalidParameters.for_params(errors)
    sign = "-" if order == "desc" else ""
    field = allowed[sort]
    return [f"{sign}{field}"] + ([f"{sign}id"] if field != "id" else [])


def sort_parameters(allowed: dict[str, str], default_sort: str, default_order: str = "desc") -> list[OpenApiParameter]:
    """The OpenAPI description of what ``ordering_from`` reads (give it the same defaults)."""
    return [
        OpenApiParameter(
            "sort", OpenApiTypes.STR, enum=list(allowed), description=f"Sort field (default {default_sort})."
        ),
        OpenApiParameter(
            "order", OpenApiTypes.STR, enum=["asc", "desc"], description=f"asc or desc (default {default_order})."
        ),
    ]

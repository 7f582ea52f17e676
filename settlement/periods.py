"""Statement periods: calendar months in UTC, written ``YYYY-MM``."""
import datetime as dt
import re

PERIOD_FORMAT = re.compile(r"(\d{4})-(\d{2})")
# The same, for the OpenAPI document: years 0001 to 9999, months 01 to 12.
PERIOD_PATTERN = r"^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])$"


def parse_period(raw: str) -> dt.date | None:
    """``"2026-11"`` as the month's first day; None for anything else (``2026-13``, ``2026-1``)."""
    match = PERIOD_FORMAT.fullmatch((raw or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def period_label(period: dt.date) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def next_period(period: dt.date) -> dt.date:
    return dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)


def previous_period(period: dt.date) -> dt.date:
    return dt.date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def period_of(instant: dt.datetime) -> dt.date:
    """The UTC month an instant falls in."""
    instant = instant.astimezone(dt.UTC)
    return dt.date(instant.year, instant.month, 1)


def period_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the exclusive bound after its last (UTC)."""
    start = dt.datetime.combine(period, dt.time.min, tzinfo=dt.UTC)
    if (period.year, period.month) == (9999, 12):
        return start, dt.datetime.max.replace(tzinfo=dt.UTC)  # the end of time
    return start, dt.datetime.combine(next_period(period), dt.time.min, tzinfo=dt.UTC)

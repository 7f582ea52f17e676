"""The ``<id:…>`` path converter: a database id, 1 to 2^63-1.

Any other number in an id's place (0, or one past 64 bits that would overflow a lookup on
SQLite) simply matches no route, so it gets the same 404 as an id that names no row.
"""

from verso.db import MAX_BIGINT


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_BIGINT:
            raise ValueError(value)  # Django: no match
        return number

    def to_url(self, value) -> str:
        return str(value)

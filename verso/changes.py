"""What every ``<entity>_update`` service shares: the check on the field names it was given
and the diff that becomes an ``*.updated`` event's ``previous_attributes``."""
from collections.abc import Iterable
from typing import Any

from django.db import models

from verso.errors import ValidationFailed


def reject_unknown_fields(changes: dict[str, Any], *, allowed: Iterable[str]) -> None:
    """A field the service cannot change is a 422 naming it, not a silent no-op."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(unknown)}", details={name: "Unknown field." for name in unknown}
        )


def previous_values(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The current value of each field that ``values`` would change; empty when nothing changes."""
    return {name: getattr(obj, name) for name, value in values.items() if getattr(obj, name) != value}

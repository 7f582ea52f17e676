"""Lead rules: creating and updating leads, each change emitting its event in the same transaction."""
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from verso.changes import previous_values, reject_unknown_fields
from verso.errors import NotFound, ValidationFailed
from webhooks.services import emit, emit_updated

from .models import Lead

REQUIRED_FIELDS = ("first_name", "last_name", "email", "phone", "message")
# The one limit on a lead's message: the contact form, the API and its OpenAPI document use it.
MESSAGE_MAX_LENGTH = 5000
TEXT_LIMITS = {
    "first_name": 100, "last_name": 100, "email": 254, "phone": 50, "source": 50, "message": MESSAGE_MAX_LENGTH,
}
UPDATABLE_FIELDS = (*REQUIRED_FIELDS, "status", "source", "notes", "tags")
# The limits on a lead's notes and tags: the API's serializer and its OpenAPI document use them.
NOTES_MAX_LENGTH = 10000
MAX_TAGS = 20
MAX_TAG_LENGTH = 50

# The wire representation, shared by the Staff API and event payloads.
LEAD_FIELDS = (
    "id", "first_name", "last_name", "email", "phone", "message",
    "status", "source", "notes", "tags", "submitted_at",
)


def lead_representation(lead: Lead) -> dict[str, Any]:
    return {name: getattr(lead, name) for name in LEAD_FIELDS}


def _clean_tags(tags: Any) -> list[str]:
    if tags is None:
        return []
    if not isinstance(tags, (list, tuple)) or not all(isinstance(tag, str) for tag in tags):
        raise ValidationFailed.for_fields({"tags": "Must be a list of strings."})
    cleaned: list[str] = []
    for tag in (t.strip() for t in tags):
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationFailed.for_fields({"tags": f"A tag may have at most {MAX_TAG_LENGTH} characters."})
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed.for_fields({"tags": f"At most {MAX_TAGS} tags."})
    return cleaned


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the given lead fields; raise one ValidationFailed naming every bad one."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in REQUIRED_FIELDS or name == "source":
            value = (value or "").strip() if isinstance(value, str) or value is None else value
            if not isinstance(value, str):
                errors[name] = "Must be a string."
            elif not value:
                errors[name] = "This field is required."
            elif name in TEXT_LIMITS and len(value) > TEXT_LIMITS[name]:
                errors[name] = f"Ensure this field has no more than {TEXT_LIMITS[name]} characters."
            elif name == "email":
                try:
                    validate_email(value)
                except DjangoValidationError:
                    errors[name] = "Enter a valid email address."
        elif name == "status":
            if value not in Lead.Status.values:
                errors[name] = f"Must be one of: {', '.join(Lead.Status.values)}."
        elif name == "notes":
            if value is not None and not isinstance(value, str):
                errors[name] = "Must be a string or null."
            elif value is not None and len(value) > NOTES_MAX_LENGTH:
                errors[name] = f"Ensure this field has no more than {NOTES_MAX_LENGTH} characters."
        elif name == "tags":
            try:
                value = _clean_tags(value)
            except ValidationFailed as exc:
                errors.update(exc.details or {})
        cleaned[name] = value
    if errors:
        raise ValidationFailed.for_fields(errors)
    return cleaned


@transaction.atomic
def lead_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    message: str,
    status: str = Lead.Status.NEW,
    source: str = Lead.SOURCE_API,
    notes: str | None = None,
    tags: list[str] | None = None,
    submitted_at: datetime | None = None,
) -> Lead:
    """Record a new lead and emit ``lead.created``."""
    fields = _clean({
        "first_name": first_name, "last_name": last_name, "email": email, "phone": phone, "message": message,
        "status": status, "source": source, "notes": notes, "tags": tags,
    })
    if submitted_at is not None:
        fields["submitted_at"] = submitted_at
    lead = Lead.objects.create(**fields)
    emit("lead.created", lead_representation(lead))
    return lead


@transaction.atomic
def lead_update(*, lead_id: int, changes: dict[str, Any]) -> Lead:
    """Apply ``changes`` (any subset of the lead's editable fields) under a row lock.

    Emits ``lead.updated`` with the new representation and the previous values of what
    changed; a change to nothing emits nothing.
    """
    reject_unknown_fields(changes, allowed=UPDATABLE_FIELDS)
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None:
        raise NotFound("Lead not found")
    cleaned = _clean(changes)
    previous = previous_values(lead, cleaned)
    if not previous:
        return lead
    for name in previous:
        setattr(lead, name, cleaned[name])
    lead.save(update_fields=[*previous, "updated_at"])
    emit_updated("lead.updated", lead_representation(lead), previous)
    return lead

"""Appointment rules: booking and changing appointments without double-booking an estimator.

The rule: an estimator never holds two overlapping appointments unless one is cancelled
(``Appointment.SLOT_FREEING_STATUSES``). The service checks it under a lock on the
estimator's row and reports the clash; on PostgreSQL an exclusion constraint guarantees
it under any concurrency, and a violation of it is reported as the same 409 Conflict.
"""
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from verso.changes import previous_values, reject_unknown_fields
from verso.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from webhooks.services import emit, emit_updated

from .models import MAX_DURATION_MINUTES, NO_OVERLAP_CONSTRAINT, Appointment, Estimator, Service
from .state import appointment_allowed_targets

LATEST_YEAR = 9998
CONTACT_FIELDS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 50}
# The one limit on an appointment's notes: the API's serializer and its OpenAPI document use it.
NOTES_MAX_LENGTH = 10000
UPDATABLE_FIELDS = (
    *CONTACT_FIELDS, "scheduled_time", "duration_minutes", "status", "service_id", "estimator_id", "notes",
)
# Changing one of these can make the appointment clash with another.
SLOT_FIELDS = ("scheduled_time", "duration_minutes", "estimator_id", "status")

# The wire representation, shared by the Staff API and event payloads.
APPOINTMENT_FIELDS = (
    "id", "first_name", "last_name", "email", "phone", "scheduled_time", "duration_minutes",
    "status", "service_id", "estimator_id", "notes",
)


def appointment_representation(appointment: Appointment) -> dict[str, Any]:
    return {name: getattr(appointment, name) for name in APPOINTMENT_FIELDS}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the given fields; one ValidationFailed names every bad one."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in CONTACT_FIELDS:
            value = value.strip() if isinstance(value, str) else value
            if not isinstance(value, str) or not value:
                errors[name] = "This field is required."
            elif len(value) > CONTACT_FIELDS[name]:
                errors[name] = f"Ensure this field has no more than {CONTACT_FIELDS[name]} characters."
            elif name == "email":
                try:
                    validate_email(value)
                except DjangoValidationError:
                    errors[name] = "Enter a valid email address."
        elif name == "scheduled_time":
            if not isinstance(value, datetime):
                errors[name] = "Must be a datetime."
            elif value.year > LATEST_YEAR:
                errors[name] = f"Must be in the year {LATEST_YEAR} or earlier."  # its end must still be a date
            elif timezone.is_naive(value):
                value = timezone.make_aware(value, timezone.get_default_timezone())
        elif name == "duration_minutes":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DURATION_MINUTES:
                errors[name] = f"Must be a whole number of minutes from 1 to {MAX_DURATION_MINUTES}."
        elif name == "status":
            if value not in Appointment.Status.values:
                errors[name] = f"Must be one of: {', '.join(Appointment.Status.values)}."
        elif name == "notes":
            if value is not None and not isinstance(value, str):
                errors[name] = "Must be a string or null."
            elif isinstance(value, str) and not value.strip():
                value = None  # no notes is null, as the contract shows
            elif isinstance(value, str) and len(value) > NOTES_MAX_LENGTH:
                errors[name] = f"Ensure this field has no more than {NOTES_MAX_LENGTH} characters."
        cleaned[name] = value
    if errors:
        raise ValidationFailed.for_fields(errors)
    return cleaned


def _active_service(service_id: Any) -> Service:
    service = Service.objects.filter(pk=service_id).first() if isinstance(service_id, int) else None
    if service is None:
        raise ValidationFailed.for_fields({"service_id": f"No service with id {service_id}."})
    if not service.is_active:
        raise ValidationFailed.for_fields({"service_id": f"Service {service_id} is not active."})
    return service


def _lock_estimator(estimator_id: Any, *, require_active: bool) -> Estimator:
    """The estimator's row, locked until commit: bookings for one estimator take turns."""
    estimator = (
        Estimator.objects.select_for_update().filter(pk=estimator_id).first() if isinstance(estimator_id, int) else None
    )
    if estimator is None:
        raise ValidationFailed.for_fields({"estimator_id": f"No estimator with id {estimator_id}."})
    if require_active and not estimator.is_active:
        raise ValidationFailed.for_fields({"estimator_id": f"Estimator {estimator_id} is not active."})
    return estimator


def _blocks_slot(appointment: Appointment) -> bool:
    return appointment.estimator_id is not None and appointment.status not in Appointment.SLOT_FREEING_STATUSES


def _clash_of(appointment: Appointment) -> Appointment | None:
    end = appointment.scheduled_time + timedelta(minutes=appointment.duration_minutes)
    return (
        Appointment.objects.filter(
            estimator_id=appointment.estimator_id, scheduled_time__lt=end, ends_at__gt=appointment.scheduled_time
        )
        .exclude(status__in=Appointment.SLOT_FREEING_STATUSES)
        .exclude(pk=appointment.pk)
        .order_by("scheduled_time")
        .first()
    )


def _conflict(appointment: Appointment, clash: Appointment | None) -> Conflict:
    details: dict[str, Any] = {"estimator_id": appointment.estimator_id}
    if clash is None:
        return Conflict("The estimator already has an overlapping appointment.", details=details)
    details["conflicting_appointment_id"] = clash.id
    start, end = (t.astimezone(UTC) for t in (clash.scheduled_time, clash.ends_at))
    return Conflict(
        f"Estimator {appointment.estimator_id} already has appointment {clash.id} "
        f"from {start:%Y-%m-%dT%H:%M:%SZ} to {end:%Y-%m-%dT%H:%M:%SZ}.",
        details=details,
    )


def _is_overlap_violation(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == NO_OVERLAP_CONSTRAINT or NO_OVERLAP_CONSTRAINT in str(exc)


def save_guarded(appointment: Appointment, **save_kwargs) -> None:
    """Save; a race that slipped past the service's check and hit the database's exclusion
    constraint becomes the same 409 Conflict the check raises."""
    try:
        with transaction.atomic():
            appointment.save(**save_kwargs)
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        raise _conflict(appointment, _clash_of(appointment)) from exc


def _ensure_free(appointment: Appointment) -> None:
    """Raise Conflict if the appointment would clash; the caller holds the estimator's lock."""
    if _blocks_slot(appointment):
        clash = _clash_of(appointment)
        if clash is not None:
            raise _conflict(appointment, clash)


@transaction.atomic
def appointment_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    scheduled_time: datetime,
    service_id: int,
    duration_minutes: int | None = None,
    estimator_id: int | None = None,
    notes: str | None = None,
    status: str = Appointment.Status.SCHEDULED,
) -> Appointment:
    """Book an appointment (``duration_minutes`` defaults to the service's) and emit
    ``appointment.created``; 409 Conflict if the estimator is taken at that time."""
    service = _active_service(service_id)
    fields = _clean({
        "first_name": first_name, "last_name": last_name, "email": email, "phone": phone,
        "scheduled_time": scheduled_time,
        "duration_minutes": service.duration_minutes if duration_minutes is None else duration_minutes,
        "status": status, "notes": notes,
    })
    appointment = Appointment(service=service, estimator_id=estimator_id, **fields)
    if estimator_id is not None:
        _lock_estimator(estimator_id, require_active=True)
        _ensure_free(appointment)
    save_guarded(appointment)
    emit("appointment.created", appointment_representation(appointment))
    return appointment


def _check_transition(appointment: Appointment, to_status: str) -> None:
    """The lifecycle allows the move (its current status included: that is no move at all)."""
    allowed = appointment_allowed_targets(appointment.status)
    if to_status not in allowed:
        raise InvalidTransition(
            entity=f"appointment {appointment.pk}", from_status=appointment.status, to_status=to_status,
            allowed=allowed,
        )


@transaction.atomic
def appointment_update(*, appointment_id: int, changes: dict[str, Any]) -> Appointment:
    """Change any subset of an appointment's fields under a row lock and emit
    ``appointment.updated`` (nothing changed: no event); 409 Conflict on a clash.

    A status change follows the lifecycle (scheduling.state); anything else, the status it
    already has included, is a 422 InvalidTransition naming the allowed targets."""
    reject_unknown_fields(changes, allowed=UPDATABLE_FIELDS)
    appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
    if appointment is None:
        raise NotFound("Appointment not found")
    cleaned = _clean({k: v for k, v in changes.items() if k not in ("service_id", "estimator_id")})
    for name in ("service_id", "estimator_id"):
        if name in changes:
            cleaned[name] = changes[name]
    if "status" in cleaned:
        _check_transition(appointment, cleaned["status"])
    previous = previous_values(appointment, cleaned)
    if not previous:
        return appointment
    if "service_id" in previous:
        _active_service(cleaned["service_id"])
    for name in previous:
        setattr(appointment, name, cleaned[name])
    slot_changed = any(name in previous for name in SLOT_FIELDS)
    needs_lock = "estimator_id" in previous or (slot_changed and _blocks_slot(appointment))
    if appointment.estimator_id is not None and needs_lock:
        # A newly assigned estimator must be active; one already assigned may have left since.
        _lock_estimator(appointment.estimator_id, require_active="estimator_id" in previous)
    if slot_changed:
        _ensure_free(appointment)
    save_guarded(appointment, update_fields=[*previous, "updated_at"])
    emit_updated("appointment.updated", appointment_representation(appointment), previous)
    return appointment

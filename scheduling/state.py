"""The appointment lifecycle (DESIGN.md, State machines): the one definition of what may follow what.

``scheduling.services`` enforces it; every door (Staff API, admin) goes through it. Moving
to the status an appointment already has is not a transition and is refused.
"""
from .models import Appointment

Status = Appointment.Status

APPOINTMENT_TRANSITIONS: dict[str, list[str]] = {
    Status.SCHEDULED: [Status.CONFIRMED, Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW],
    Status.CONFIRMED: [Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW],
    Status.IN_PROGRESS: [Status.COMPLETED, Status.CANCELLED],
    # Final: book a new appointment instead.
    Status.COMPLETED: [],
    Status.CANCELLED: [],
    Status.NO_SHOW: [],
}


def appointment_allowed_targets(status: str) -> list[str]:
    return [str(target) for target in APPOINTMENT_TRANSITIONS.get(status, [])]

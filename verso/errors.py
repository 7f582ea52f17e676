"""Domain errors: services raise these; each API's exception handler renders them once.

Each carries an HTTP status, a stable code, a human message and optional details, so a
rule is checked in one place and every door (Staff API, Supplier API, admin, portal)
reports it the same way.
"""
from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    default_message = "Bad request"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details or None
        super().__init__(self.message)


class BadRequest(DomainError):
    """A request that cannot be read: malformed JSON, a bad header (400)."""


class InvalidParameters(DomainError):
    """Query parameters that fail validation (400), each named in ``details``."""

    code = "VALIDATION_ERROR"
    default_message = "Invalid query parameters"

    @classmethod
    def for_params(cls, details: dict[str, str]) -> "InvalidParameters":
        return cls("Invalid query parameters: " + ", ".join(details), details=details)


class Forbidden(DomainError):
    """The caller may not do this at all, whatever the row (403)."""

    status_code = 403
    code = "FORBIDDEN"
    default_message = "You do not have permission to perform this action."


class NotFound(DomainError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Not found"


class Conflict(DomainError):
    status_code = 409
    code = "CONFLICT"
    default_message = "Conflict"


class ValidationFailed(DomainError):
    """The request body is well-formed but breaks a rule (422)."""

    status_code = 422
    code = "VALIDATION_ERROR"
    default_message = "Validation failed"

    @classmethod
    def for_fields(cls, details: dict[str, str]) -> "ValidationFailed":
        """One error naming every bad field: "name: message" for one, all of them joined for several."""
        if len(details) == 1:
            (name, message), = details.items()
            return cls(f"{name}: {message}", details=details)
        return cls("Validation failed: " + "; ".join(f"{k}: {v}" for k, v in details.items()), details=details)


class InvalidTransition(ValidationFailed):
    """A status change the state machine does not allow; names the allowed targets."""

    def __init__(self, *, entity: str, from_status: str, to_status: str, allowed: list[str]):
        allowed_text = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"Cannot move {entity} from '{from_status}' to '{to_status}'. Allowed: {allowed_text}.",
            details={"status": f"Allowed transitions from '{from_status}': {allowed_text}", "allowed": allowed},
        )
        self.allowed = allowed

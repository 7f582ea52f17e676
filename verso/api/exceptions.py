"""One exception handler per API: every error becomes that API's envelope.

Staff API:    {"error": message, "code": CODE, "details": {...}}
Supplier API: {"success": false, "error": {"code": CODE, "message": message, "details": {...}}}
"""
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from verso.errors import DomainError

logger = logging.getLogger("verso.api")

_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    411: "LENGTH_REQUIRED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "SERVER_ERROR",
}


class LengthRequired(exceptions.APIException):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = "Send the request body with a Content-Length header (chunked bodies are not read)."
    default_code = "length_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


@dataclass
class ApiError:
    status: int
    code: str
    message: str
    details: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def flatten_errors(detail, path: str = "") -> dict[str, str]:
    """DRF's nested error detail as {"field" or "items.2.quantity": "message"}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            name = f"{path}.{key}" if path else str(key)
            out.update(flatten_errors(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {path or "non_field_errors": " ".join(str(item) for item in detail)}
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(flatten_errors(item, f"{path}.{index}" if path else str(index)))
        return out
    return {path or "non_field_errors": str(detail)}


def _validation_message(details: dict[str, str]) -> str:
    if len(details) == 1:
        name, message = next(iter(details.items()))
        return message if name == "non_field_errors" else f"{name}: {message}"
    return "Validation failed: " + "; ".join(f"{k}: {v}" for k, v in details.items())


def describe(exc: Exception) -> ApiError:
    """Classify any exception as the status, code, message and details a client sees."""
    if isinstance(exc, DomainError):
        return ApiError(exc.status_code, exc.code, exc.message, exc.details)
    if isinstance(exc, Http404):
        return ApiError(404, "NOT_FOUND", "Not found")
    if isinstance(exc, DjangoPermissionDenied):
        return ApiError(403, "FORBIDDEN", "You do not have permission to perform this action.")
    if isinstance(exc, RequestDataTooBig):
        return ApiError(413, "PAYLOAD_TOO_LARGE", "Request body is too large.")
    if isinstance(exc, SuspiciousOperation):  # e.g. too many query parameters
        return ApiError(400, "BAD_REQUEST", "Bad request.")
    if isinstance(exc, exceptions.ValidationError):
        details = flatten_errors(exc.detail)
        return ApiError(422, "VALIDATION_ERROR", _validation_message(details), details)
    if isinstance(exc, exceptions.Throttled):
        retry_after = max(1, math.ceil(exc.wait or 1))
        return ApiError(
            429, "RATE_LIMITED", f"Rate limit exceeded. Retry in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        detail = exc.detail
        if isinstance(detail, (dict, list)):
            details = flatten_errors(detail)
            message = _validation_message(details)
        else:
            details, message = None, str(detail)
        code = _CODES.get(exc.status_code, str(exc.default_code).upper())
        return ApiError(exc.status_code, code, message, details, headers)
    logger.exception("Unhandled exception in the API", exc_info=exc)
    return ApiError(500, "SERVER_ERROR", "Internal server error")


def staff_body(error: ApiError) -> dict:
    body = {"error": error.message, "code": error.code}
    if error.details:
        body["details"] = error.details
    return body


def supplier_body(error: ApiError) -> dict:
    inner = {"code": error.code, "message": error.message}
    if error.details:
        inner["details"] = error.details
    return {"success": False, "error": inner}


def _handler(body_for):
    def handle(exc, context):
        error = describe(exc)
        response = Response(body_for(error), status=error.status, headers=error.headers)
        return response

    return handle


staff_exception_handler = _handler(staff_body)
supplier_exception_handler = _handler(supplier_body)

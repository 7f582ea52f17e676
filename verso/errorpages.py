"""Last-resort error pages: JSON in the right envelope under /api/, Django's pages elsewhere."""
from django.http import JsonResponse
from django.views import defaults

from verso.api.exceptions import ApiError, describe, staff_body, supplier_body


def _api_error(request, error: ApiError):
    path = request.path_info
    body = supplier_body(error) if path.startswith("/api/v1/supplier") else staff_body(error)
    response = JsonResponse(body, status=error.status)
    for header, value in error.headers.items():
        response[header] = value
    return response


def api_error_response(request, exception):
    """The API envelope for an exception raised outside DRF's own handling."""
    return _api_error(request, describe(exception))


def server_error(request, *args, **kwargs):
    if request.path_info.startswith("/api/"):
        return _api_error(request, ApiError(500, "SERVER_ERROR", "Internal server error"))
    return defaults.server_error(request, *args, **kwargs)


def not_found(request, exception=None, *args, **kwargs):
    if request.path_info.startswith("/api/"):
        return _api_error(request, ApiError(404, "NOT_FOUND", "Not found"))
    return defaults.page_not_found(request, exception, *args, **kwargs)

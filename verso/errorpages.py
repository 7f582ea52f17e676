"""Last-resort error pages: JSON in the right envelope under /api/, Django's pages elsewhere."""
from django.http import JsonResponse
from django.views import defaults

from verso.api.exceptions import ApiError, staff_body, supplier_body


def _api_error(request, error: ApiError):
    path = request.path_info
    if path.startswith("/api/v1/supplier/"):
        return JsonResponse(supplier_body(error), status=error.status)
    return JsonResponse(staff_body(error), status=error.status)


def server_error(request, *args, **kwargs):
    if request.path_info.startswith("/api/"):
        return _api_error(request, ApiError(500, "SERVER_ERROR", "Internal server error"))
    return defaults.server_error(request, *args, **kwargs)


def not_found(request, exception=None, *args, **kwargs):
    if request.path_info.startswith("/api/"):
        return _api_error(request, ApiError(404, "NOT_FOUND", "Not found"))
    return defaults.page_not_found(request, exception, *args, **kwargs)

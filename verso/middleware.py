"""Web-only middleware: the browser doors need sessions, CSRF and messages; the API doesn't.

Each class is the stock Django middleware stepping aside for paths under ``/api/``, so an
API request (authenticated by its bearer key) pays for none of them.
"""
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.html import escape

API_PATH_PREFIX = "/api/"


def is_api_path(request) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


class WebSessionMiddleware(SessionMiddleware):
    def process_request(self, request):
        if not is_api_path(request):
            super().process_request(request)

    def process_response(self, request, response):
        if is_api_path(request):
            return response
        return super().process_response(request, response)


class WebAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        if not is_api_path(request):
            super().process_request(request)


class WebMessageMiddleware(MessageMiddleware):
    def process_request(self, request):
        if not is_api_path(request):
            super().process_request(request)

    def process_response(self, request, response):
        if is_api_path(request):
            return response
        return super().process_response(request, response)


class WebCsrfViewMiddleware(CsrfViewMiddleware):
    def process_request(self, request):
        if not is_api_path(request):
            super().process_request(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if is_api_path(request):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def process_response(self, request, response):
        if is_api_path(request):
            return response
        return super().process_response(request, response)


def web_max_body_bytes() -> int:
    """The largest body a browser form may send: the portal's biggest form, ten images at the
    image limit each, plus the fields' allowance (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    from commerce.models import ProductImage

    return ProductImage.MAX_PER_PRODUCT * settings.VERSO_IMAGE_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class WebBodyLimitMiddleware:
    """A browser request (portal, admin) whose declared body is bigger than any of our forms
    takes is refused with 413 before anything reads it.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams files of any size to
    the temporary folder, so without this one upload could fill a web machine's disk before
    the view's own per-file checks ran. Must come before the CSRF middleware, which reads
    the form. The API refuses big bodies itself, in its envelope; a body sent without a
    length (chunked) is left to the proxy's cap (docs/operations.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = web_max_body_bytes()
            if length > limit:
                megabytes = limit // (1024 * 1024)
                return HttpResponse(
                    f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Upload too large</title>"
                    f"<h1>That upload is too large</h1><p>One form takes at most {megabytes} MB "
                    f"(a product's images: at most 10 files of {settings.VERSO_IMAGE_MAX_BYTES // (1024 * 1024)} MB "
                    f"each). Go <a href=\"{escape(request.path)}\">back</a> and choose fewer or smaller files.</p>",
                    status=413,
                )
        return self.get_response(request)


class ApiExceptionMiddleware:
    """Anything that escapes an API view (a response that fails to render, say) still
    answers in that API's JSON envelope, with no stack trace, whatever DEBUG says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_api_path(request):
            return None
        from verso.errorpages import api_error_response

        return api_error_response(request, exception)

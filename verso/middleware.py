"""Web-only middleware: the browser doors need sessions, CSRF and messages; the API doesn't.

Each class is the stock Django middleware stepping aside for paths under ``/api/``, so an
API request (authenticated by its bearer key) pays for none of them.
"""
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware

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

"""Serving a cached list page with none of the request's other machinery, when nothing is unusual.

The first middleware. A GET of a list view that keeps a page cache (``cache_generations``)
is looked at before any other middleware, the URL resolver or DRF. With a bearer key this
process already knows, the request's one round trip (verso.api.roundtrip: version check,
rate-limit count, generations) is made here; then, if the key is accepted by the view's
API, holds the view's scope, is within its budget, and the page is cached under the
generations just read, the cached bytes are the answer, with the headers the whole stack
gave that path's last full 200 (security headers, Allow, Content-Type: learnt per path
and scheme) and this request's rate-limit headers.

What the middleware below would have done to such a request is checked first: the Host
is validated (ALLOWED_HOSTS), and with an HTTPS redirect, a user-agent blocklist or
PREPEND_WWW configured, nothing takes the fast path. Anything else (an unknown or refused
key, a missing scope, a 429, a page not cached, the cache down) goes through the whole
stack to the view as usual, carrying the round trip already made so the request is
counted once.
"""
import logging

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver

from . import keys, pagecache, roundtrip, throttling

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
MAX_ROUTES = 1_000


class _Route:
    def __init__(self, view_class, action: str):
        self.view_class = view_class
        self.action = action
        self.authenticator = view_class.authentication_classes[0]()
        required = view_class.required_scopes
        self.scope = None if required is None else (required.get(action) or required.get("GET"))
        self.headers: dict = {}  # is_secure -> the headers of this path's last full 200


_routes: dict = {}


def _route(request) -> "_Route | None":
    key = (settings.ROOT_URLCONF, request.path_info)
    if key in _routes:
        return _routes[key]
    route = None
    try:
        match = get_resolver().resolve(request.path_info)
    except Resolver404:
        match = None
    view_class = getattr(match.func, "cls", None) if match is not None else None
    if view_class is not None and getattr(view_class, "cache_generations", ()) and not match.kwargs:
        actions = getattr(match.func, "actions", None) or {}
        action = actions.get("get", "GET")
        if action == "GET" and not hasattr(view_class, "get"):
            action = None
        if action is not None and (view_class.required_scopes is None or view_class.required_scopes.get(action)
                                   or view_class.required_scopes.get("GET")):
            route = _Route(view_class, action)
    if len(_routes) >= MAX_ROUTES:
        _routes.clear()
    _routes[key] = route
    return route


def _ordinary(request) -> bool:
    """Would the middleware below let this request through to the view untouched?"""
    if settings.SECURE_SSL_REDIRECT or settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
        return False
    if "HTTP_TRANSFER_ENCODING" in request.META or request.META.get("CONTENT_LENGTH") not in (None, "", "0"):
        return False  # a GET with a body: the view says what it says about that
    try:
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
    except Exception:
        return False
    return True


def _cached_response(request, route: _Route) -> HttpResponse | None:
    headers = route.headers.get(request.is_secure())
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or headers is None or not _ordinary(request):
        return None
    view_class = route.view_class
    names = view_class.cache_generations
    trip = roundtrip.begin(token, check=route.authenticator.check, flavour=view_class.api_flavour, method="GET",
                           generation_names=names)
    request.api_trip = (token, trip)  # the view reuses it: one count per request
    principal, usage, tokens = trip.principal, trip.usage, trip.generations
    if principal is None or usage is None or usage.should_limit or tokens is None:
        return None
    try:
        route.authenticator.check(principal)
    except Exception:
        return None
    if route.scope is not None and not principal.has_scope(route.scope):
        return None
    if not all(name in tokens for name in names) or settings.VERSO_API_PAGE_CACHE_BYTES <= 0:
        return None
    body = pagecache.cached_body(pagecache.key_of(
        flavour=view_class.api_flavour, path=request.path, principal=principal, query=request.GET, names=names,
        tokens=tokens,
    ))
    if body is None:
        return None
    keys.touch(principal)
    response = HttpResponse(body)
    for header, value in headers.items():
        response[header] = value
    if "Content-Length" in headers:
        response["Content-Length"] = str(len(body))
    for header, value in throttling.usage_headers(usage).items():
        response[header] = value
    return response


# Where the WSGI layer leaves the round trip it made for a request it could not answer, so
# the middleware and the view reuse it (the request is counted once).
TRIP_ENVIRON_KEY = "verso.api_trip"


class ApiFastPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        route = _route(request)
        if route is None:
            return self.get_response(request)
        made = request.META.get(TRIP_ENVIRON_KEY)
        if made is not None:
            request.api_trip = made  # ApiFastPathWSGI tried this request already: not again
        else:
            response = _cached_response(request, route)
            if response is not None:
                return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            route.headers[request.is_secure()] = {h: v for h, v in response.items() if h not in RATE_HEADERS}
        return response


class ApiFastPathWSGI:
    """The same fast path one layer further out, wrapped around Django's WSGI handler
    (verso.wsgi): a cached page is answered without Django's request signals and handler,
    about a third of the fast path's CPU. Anything else goes to Django, carrying the round
    trip made here. (The middleware stays for every other entry: ASGI, the test client.)

    A once-a-minute ``last_used_at`` write made here leaves its database connection to the
    next full request's ``close_old_connections``, as a persistent connection would be."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith(API_PREFIX):
            # A copy: WSGIRequest rewrites PATH_INFO as decoded text, which Django's own
            # request (made from this environ on a miss) could not decode again.
            request = WSGIRequest(environ.copy())
            route = _route(request)
            if route is not None:
                response = _cached_response(request, route)
                if response is not None:
                    start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
                    return [response.content]
                if hasattr(request, "api_trip"):
                    environ[TRIP_ENVIRON_KEY] = request.api_trip
        return self.application(environ, start_response)


def reset() -> None:
    _routes.clear()

"""Serving a cached list page without the URL resolver or DRF, when nothing is unusual.

A GET of a list view that keeps a page cache (``cache_generations``) is looked at before
Django resolves the URL. With a bearer key this process already knows, the request's one
round trip (verso.api.roundtrip: version check, rate-limit count, generations) is made
here; then, if the key is accepted by the view's API, holds the view's scope, is within
its budget, and the page is cached under the generations just read, the cached bytes are
the answer, with the same headers the view itself gives a page (learnt from the view's
own 200 for that path) and this request's rate-limit headers.

Anything else (an unknown or refused key, a missing scope, a 429, a page not cached, the
cache down) goes on to the view as usual, carrying the round trip already made so the
request is counted once. Every other middleware still runs around both paths.
"""
import logging

from django.conf import settings
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
        self.headers: dict | None = None  # learnt from the view's own 200


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


def _cached_response(request, route: _Route) -> HttpResponse | None:
    if "HTTP_TRANSFER_ENCODING" in request.META or request.META.get("CONTENT_LENGTH") not in (None, "", "0"):
        return None  # a GET with a body: the view says what it says about that
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or route.headers is None:
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
    for header, value in route.headers.items():
        response[header] = value
    for header, value in throttling.usage_headers(usage).items():
        response[header] = value
    return response


class ApiFastPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        route = _route(request)
        if route is None:
            return self.get_response(request)
        response = _cached_response(request, route)
        if response is not None:
            return response
        response = self.get_response(request)
        if route.headers is None and response.status_code == 200 and not response.streaming:
            route.headers = {h: v for h, v in response.items() if h not in RATE_HEADERS and h != "Content-Length"}
        return response


def reset() -> None:
    _routes.clear()

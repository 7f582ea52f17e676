"""Base classes for every API view: bearer auth, scopes, rate limits, envelopes, idempotency.

Staff API views subclass ``StaffAPIView``/``StaffViewSet``; Supplier API views subclass
``SupplierAPIView``/``SupplierViewSet``. A view only declares its scopes and does its work.
"""
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from verso.api.query import empty_parameters
from verso.errors import InvalidParameters

from . import idempotency, pagecache
from .authentication import StaffKeyAuthentication, SupplierKeyAuthentication
from .exceptions import LengthRequired, PayloadTooLarge, staff_exception_handler, supplier_exception_handler
from .fields import InputSerializer
from .negotiation import JSONOnlyNegotiation
from .pagination import Page, paginate, staff_page_body, supplier_page_body
from .parsers import JSONParser
from .permissions import HasScope
from .renderers import JSONRenderer, SupplierJSONRenderer, dumps
from .throttling import ApiKeyRateThrottle


class _Replay(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


class _RollBack(Exception):
    """A server error: undo the request's work along with its transaction."""

    def __init__(self, response):
        self.response = response


def _enforce_body_limit(request) -> None:
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # WSGI hands Django no length for a chunked body, so it would read as empty: say so
        # instead of answering "field required" about a body the client did send.
        raise LengthRequired()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise PayloadTooLarge(f"Request body is too large (limit {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes).")


class ApiViewMixin:
    api_flavour = "staff"
    parser_classes = [JSONParser]
    content_negotiation_class = JSONOnlyNegotiation
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    # {"list": "read:leads", ...} for viewsets, {"GET": ..., "POST": ...} for plain views.
    required_scopes: dict[str, str] | None = {}
    default_per_page = 25

    _idempotency_claim: idempotency.Claim | None = None

    def dispatch(self, request, *args, **kwargs):
        """DRF's dispatch, except that a POST with an Idempotency-Key runs its handler, renders
        the response and stores it in one transaction (see verso.api.idempotency)."""
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            if request.method.lower() in self.http_method_names:
                handler = getattr(self, request.method.lower(), self.http_method_not_allowed)
            else:
                handler = self.http_method_not_allowed
            try:
                self.prepare_outside_transaction(request, *args, **kwargs)
            except Exception:
                if self._idempotency_claim is not None:
                    idempotency.release(self._idempotency_claim)  # nothing was done: a retry may act
                raise
            if self._idempotency_claim is not None:
                self.response = self._act_once(self._idempotency_claim, handler, request, *args, **kwargs)
                return self.response
            response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def prepare_outside_transaction(self, request, *args, **kwargs) -> None:
        """Slow work a handler needs that must not run inside a database transaction or hold a
        row lock (downloading images): runs after auth, limits and the idempotency claim,
        before the handler and the transaction an Idempotency-Key wraps it in. Store what it
        makes on ``self``; raise to refuse the request."""

    def _act_once(self, claim, handler, request, *args, **kwargs):
        """The work, the rendered response and its stored copy commit together, or none of them."""
        held = False
        try:
            with transaction.atomic():
                replay = idempotency.hold(claim)
                if replay is not None:
                    return self.finalize_response(request, replay, *args, **kwargs)
                held = True
                try:
                    with transaction.atomic():  # a failed handler's own work is undone, its 4xx kept
                        response = handler(request, *args, **kwargs)
                except Exception as exc:
                    response = self.handle_exception(exc)
                response = self.finalize_response(request, response, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
                if response.status_code >= 500:
                    raise _RollBack(response)
                idempotency.finish(
                    claim, status=response.status_code, body=response.content,
                    content_type=response.get("Content-Type", "application/json"),
                )
            return response
        except Exception as exc:
            if not held:
                raise  # another request holds the key: it is not ours to release
            idempotency.release(claim)  # nothing committed: a retry may act
            if isinstance(exc, _RollBack):
                return exc.response
            return self.finalize_response(request, self.handle_exception(exc), *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = None, None
        try:
            self.perform_authentication(request)
        except Exception:
            self.check_throttles(request)  # traffic without a usable key is limited per client IP
            raise
        self.check_throttles(request)
        _enforce_body_limit(request)
        self.check_permissions(request)
        self._idempotency_claim = None
        if request.method == "POST" and request.auth is not None:
            key = idempotency.idempotency_key_of(request._request)
            if key is not None:
                outcome = idempotency.begin(api_key_id=request.auth.id, key=key, request=request._request)
                if isinstance(outcome, HttpResponse):
                    raise _Replay(outcome)
                self._idempotency_claim = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in getattr(request._request, "rate_limit_headers", {}).items():
            response[header] = value
        return response

    def paginate(self, queryset, request) -> Page:
        key = pagecache.total_key(request, flavour=self.api_flavour, names=self.cache_generations)
        known = pagecache.known_total(key)
        page = paginate(queryset, request, default_per_page=self.default_per_page, total=known)
        if known is None:
            pagecache.remember_total(key, page.total)
        return page

    # The generations (verso.generations) a GET of this view reads; with any, its 200s may be
    # served from the page cache through ``cached``.
    cache_generations: tuple[str, ...] = ()

    def cached(self, request, build) -> HttpResponse:
        """A 200 whose body is ``build()``'s data, from the page cache when this request's
        generations still match (build() runs only on a miss)."""
        if not self.cache_generations:
            raise TypeError(f"{type(self).__name__} declares no cache_generations")
        return pagecache.serve(
            request, flavour=self.api_flavour, names=self.cache_generations, build=build, render=self.render_ok,
        )

    def render_ok(self, data) -> bytes:
        return dumps(data)


class StaffAPIView(ApiViewMixin, APIView):
    authentication_classes = [StaffKeyAuthentication]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return staff_exception_handler

    def paginated_response(self, page: Page, data: list) -> Response:
        return Response(staff_page_body(page, data))


class StaffViewSet(ApiViewMixin, viewsets.ViewSet):
    authentication_classes = [StaffKeyAuthentication]
    renderer_classes = [JSONRenderer]
    get_exception_handler = StaffAPIView.get_exception_handler
    paginated_response = StaffAPIView.paginated_response


class SupplierAPIView(ApiViewMixin, APIView):
    api_flavour = "supplier"
    authentication_classes = [SupplierKeyAuthentication]
    renderer_classes = [SupplierJSONRenderer]
    required_scopes = None  # tenant-scoped by the key's supplier instead
    default_per_page = 20
    plural = "items"

    def get_exception_handler(self):
        return supplier_exception_handler

    def paginated_response(self, page: Page, data: list) -> Response:
        return Response(supplier_page_body(page, self.plural, data))

    def render_ok(self, data) -> bytes:
        return dumps({"success": True, "data": data})


class SupplierViewSet(ApiViewMixin, viewsets.ViewSet):
    api_flavour = "supplier"
    authentication_classes = [SupplierKeyAuthentication]
    renderer_classes = [SupplierJSONRenderer]
    required_scopes = None
    default_per_page = 20
    plural = "items"
    get_exception_handler = SupplierAPIView.get_exception_handler
    paginated_response = SupplierAPIView.paginated_response
    render_ok = SupplierAPIView.render_ok


def read_body(serializer_class: type[InputSerializer], request, *, partial: bool = False) -> InputSerializer:
    """The request body checked by an input serializer (strict types, no unknown fields); a 422 otherwise."""
    if not issubclass(serializer_class, InputSerializer):
        raise TypeError(f"{serializer_class.__name__} must subclass InputSerializer")
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer


def created(obj_id, thing: str) -> Response:
    """The Staff API's answer to a create: 201 {"id", "message": "<Thing> created successfully"}."""
    return Response({"id": obj_id, "message": f"{thing} created successfully"}, status=201)


def updated(obj_id, thing: str) -> Response:
    return Response({"id": obj_id, "message": f"{thing} updated successfully"}, status=200)


def apply_filterset(filterset_class, request, queryset):
    """Filter with a django-filter FilterSet; a bad query parameter is a 400 naming it."""
    if not any(name in request.query_params for name in filterset_class.base_filters):
        return queryset  # nothing to filter by: skip building django-filter's form
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    valid = filterset.is_valid()
    details = {name: " ".join(str(m) for m in messages) for name, messages in filterset.errors.items()}
    details |= {name: "Must not be empty." for name in empty_parameters(filterset_class, request.query_params)
                if name not in details}
    if not valid or details:
        raise InvalidParameters.for_params(details)
    return filterset.qs


class _UnknownPathMixin:
    """Catch-all under an API prefix: an unknown path is a 404 in that API's envelope.

    It still counts against the caller's rate limit (per key when the key is good, else
    per IP), so it carries the rate-limit headers like every API response.
    """

    permission_classes: list = []
    required_scopes = None

    def initial(self, request, *args, **kwargs):
        try:
            self.perform_authentication(request)
        except APIException:
            pass  # no usable key: counted per client IP
        self.check_throttles(request)
        raise NotFound("No such API endpoint.")

    def options(self, request, *args, **kwargs):
        raise NotFound("No such API endpoint.")


@extend_schema(exclude=True)
class StaffUnknownPathView(_UnknownPathMixin, StaffAPIView):
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get(self, request, *args, **kwargs):
        raise NotFound("No such API endpoint.")

    post = put = patch = delete = get


@extend_schema(exclude=True)
class SupplierUnknownPathView(_UnknownPathMixin, SupplierAPIView):
    get = StaffUnknownPathView.get
    post = put = patch = delete = get

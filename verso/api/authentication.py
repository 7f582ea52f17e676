"""Bearer-key authentication for the Staff API and the Supplier API.

The two APIs differ only in how they answer a key they won't serve (DESIGN.md, Auth):
the Staff API says 401 for a revoked or expired key and 403 for a supplier key; the
Supplier API says 403 for a revoked key, a staff key or an unverified supplier.
"""
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from . import keys, roundtrip


def _bearer_token(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        raise exceptions.NotAuthenticated("Missing API key. Send 'Authorization: Bearer <key>'.")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise exceptions.AuthenticationFailed("Malformed Authorization header. Send 'Authorization: Bearer <key>'.")
    return token


class _BearerKeyAuthentication(BaseAuthentication):
    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def authenticate(self, request):
        token = _bearer_token(request)
        # The fast path (verso.api.fastpath) may have made this request's round trip already.
        made = getattr(request._request, "api_trip", None)
        if made is not None and made[0] == token:
            trip = made[1]
        else:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            reads = request.method in ("GET", "HEAD")
            trip = roundtrip.begin(
                token,
                check=self.check,
                flavour=getattr(view, "api_flavour", "staff"),
                method=request.method,
                generation_names=getattr(view, "cache_generations", ()) if reads else (),
            )
        principal = trip.principal
        if principal is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        self.check(principal)
        keys.touch(principal)
        # For the rate limiter (already counted) and the page cache (generations of this trip).
        request._request.api_usage = trip.usage
        request._request.api_generations = trip.generations
        return (principal, principal)

    def check(self, principal: keys.ApiKeyPrincipal) -> None:
        raise NotImplementedError


class StaffKeyAuthentication(_BearerKeyAuthentication):
    def check(self, principal):
        if principal.revoked:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if principal.is_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if principal.is_supplier_key:
            raise exceptions.PermissionDenied("Supplier API keys cannot use the Staff API.")


class SupplierKeyAuthentication(_BearerKeyAuthentication):
    def check(self, principal):
        if principal.revoked:
            raise exceptions.PermissionDenied("This API key has been revoked.")
        if principal.is_expired:
            raise exceptions.PermissionDenied("This API key has expired.")
        if not principal.is_supplier_key:
            raise exceptions.PermissionDenied("Staff API keys cannot use the Supplier API.")
        if not principal.supplier_verified:
            raise exceptions.PermissionDenied("Your supplier account is not verified yet.")

"""Scope permission: a view declares the scope each action needs, this class enforces it."""
from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission


def _handles_method(view, request) -> bool:
    if request.method == "OPTIONS":
        return True  # every view describes itself (DRF's options()), viewsets included
    action_map = getattr(view, "action_map", None)
    if action_map is not None:
        return request.method.lower() in action_map
    return request.method.lower() in view.http_method_names and hasattr(view, request.method.lower())


class HasScope(BasePermission):
    """Checks ``view.required_scopes``, keyed by viewset action or, for plain views, by method.

    A view with no entry for the action refuses it: forgetting a scope fails closed.
    Supplier API views set ``required_scopes = None``: their keys are tenant-scoped instead.
    """

    message = "This API key lacks the required scope."

    def has_permission(self, request, view):
        required = getattr(view, "required_scopes", {})
        if required is None:
            return True
        if not _handles_method(view, request):
            return True  # the view answers 405 Method Not Allowed next
        method = "GET" if request.method == "HEAD" else request.method.upper()
        action = getattr(view, "action", None) or method
        scope = required.get(action) or required.get(method)
        if scope is None and request.method == "OPTIONS":
            # describing an endpoint needs one of the scopes that using it needs
            return any(request.auth.has_scope(s) for s in required.values())
        if scope is None:
            raise ImproperlyConfigured(f"{type(view).__name__} declares no scope for {action!r}")
        if not request.auth.has_scope(scope):
            self.message = f"This API key lacks the '{scope}' scope."
            return False
        return True

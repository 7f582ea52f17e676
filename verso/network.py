"""Who is on the other end: the client's IP, seen through as many proxies as we trust.

With ``VERSO_TRUSTED_PROXY_HOPS=N`` (N reverse proxies in front of Verso, each appending
to X-Forwarded-For), the client is the N-th address from the right; anything further
left was written by the client and is not trusted. With 0 (the default) it is REMOTE_ADDR.
"""
from django.conf import settings


def client_ip(request) -> str:
    hops = settings.VERSO_TRUSTED_PROXY_HOPS
    remote = request.META.get("REMOTE_ADDR", "")
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-hops] if len(forwarded) >= hops else forwarded[0]

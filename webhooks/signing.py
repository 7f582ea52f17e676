"""Standard Webhooks signatures (https://www.standardwebhooks.com/), as its libraries verify them.

A delivery carries ``webhook-id`` (the event id: the same on every retry, so a receiver can
drop a duplicate), ``webhook-timestamp`` (unix seconds of this attempt) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, keyed with the
bytes the secret's base64 part (after ``whsec_``) stands for.
"""
import base64
import binascii
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def generate_secret() -> str:
    """A fresh secret: ``whsec_`` and the base64 of 32 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_…`` secret stands for; ValueError if it is not one."""
    if not secret.startswith(PREFIX):
        raise ValueError("must start with whsec_")
    try:
        key = base64.b64decode(secret[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be whsec_ followed by base64") from None
    if not key:
        raise ValueError("must be whsec_ followed by base64")
    return key


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``timestamp``."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
    }

"""docs/webhooks.md's receiver snippet works: the documented hmac verification, run as written,
accepts the documented example delivery and refuses tampered, re-keyed or stale ones.

The example's signature was computed independently (openssl dgst -sha256 -mac HMAC) and
the standardwebhooks package signs it the same way, so the docs, the hmac snippet and the
Standard Webhooks libraries agree, and so does Verso's own signer (webhooks.signing).
"""
import datetime as dt
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"

SECRET = "whsec_dmVyc28tZG9jcy1leGFtcGxlLXNlY3JldC0zMi1ieXQ="
MSG_ID = "e7b1a7a4-3c5e-4f0e-9d2a-1b6f3f0c8e21"
TIMESTAMP = "1733049000"
BODY = (b'{"id":"e7b1a7a4-3c5e-4f0e-9d2a-1b6f3f0c8e21","type":"lead.created",'
        b'"created_at":"2024-12-01T10:30:00Z","data":{"id":1,"status":"new"}}')
SIGNATURE = "v1,45DXK0aIiSUwKkbNJAMqorZiOYloGlQEkUAQqVs60+g="


@pytest.fixture(scope="module")
def verify():
    """The ``verify`` function exactly as docs/webhooks.md prints it."""
    text = DOC.read_text()
    marker = text.index("test_docs_receiver_verification.py")
    block = re.search(r"```python\n(.*?)```", text[marker:], re.S).group(1)
    namespace: dict = {}
    exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


def _headers(signature: str = SIGNATURE, timestamp: str = TIMESTAMP) -> dict:
    return {"webhook-id": MSG_ID, "webhook-timestamp": timestamp, "webhook-signature": signature}


def test_the_documented_example_is_the_one_the_docs_show():
    text = DOC.read_text()
    for value in (SECRET, MSG_ID, TIMESTAMP, BODY.decode(), SIGNATURE):
        assert value in text


def test_the_snippet_accepts_the_documented_delivery(verify):
    assert verify(SECRET, _headers(), BODY, now=int(TIMESTAMP) + 10) is True


def test_the_snippet_accepts_one_matching_signature_among_several(verify):
    headers = _headers(f"v1,bm90IGl0 {SIGNATURE}")

    assert verify(SECRET, headers, BODY, now=int(TIMESTAMP)) is True


@pytest.mark.parametrize("change", ["body", "secret", "id", "timestamp", "stale", "scheme"])
def test_the_snippet_refuses_a_delivery_that_is_not_exactly_what_was_signed(verify, change):
    secret, headers, body, now = SECRET, _headers(), BODY, int(TIMESTAMP)
    if change == "body":
        body = BODY.replace(b'"new"', b'"won"')
    elif change == "secret":
        secret = "whsec_" + "QUFB" * 11
    elif change == "id":
        headers["webhook-id"] = "e7b1a7a4-0000-4f0e-9d2a-1b6f3f0c8e21"
    elif change == "timestamp":
        headers["webhook-timestamp"] = str(int(TIMESTAMP) + 1)
    elif change == "stale":
        now = int(TIMESTAMP) + 301
    else:
        headers["webhook-signature"] = SIGNATURE.replace("v1,", "v2,")

    assert verify(secret, headers, body, now=now) is False


def test_the_standardwebhooks_package_signs_the_example_the_same_way():
    standardwebhooks = pytest.importorskip("standardwebhooks.webhooks")
    signer = standardwebhooks.Webhook(SECRET)

    at = dt.datetime.fromtimestamp(int(TIMESTAMP), tz=dt.UTC)
    assert signer.sign(MSG_ID, at, BODY.decode()) == SIGNATURE


def test_the_snippet_accepts_what_verso_itself_signs(verify):
    from webhooks import signing

    secret = signing.generate_secret()
    headers = signing.signed_headers(secret, MSG_ID, int(TIMESTAMP), BODY)

    assert signing.signed_headers(SECRET, MSG_ID, int(TIMESTAMP), BODY)["webhook-signature"] == SIGNATURE
    assert verify(secret, headers, BODY, now=int(TIMESTAMP)) is True

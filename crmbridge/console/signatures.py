"""Requests from a card inside the CRM: HubSpot's v3 signature, Salesforce's token.

HubSpot signs each request to an app's backend with ``X-HubSpot-Signature-v3``: the
base64 HMAC-SHA256, keyed with the app's client secret, of method + URI + body +
``X-HubSpot-Request-Timestamp`` (milliseconds); a timestamp older than five minutes is
refused. The URI is the full one HubSpot called (scheme, host, path, query), with
percent-encoded characters decoded. Salesforce's Lightning component calls through a
Named Credential that sends a shared token, compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import unquote

MAX_AGE_MS = 5 * 60 * 1000


def hubspot_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The ``X-HubSpot-Signature-v3`` value HubSpot would send for this request."""
    source = method.upper().encode() + unquote(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def hubspot_problem(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now_ms: float | None = None,
) -> str | None:
    """Why a HubSpot request must be refused, or None when it is genuine and fresh."""
    if not signature or not timestamp:
        return "X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required"
    try:
        sent_ms = int(timestamp)
    except ValueError:
        return "X-HubSpot-Request-Timestamp is not a number"
    now_ms = time.time() * 1000 if now_ms is None else now_ms
    if abs(now_ms - sent_ms) > MAX_AGE_MS:
        return "X-HubSpot-Request-Timestamp is more than 5 minutes away from now"
    expected = hubspot_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "X-HubSpot-Signature-v3 does not match the request"
    return None


def token_ok(expected: str, sent: str | None) -> bool:
    """Whether the token a Named Credential sent is the configured one (constant time)."""
    return bool(sent) and hmac.compare_digest(expected.encode(), str(sent).encode())

"""Signed, self-contained tokens for links that must work without a sign-in (one-click unsubscribe) and
secrets derived from a row and the server's key (so no secret needs to sit in the outbox)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from ideaflow.config import get_settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, body: str) -> str:
    key = get_settings().effective_secret_key().encode()
    return _b64(hmac.new(key, f"{purpose}:{body}".encode(), hashlib.sha256).digest()[:20])


def make_signed(purpose: str, data: dict[str, Any]) -> str:
    body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(purpose, body)}"


def read_signed(purpose: str, token: str) -> dict[str, Any] | None:
    """The data, if the token was made by this server for this purpose; None otherwise."""
    body, _, mac = token.partition(".")
    if not body or not mac or len(token) > 400 or not hmac.compare_digest(_mac(purpose, body), mac):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def derived_secret(purpose: str, *parts: object) -> str:
    """A 256-bit secret the server can compute again from the row it belongs to, and nobody else can."""
    key = get_settings().effective_secret_key().encode()
    message = ":".join([purpose, *(str(p) for p in parts)]).encode()
    return _b64(hmac.new(key, message, hashlib.sha256).digest())

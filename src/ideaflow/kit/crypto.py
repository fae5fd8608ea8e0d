"""Secrets at rest: AES-256-GCM under a key derived from the app secret with HKDF and a purpose label, so the key
that signs CSRF tokens never encrypts anything and a database dump alone reveals no credential.

`associated` binds a ciphertext to where it belongs (e.g. "workspace:7:webhook"), so a sealed value copied into
another row does not open."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ideaflow.config import get_settings

PREFIX = "v1:"


class DecryptionFailed(Exception):
    """The app secret changed since the value was sealed, or the stored value was altered."""


def _key(purpose: bytes, secret: str | None) -> bytes:
    secret = secret or get_settings().effective_secret_key()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


def seal(plaintext: str, *, purpose: bytes, associated: str, secret: str | None = None) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose, secret)).encrypt(nonce, plaintext.encode(), associated.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_sealed(stored: str, *, purpose: bytes, associated: str, secret: str | None = None) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionFailed("unknown sealed format")
    raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode())
    try:
        opened = AESGCM(_key(purpose, secret)).decrypt(raw[:12], raw[12:], associated.encode())
    except InvalidTag as exc:
        raise DecryptionFailed("the value cannot be decrypted with this server's secret key") from exc
    return opened.decode()

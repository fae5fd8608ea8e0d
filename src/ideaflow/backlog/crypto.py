"""Tracker credentials at rest: AES-256-GCM under a key derived from the app secret with HKDF and a purpose
label, so the key that signs CSRF tokens never encrypts anything and a database dump alone reveals no token."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ideaflow.config import get_settings

_PURPOSE = b"ideaflow/backlog/tracker-credentials/v1"
_PREFIX = "v1:"


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret.encode())


def encrypt(plaintext: str, *, associated: str, secret: str | None = None) -> str:
    """`associated` binds the ciphertext to its row (e.g. "connection:token"), so it cannot be moved to another."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret or get_settings().effective_secret_key())).encrypt(
        nonce, plaintext.encode(), associated.encode()
    )
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


class DecryptionFailed(Exception):
    """The app secret changed since the credential was saved, or the stored value was altered."""


def decrypt(stored: str, *, associated: str, secret: str | None = None) -> str:
    if not stored.startswith(_PREFIX):
        raise DecryptionFailed("unknown credential format")
    raw = base64.urlsafe_b64decode(stored[len(_PREFIX) :].encode())
    try:
        opened = AESGCM(_key(secret or get_settings().effective_secret_key())).decrypt(
            raw[:12], raw[12:], associated.encode()
        )
    except InvalidTag as exc:
        raise DecryptionFailed("the credential cannot be decrypted with this server's secret key") from exc
    return opened.decode()

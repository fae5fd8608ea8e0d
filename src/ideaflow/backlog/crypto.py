"""Tracker credentials at rest, sealed with `kit.crypto` under their own purpose label."""

from __future__ import annotations

from ideaflow.kit.crypto import DecryptionFailed, open_sealed, seal

_PURPOSE = b"ideaflow/backlog/tracker-credentials/v1"

__all__ = ["DecryptionFailed", "decrypt", "encrypt"]


def encrypt(plaintext: str, *, associated: str, secret: str | None = None) -> str:
    """`associated` binds the ciphertext to its row (e.g. "connection:token"), so it cannot be moved to another."""
    return seal(plaintext, purpose=_PURPOSE, associated=associated, secret=secret)


def decrypt(stored: str, *, associated: str, secret: str | None = None) -> str:
    return open_sealed(stored, purpose=_PURPOSE, associated=associated, secret=secret)

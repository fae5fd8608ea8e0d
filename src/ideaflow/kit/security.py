"""Secrets: password hashing (argon2), random tokens and their at-rest hashes, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ideaflow.config import get_settings

_settings = get_settings()
# argon2id; cost is configurable for small machines (and kept cheap in the test suite), never below the
# library's minimums. Hashes record their parameters, so raising them later rehashes at the next sign-in.
_hasher = PasswordHasher(
    time_cost=_settings.password_hash_time_cost, memory_cost=_settings.password_hash_memory_kib, parallelism=1
)
# Verifying against this when the email is unknown keeps sign-in timing the same either way.
_DUMMY_HASH = _hasher.hash("ideaflow-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a fast hash is enough to keep them useless if the table leaks."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, binding: str) -> str:
    """A token bound to the browser's session (or anonymous CSRF cookie): it changes when the session
    rotates, and cannot be forged without the server's key."""
    return hmac.new(secret_key.encode(), b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret_key: str, binding: str, presented: str | None) -> bool:
    if not presented or not binding:
        return False
    return hmac.compare_digest(csrf_token(secret_key, binding), presented)

"""Checking the identity tokens companies sign for their users (HS256 JWTs), one named check at a time, so
the same code answers the widget ("no") and the admin's token tester ("no, because ...")."""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ideaflow.config import get_settings

MAX_LIFETIME_SECONDS = 86_400
# Clocks drift: a token may be this many seconds past `exp` (or `nbf` this far ahead) and still pass.
LEEWAY_SECONDS = 30
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _fernet() -> Fernet:
    """Secrets are encrypted with a key derived from the app's secret key (rotating that key makes stored
    signing secrets unreadable: create new ones afterwards)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ideaflow widget signing secrets").derive(
        get_settings().effective_secret_key().encode()
    )
    return Fernet(base64.urlsafe_b64encode(raw))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(encrypted: str) -> str | None:
    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken:
        return None


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Candidate:
    """A secret the token may have been signed with: its row id, public key id, clear text and state."""

    id: int
    key_id: str
    prefix: str
    secret: str
    active: bool


@dataclass
class Verdict:
    checks: list[Check] = field(default_factory=list)
    claims: dict[str, Any] | None = None
    header: dict[str, Any] | None = None
    secret: Candidate | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def _segment(part: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _signed_with(token: str, candidates: list[Candidate], kid: str | None) -> Candidate | None:
    # The secret named by `kid` first; without one, each (there are at most a handful) in turn.
    ordered = sorted(candidates, key=lambda c: c.key_id != kid)
    for candidate in ordered:
        try:
            jwt.decode(
                token,
                candidate.secret,
                algorithms=["HS256"],
                options={"verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                         "verify_aud": False, "verify_iss": False, "require": []},
            )  # fmt: skip
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            return None
        return candidate
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def verify(token: str, *, audience: str, candidates: list[Candidate], now: datetime | None = None) -> Verdict:
    """Every check the widget makes, in order. Later checks still run after an earlier one fails (when the
    token can be read at all), so the tester can name every problem at once; `ok` needs all of them."""
    now = now or datetime.now(UTC)
    ts = now.timestamp()
    verdict = Verdict()
    token = (token or "").strip()
    parts = token.split(".")
    header = _segment(parts[0]) if len(parts) == 3 else None
    claims = _segment(parts[1]) if len(parts) == 3 else None
    if not verdict.add(
        "format",
        header is not None and claims is not None,
        "a JWT: three base64url parts, header and claims are JSON objects"
        if header is not None and claims is not None
        else "not a JWT: expected header.claims.signature with JSON header and claims",
    ):
        return verdict
    verdict.header, verdict.claims = header, claims
    alg = header.get("alg")
    if alg == "HS256":
        verdict.add("algorithm", True, "HS256")
    elif isinstance(alg, str) and alg.lower() == "none":
        verdict.add("algorithm", False, "alg “none” (unsigned tokens) is never accepted; sign with HS256")
    else:
        verdict.add("algorithm", False, f"alg {alg!r} is not accepted; sign with HS256")

    if alg == "HS256":
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        signer = _signed_with(token, candidates, kid)
        if signer is None:
            verdict.add("signature", False, "the signature does not match any of this workspace's secrets")
        elif not signer.active:
            verdict.add("signature", False, f"signed with secret {signer.prefix}…, which has been revoked")
        else:
            verdict.secret = signer
            verdict.add("signature", True, f"signed with secret {signer.prefix}…")
    else:
        verdict.add("signature", False, "not checked: the algorithm is not HS256")

    exp = claims.get("exp")
    if exp is None:
        verdict.add("exp", False, "missing claim “exp” (expiry, seconds since 1970): it is required")
    elif not _number(exp):
        verdict.add("exp", False, "“exp” must be a number of seconds since 1970")
    elif exp + LEEWAY_SECONDS < ts:
        ago = int(ts - exp)
        verdict.add(
            "exp", False, f"expired {ago} seconds ago ({datetime.fromtimestamp(exp, UTC):%Y-%m-%d %H:%M:%S} UTC)"
        )
    elif exp - ts > MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        verdict.add("exp", False, "expires more than one day ahead: mint short-lived tokens (at most 24 hours)")
    else:
        verdict.add("exp", True, f"valid for {int(exp - ts)} more seconds")
    nbf = claims.get("nbf")
    if nbf is not None and (not _number(nbf) or nbf - LEEWAY_SECONDS > ts):
        verdict.add("nbf", False, "“nbf” (not before) is in the future or not a number")

    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if aud is None:
        verdict.add("aud", False, f"missing claim “aud”: it must be the workspace, “{audience}”")
    elif audience in audiences:
        verdict.add("aud", True, f"audience is “{audience}”")
    else:
        verdict.add("aud", False, f"wrong audience {aud!r}: it must be the workspace, “{audience}”")

    sub = claims.get("sub")
    if isinstance(sub, int) and not isinstance(sub, bool):
        sub = str(sub)
    if not isinstance(sub, str) or not sub.strip():
        verdict.add("sub", False, "missing claim “sub” (your user's id)")
    elif len(sub) > 200:
        verdict.add("sub", False, "“sub” must be at most 200 characters")
    else:
        verdict.add("sub", True, f"user {sub}")

    for problem in _claim_problems(claims):
        verdict.add("claims", False, problem)
    return verdict


def _claim_problems(claims: dict[str, Any]) -> list[str]:
    problems = []
    email = claims.get("email")
    if email is not None and (not isinstance(email, str) or len(email) > 254 or not EMAIL_RE.match(email)):
        problems.append("“email” is not an email address")
    name = claims.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 80):
        problems.append("“name” must be text of at most 80 characters")
    avatar = claims.get("avatar")
    if avatar is not None and (not isinstance(avatar, str) or not avatar.startswith("https://") or len(avatar) > 500):
        problems.append("“avatar” must be an https:// URL of at most 500 characters")
    company = claims.get("company")
    if company is not None:
        if not isinstance(company, dict):
            problems.append("“company” must be an object {id, name, monthly_spend}")
        else:
            cid = company.get("id")
            if (cid is not None and not isinstance(cid, str | int)) or isinstance(cid, bool):
                problems.append("“company.id” must be a string or a number")
            cname = company.get("name")
            if cname is not None and (not isinstance(cname, str) or len(cname) > 200):
                problems.append("“company.name” must be text of at most 200 characters")
            spend = company.get("monthly_spend")
            if spend is not None and (not _number(spend) or spend < 0):
                problems.append("“company.monthly_spend” must be a number ≥ 0")
    segment = claims.get("segment")
    if segment is not None and (not isinstance(segment, str) or len(segment) > 80):
        problems.append("“segment” must be text of at most 80 characters")
    return problems

"""Conditional GETs for pages built from the database: a weak ETag hashed from everything a response depends on,
and 304 Not Modified (no body) when the client's copy is still current.

Lists take their freshness from a change marker, max(ideas.updated_at) of the workspace (see
`ideas.repository.list_marker`). `updated_at` is set when a statement runs, not when its transaction commits, so a
change written just before the marker's newest one could become visible after it: the marker alone would then
not move. A list therefore gets an ETag only once its marker is `settle` seconds old (a transaction longer than
that is the only way to miss a change); a board that is changing right now is answered in full."""

from __future__ import annotations

import hashlib
import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

from ideaflow.config import get_settings

# Responses differ per viewer (cookie or token) and per htmx target; shared caches must not mix them.
VARY = "Authorization, Cookie, HX-Request, HX-Target"
CACHE_CONTROL = "private, no-cache"


def _deploy_marker() -> str:
    """Changes with every deploy: the package version, the settings that show in responses, and the templates."""
    settings = get_settings()
    try:
        version = importlib.metadata.version("ideaflow")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        version = "0"
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"{version}|{settings.base_url}|{settings.env}".encode())
    templates = Path(settings.templates_dir)
    for path in sorted(templates.rglob("*.html")) if templates.is_dir() else []:
        stat = path.stat()
        digest.update(f"{path.relative_to(templates)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


_DEPLOY: str | None = None


def deploy_marker() -> str:
    global _DEPLOY
    if _DEPLOY is None:
        _DEPLOY = _deploy_marker()
    return _DEPLOY


def is_settled(marker: datetime | None, now: datetime | None = None) -> bool:
    """True when no transaction shorter than the settle time can still commit a change older than `marker`."""
    if marker is None:
        return True
    now = now or datetime.now(UTC)
    return (now - marker).total_seconds() >= get_settings().list_etag_settle_seconds


def make_etag(*parts: object) -> str:
    """A weak ETag (the body may be gzipped or not) over the deploy marker and `parts` (reprs, in order)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (deploy_marker(), *parts):
        digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return f'W/"{digest.hexdigest()}"'


def matches(request: Request, etag: str) -> bool:
    """If-None-Match uses the weak comparison: `W/` prefixes are ignored on both sides."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def headers(etag: str | None) -> dict[str, str]:
    """The validator and the caching rules for a per-viewer response: revalidate every time, never share."""
    out = {"Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if etag is not None:
        out["ETag"] = etag
    return out


def not_modified(etag: str) -> Response:
    return Response(status_code=304, headers=headers(etag))


def apply(response: Response, etag: str | None) -> Response:
    for name, value in headers(etag).items():
        response.headers[name] = value
    return response


def fingerprint(*rows: object) -> tuple:
    """Every column value of ORM rows (a row, a list of rows, or None), to put what a page shows into an ETag."""
    out: list = []
    for row in rows:
        if row is None:
            out.append(None)
        elif isinstance(row, list | tuple):
            out.append(fingerprint(*row))
        else:
            out.append(tuple(getattr(row, column.key) for column in row.__table__.columns))
    return tuple(out)


def minute(now: datetime | None = None) -> datetime:
    """Pages that say "3 minutes ago" change every minute even when nothing else does."""
    return (now or datetime.now(UTC)).replace(second=0, microsecond=0)

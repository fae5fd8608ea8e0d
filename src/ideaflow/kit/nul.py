"""Refusing NUL characters anywhere in a request: PostgreSQL cannot store them in text, and no one types them.
One check for every route, so a stray `\\u0000` is a clear 422 instead of a database error."""

from __future__ import annotations

import json

from fastapi import Request

from ideaflow.db import SAFE_METHODS
from ideaflow.errors import Invalid

REASON = "must not contain NUL characters"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


async def refuse_nul_characters(request: Request) -> None:
    if "\x00" in request.url.path:
        raise Invalid.field("path", REASON)
    if "%00" in request.url.query:
        raise Invalid.field("query", REASON)
    if request.method in SAFE_METHODS:
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        return  # files may hold any bytes; their endpoints parse and check what they read
    body = await request.body()
    if b"\x00" in body or (content_type.startswith("application/x-www-form-urlencoded") and b"%00" in body):
        raise Invalid.field("body", REASON)
    if b"\\u0000" in body:
        # Only parsed when the escape appears at all, which keeps the common case free of a second parse.
        try:
            found = _has_nul(json.loads(body))
        except ValueError:
            return  # not JSON: the endpoint reports that itself
        if found:
            raise Invalid.field("body", REASON)

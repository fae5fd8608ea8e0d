"""Opaque keyset cursors: stable pages over lists that change while people read them."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from ideaflow.errors import Invalid


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, types: tuple[type, ...]) -> list[Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except ValueError:
        raise Invalid.field("cursor", "is not a cursor this server issued") from None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(
            isinstance(v, (int, float) if t is float else t) and not isinstance(v, bool)
            for v, t in zip(values, types, strict=True)
        )
    ):
        raise Invalid.field("cursor", "is not a cursor this server issued")
    return values

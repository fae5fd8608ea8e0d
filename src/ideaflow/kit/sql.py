"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnDefault, Table, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

# SQLAlchemy's dialect-specific INSERT ... ON CONFLICT constructs cannot be cached (they have no cache key), so
# each use would be compiled again: on a vote that was two full compilations. These statements are written once
# per shape as text, in the syntax PostgreSQL and SQLite share, with typed parameters, and are cached like any other.


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@functools.lru_cache(maxsize=512)
def _on_conflict(
    table: Table, columns: tuple[str, ...], keys: tuple[str, ...], update: tuple[str, ...], returning: tuple[str, ...]
) -> TextClause:
    action = "DO NOTHING"
    if update:
        action = "DO UPDATE SET " + ", ".join(f"{_quoted(c)} = excluded.{_quoted(c)}" for c in update)
    for name in (*columns, *keys, *update, *returning):
        table.c[name]  # only the table's own columns: every name in the text below is one of them
    # Names from the table's metadata (checked above), values as bound parameters.
    target = f"{_quoted(table.name)} ({', '.join(map(_quoted, columns))})"
    placeholders = ", ".join(":" + c for c in columns)
    sql = f"INSERT INTO {target} VALUES ({placeholders}) ON CONFLICT ({', '.join(map(_quoted, keys))}) {action}"  # noqa: S608
    if returning:
        sql += " RETURNING " + ", ".join(map(_quoted, returning))
    stmt = text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
    return stmt.columns(*(table.c[c] for c in returning)) if returning else stmt  # type: ignore[return-value]


def _with_defaults(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """The row as an INSERT of the table would write it: columns left out get their Python-side defaults."""
    row = dict(values)
    for column in table.columns:
        default = column.default
        if column.key in row or default is None or not isinstance(default, ColumnDefault):
            continue
        row[column.key] = default.arg(None) if default.is_callable else default.arg  # type: ignore[operator]
    return row


def insert_ignoring_conflicts(
    session: AsyncSession, table: Table, index_elements: list[str], *, returning: Sequence[str] = (), **values: Any
):
    """INSERT ... ON CONFLICT (...) DO NOTHING [RETURNING ...], for PostgreSQL and SQLite alike."""
    row = _with_defaults(table, values)
    return _on_conflict(table, tuple(row), tuple(index_elements), (), tuple(returning)).bindparams(**row)


async def upsert_rows(
    session: AsyncSession, table: Table, keys: list[str], rows: list[dict[str, Any]], *, update: list[str] | None = None
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET the `update` columns (default: every non-key column given) to the
    new row's values, for one or many rows of the same columns."""
    if not rows:
        return
    full = [_with_defaults(table, row) for row in rows]
    columns = update if update is not None else [c for c in rows[0] if c not in keys]
    await session.execute(_on_conflict(table, tuple(full[0]), tuple(keys), tuple(columns), ()), full)


def dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "postgresql"

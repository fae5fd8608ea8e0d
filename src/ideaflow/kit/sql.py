"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, table: Table, index_elements: list[str], **values: Any):
    """INSERT ... ON CONFLICT (...) DO NOTHING, for PostgreSQL and SQLite alike."""
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    module = sqlite if dialect == "sqlite" else postgresql
    return module.insert(table).values(**values).on_conflict_do_nothing(index_elements=index_elements)


def dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "postgresql"

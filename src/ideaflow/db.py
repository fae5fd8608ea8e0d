"""The data layer's spine: declarative base, engine set-up for SQLite and PostgreSQL, and the
request session that commits exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import BigInteger, DateTime, Enum, ForeignKey, Integer, MetaData, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from ideaflow.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, and transactions we begin ourselves so that writes can
    take the write lock up front (BEGIN IMMEDIATE) instead of failing to upgrade mid-transaction."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(settings: Settings, *, url: str | None = None, pool: bool = True) -> AsyncEngine:
    url = url or settings.effective_database_url
    kwargs: dict = {"echo": settings.log_sql, "query_cache_size": settings.db_query_cache_size}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": settings.sqlite_busy_timeout_ms / 1000}
        if not pool:
            kwargs["poolclass"] = NullPool
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    if "asyncpg" in url:
        parsed = make_url(url)
        if "prepared_statement_cache_size" not in parsed.query:
            url = parsed.update_query_dict({"prepared_statement_cache_size": str(settings.db_statement_cache_size)})
    if pool:
        kwargs.update(pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    else:
        kwargs["poolclass"] = NullPool
    engine = create_async_engine(url, **kwargs)
    if pool:
        _ping_idle_connections(engine, settings.db_ping_idle_seconds)
    return engine


def _ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling for connections that sat idle: a server restart or an idle timeout
    between ideaflow and PostgreSQL drops connections while they wait in the pool. Pinging at every checkout
    (SQLAlchemy's pool_pre_ping) costs a round trip per request; a connection used moments ago is alive."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection was dropped while idle") from exc  # the pool reconnects


@dataclass
class Database:
    """One per process: the engine and the two session factories (reads, and writes that lock early)."""

    engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]
    # GET requests' sessions when they differ from `read` (IDEAFLOW_DB_AUTOCOMMIT_READS on PostgreSQL); `read`
    # itself stays transactional: streams through server-side cursors need a transaction.
    request_read: async_sessionmaker[AsyncSession] | None = None
    # SQLite has one writer at a time. Requests of this process queue for it here, in order, instead of in
    # SQLite's busy handler, which polls with sleeps of up to 100 ms and so leaves the lock idle between writers.
    write_turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def from_engine(cls, engine: AsyncEngine, *, autocommit_reads: bool | None = None) -> Database:
        write_bind = engine.execution_options(sqlite_immediate=True)
        if autocommit_reads is None:
            autocommit_reads = get_settings().db_autocommit_reads
        request_read = None
        if autocommit_reads and engine.dialect.name == "postgresql":
            request_read = async_sessionmaker(
                engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False, autoflush=False
            )
        return cls(
            engine=engine,
            read=async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
            write=async_sessionmaker(write_bind, expire_on_commit=False, autoflush=False),
            request_read=request_read,
        )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: services flush, this commits once, after the endpoint returns
    and before the response leaves, or rolls everything back on error."""
    database: Database = request.app.state.database
    reading = request.method in SAFE_METHODS
    maker = (database.request_read or database.read) if reading else database.write
    async with contextlib.AsyncExitStack() as stack:
        if not reading and database.engine.dialect.name == "sqlite":
            await stack.enter_async_context(database.write_turn)
        session = await stack.enter_async_context(maker())
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


BigId = BigInteger().with_variant(Integer, "sqlite")


def id_column() -> Mapped[int]:
    return mapped_column(BigId, primary_key=True)


def fk_column(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = False):
    return mapped_column(BigId, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def str_enum(enum_cls: type, length: int = 32) -> Enum:
    """A StrEnum stored as plain VARCHAR on both databases (values, not names; no native type)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


# Ids are 64-bit on PostgreSQL: anything larger in a URL is refused up front rather than overflowing a query.
ID_MAX = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=ID_MAX, description="A numeric id.")]

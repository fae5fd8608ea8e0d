"""Queries for users, sessions and API tokens."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import AccountToken, ApiToken, TokenPurpose, User, UserSession
from ideaflow.db import UTCDateTime


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


# The look-ups every signed-in request makes are built once, with named parameters: SQLAlchemy then reuses the
# statement's cache key too, instead of building the statement and its key again on every request.
@functools.cache
def _user_for_session() -> Select:
    return (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.expires_at > bindparam("now", type_=UTCDateTime()),
            User.is_active.is_(True),
        )
    )


@functools.cache
def _user_for_api_token() -> Select:
    return (
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == bindparam("token_hash"), User.is_active.is_(True))
    )


async def user_for_session(session: AsyncSession, token_hash: str, now: datetime) -> User | None:
    return await session.scalar(_user_for_session(), {"token_hash": token_hash, "now": now})


async def delete_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))


async def delete_expired_sessions(session: AsyncSession, user_id: int, now: datetime) -> None:
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id, UserSession.expires_at <= now))


async def user_for_api_token(session: AsyncSession, token_hash: str) -> tuple[User, ApiToken] | None:
    row = (await session.execute(_user_for_api_token(), {"token_hash": token_hash})).first()
    return (row[0], row[1]) if row else None


async def touch_api_token(session: AsyncSession, token_id: int, now: datetime) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


async def list_api_tokens(session: AsyncSession, user_id: int) -> list[ApiToken]:
    result = await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    return list(result)


async def delete_api_token(session: AsyncSession, user_id: int, token_id: int) -> bool:
    result = await session.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    return result.rowcount > 0


async def get_account_token(session: AsyncSession, hashed: str) -> tuple[AccountToken, User] | None:
    row = (
        await session.execute(
            select(AccountToken, User)
            .join(User, User.id == AccountToken.user_id)
            .where(AccountToken.token_hash == hashed)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def get_account_token_by_id(session: AsyncSession, token_id: int) -> tuple[AccountToken, User] | None:
    row = (
        await session.execute(
            select(AccountToken, User).join(User, User.id == AccountToken.user_id).where(AccountToken.id == token_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def use_tokens(session: AsyncSession, *, user_id: int, purpose: TokenPurpose, at: datetime) -> None:
    """Every outstanding link of this kind dies together: one reset spends them all."""
    await session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )


async def delete_all_sessions(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))

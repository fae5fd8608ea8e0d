"""Account rules: sign-up (claiming placeholder accounts), sign-in, sessions, API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts import repository
from ideaflow.accounts.models import ApiToken, User, UserSession
from ideaflow.errors import Conflict, Invalid, NotFound, Unauthorized
from ideaflow.kit.security import hash_password, new_token, password_needs_rehash, token_hash, verify_password

API_TOKEN_PREFIX = "ifk_"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise Invalid.field("password", "must be at least 10 characters")
    if len(password) > 200:
        raise Invalid.field("password", "must be at most 200 characters")


async def sign_up(session: AsyncSession, *, email: str, name: str, password: str) -> User:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is required")
    _check_password(password)
    existing = await repository.get_user_by_email(session, email)
    if existing is not None:
        if existing.password_hash is not None:
            raise Conflict(
                "An account with this email already exists.", fields={"email": "is already registered; sign in instead"}
            )
        # A placeholder (created when staff recorded this person's vote) becomes theirs.
        existing.password_hash = hash_password(password)
        existing.name = name
        await session.flush()
        return existing
    user = User(email=email, name=name, password_hash=hash_password(password))
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User:
    user = await repository.get_user_by_email(session, normalise_email(email))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise Unauthorized("Email or password is incorrect.", fields={"password": "email or password is incorrect"})
    if user.password_hash and password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


async def start_session(session: AsyncSession, user: User, *, days: int, user_agent: str = "") -> str:
    """Create a fresh session and return its secret (the cookie value). Old expired ones are swept."""
    now = datetime.now(UTC)
    await repository.delete_expired_sessions(session, user.id, now)
    raw = new_token()
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(raw),
            expires_at=now + timedelta(days=days),
            user_agent=user_agent[:200],
        )
    )
    await session.flush()
    return raw


async def end_session(session: AsyncSession, raw: str) -> None:
    await repository.delete_session(session, token_hash(raw))


async def user_for_session_token(session: AsyncSession, raw: str) -> User | None:
    return await repository.user_for_session(session, token_hash(raw), datetime.now(UTC))


async def user_for_api_token(session: AsyncSession, raw: str) -> tuple[User, ApiToken] | None:
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    return await repository.user_for_api_token(session, token_hash(raw))


def token_use_is_stale(token: ApiToken, now: datetime) -> bool:
    """Use is recorded at minute granularity, so token auth does not write on every request."""
    return token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)


async def record_token_use(session: AsyncSession, token_id: int) -> None:
    await repository.touch_api_token(session, token_id, datetime.now(UTC))


async def create_api_token(session: AsyncSession, *, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is required")
    if len(name) > 80:
        raise Invalid.field("name", "must be at most 80 characters")
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiToken(user_id=user.id, name=name, prefix=raw[: len(API_TOKEN_PREFIX) + 6], token_hash=token_hash(raw))
    session.add(token)
    await session.flush()
    return token, raw


async def list_api_tokens(session: AsyncSession, *, user: User) -> list[ApiToken]:
    return await repository.list_api_tokens(session, user.id)


async def revoke_api_token(session: AsyncSession, *, user: User, token_id: int) -> None:
    if not await repository.delete_api_token(session, user.id, token_id):
        raise NotFound("No such API token.")

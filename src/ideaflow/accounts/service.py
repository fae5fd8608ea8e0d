"""Account rules: sign-up (claiming placeholder accounts only through a verification link), sign-in,
sessions, password resets, email verification, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.accounts import repository
from ideaflow.accounts.models import AccountToken, ApiToken, TokenPurpose, User, UserSession
from ideaflow.errors import Conflict, IdeaflowError, Invalid, NotFound, Unauthorized
from ideaflow.kit.security import hash_password, new_token, password_needs_rehash, token_hash, verify_password
from ideaflow.mail.tokens import derived_secret

API_TOKEN_PREFIX = "ifk_"


class Gone(IdeaflowError):
    """A link that was real but can no longer be used (expired, used, revoked)."""

    status_code = 410
    code = "gone"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < 10:
        raise Invalid.field("password", "must be at least 10 characters")
    if len(password) > 200:
        raise Invalid.field("password", "must be at most 200 characters")


async def sign_up(session: AsyncSession, *, email: str, name: str, password: str, verified: bool = True) -> User:
    """Create an account directly (the CLI, the demo, trusted code). `verified` says whether the address is
    known to be the person's; people signing up on the web go through `register` instead."""
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
        raise Conflict(
            "This email has a pending account: sign up on the web to receive the link that claims it.",
            fields={"email": "must be verified by email to claim the existing account"},
        )
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        email_verified_at=datetime.now(UTC) if verified else None,
    )
    session.add(user)
    await session.flush()
    return user


async def claim_placeholder(session: AsyncSession, *, user: User, name: str, password: str) -> User:
    """Hand a placeholder account to the person who has just proven they own its address."""
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is required")
    _check_password(password)
    user.password_hash = hash_password(password)
    user.name = name[:80]
    user.email_verified_at = user.email_verified_at or datetime.now(UTC)
    await session.flush()
    return user


@dataclass
class Registration:
    """What sign-up did: a new account (signed in at once, asked to verify), or a claim on an existing
    placeholder account that only the link sent to its address can complete."""

    user: User
    claim_pending: bool


async def register(session: AsyncSession, *, email: str, name: str, password: str) -> Registration:
    """Sign-up from the web or the API. An address that already has a placeholder account (votes recorded
    for that person by staff) is not handed to whoever types it: the chosen name and password wait in the
    verification token and apply only when the link in the email is followed."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is required")
    _check_password(password)
    existing = await repository.get_user_by_email(session, email)
    if existing is not None and existing.password_hash is None and existing.is_active:
        token = await _new_token(session, existing, TokenPurpose.verify_email, VERIFY_TTL)
        token.pending_name = name
        token.pending_password_hash = hash_password(password)
        await session.flush()
        await _emit_token(session, token, "account.verification_requested")
        return Registration(user=existing, claim_pending=True)
    user = await sign_up(session, email=email, name=name, password=password, verified=False)
    await request_verification(session, user=user)
    return Registration(user=user, claim_pending=False)


# Emailed tokens: password resets and address verification.

RESET_TTL = timedelta(hours=1)
VERIFY_TTL = timedelta(days=2)


def token_secret(token: AccountToken) -> str:
    """The secret in the emailed link, derived from the row and the server key, so the outbox event that
    sends it carries only ids; only its hash is stored."""
    return derived_secret(
        "account-token", token.id, token.user_id, token.purpose, int(token.expires_at.timestamp() * 1_000_000)
    )


async def _new_token(session: AsyncSession, user: User, purpose: TokenPurpose, ttl: timedelta) -> AccountToken:
    now = datetime.now(UTC)
    token = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=token_hash(new_token()),  # replaced below, once the id is known
        expires_at=(now + ttl).replace(microsecond=0),
        created_at=now,
    )
    session.add(token)
    await session.flush()
    token.token_hash = token_hash(token_secret(token))
    await session.flush()
    return token


async def _emit_token(session: AsyncSession, token: AccountToken, event_type: str) -> None:
    await outbox.emit(
        session, type=event_type, workspace_id=None, payload={"user_id": token.user_id, "token_id": token.id}
    )


async def request_verification(session: AsyncSession, *, user: User) -> None:
    if user.email_verified_at is not None:
        return
    token = await _new_token(session, user, TokenPurpose.verify_email, VERIFY_TTL)
    await _emit_token(session, token, "account.verification_requested")


async def request_password_reset(session: AsyncSession, *, email: str) -> None:
    """Send a reset link if the address has an account; the caller answers the same either way."""
    user = await repository.get_user_by_email(session, normalise_email(email))
    if user is None or not user.is_active:
        return
    token = await _new_token(session, user, TokenPurpose.password_reset, RESET_TTL)
    await _emit_token(session, token, "account.password_reset_requested")


async def _usable_token(session: AsyncSession, raw: str, purpose: TokenPurpose) -> tuple[AccountToken, User]:
    what = "password reset" if purpose == TokenPurpose.password_reset else "verification"
    found = await repository.get_account_token(session, token_hash(raw)) if 20 <= len(raw) <= 100 else None
    if found is None or found[0].purpose != purpose or not found[1].is_active:
        raise NotFound(f"This {what} link is not valid. Ask for a new one.", code="link_invalid")
    token, user = found
    if token.used_at is not None:
        raise Gone(f"This {what} link has already been used. Ask for a new one if you need to.")
    if token.expires_at <= datetime.now(UTC):
        raise Gone(f"This {what} link has expired. Ask for a new one.")
    return token, user


async def check_reset_token(session: AsyncSession, raw: str) -> User:
    return (await _usable_token(session, raw, TokenPurpose.password_reset))[1]


async def check_verification_token(session: AsyncSession, raw: str) -> User:
    return (await _usable_token(session, raw, TokenPurpose.verify_email))[1]


async def reset_password(session: AsyncSession, *, raw: str, password: str) -> User:
    """Set the new password, prove the address, use up every reset link, and sign out everywhere."""
    _, user = await _usable_token(session, raw, TokenPurpose.password_reset)
    _check_password(password)
    now = datetime.now(UTC)
    user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = now
    await repository.use_tokens(session, user_id=user.id, purpose=TokenPurpose.password_reset, at=now)
    await repository.delete_all_sessions(session, user.id)
    await session.flush()
    return user


async def verify_email(session: AsyncSession, *, raw: str) -> User:
    """Follow a verification link: the address is proven; a pending claim on a placeholder account takes
    effect now, with the name and password chosen at sign-up."""
    token, user = await _usable_token(session, raw, TokenPurpose.verify_email)
    now = datetime.now(UTC)
    if token.pending_password_hash and user.password_hash is None:
        user.password_hash = token.pending_password_hash
        user.name = token.pending_name or user.name
    user.email_verified_at = user.email_verified_at or now
    await repository.use_tokens(session, user_id=user.id, purpose=TokenPurpose.verify_email, at=now)
    await session.flush()
    return user


async def token_for_email(session: AsyncSession, *, token_id: int) -> tuple[AccountToken, User] | None:
    """For the outbox handler: the token and its user, if the link may still be sent."""
    found = await repository.get_account_token_by_id(session, token_id)
    if found is None:
        return None
    token, user = found
    if token.used_at is not None or token.expires_at <= datetime.now(UTC) or not user.is_active:
        return None
    return token, user


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

"""Widget rules: allowed origins and look, signing secrets (at most two active, so they can be rotated),
trading a company's signed token for a short-lived widget session, and mapping (workspace, sub) to a user."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.audit import service as audit
from ideaflow.config import get_settings
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ideaflow.kit.security import new_token, token_hash
from ideaflow.ranking import service as ranking_service
from ideaflow.widget import repository, tokens
from ideaflow.widget.models import (
    IdentityKind,
    LauncherPosition,
    SecretStatus,
    WidgetIdentity,
    WidgetSecret,
    WidgetSession,
    WidgetSettings,
)
from ideaflow.widget.tokens import Candidate, Verdict
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Workspace
from ideaflow.workspaces.service import WorkspaceContext

WIDGET_TOKEN_PREFIX = "ifw_"
SECRET_PREFIX = "ifs_"
MAX_ACTIVE_SECRETS = 2
MAX_ORIGINS = 20
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Users behind widget identities get an address of their own that nobody can receive mail at or sign up
# with (the random part is unguessable); the address the company asserted is kept on the identity.
PLACEHOLDER_DOMAIN = "widget.ideaflow.invalid"


def default_settings(workspace_id: int) -> WidgetSettings:
    return WidgetSettings(
        workspace_id=workspace_id,
        allowed_origins=[],
        allow_email_votes=False,
        brand_color="#4f46e5",
        logo_url="",
        launcher_label="Feedback",
        launcher_position=LauncherPosition.bottom_right,
    )


async def load_settings(session: AsyncSession, workspace_id: int) -> WidgetSettings:
    """The saved settings, or the defaults (not saved: reading never writes)."""
    return await repository.get_settings(session, workspace_id) or default_settings(workspace_id)


def normalise_origin(value: str) -> str:
    """scheme://host[:port], exactly as a browser serialises an origin (lower case, no default port)."""
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise Invalid.field("allowed_origins", f"{raw!r} is not an origin ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid.field("allowed_origins", f"{raw!r} must look like https://example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise Invalid.field("allowed_origins", f"{raw!r} must be scheme://host[:port], without a path")
    if "*" in raw:
        raise Invalid.field("allowed_origins", f"{raw!r}: wildcards are not allowed; list each origin")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def parse_origins(text: str | list[str]) -> list[str]:
    items = text if isinstance(text, list) else re.split(r"[\s,]+", text)
    origins: list[str] = []
    for item in items:
        if item.strip():
            origin = normalise_origin(item)
            if origin not in origins:
                origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise Invalid.field("allowed_origins", f"at most {MAX_ORIGINS} origins")
    return origins


def origin_allowed(settings: WidgetSettings, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in settings.allowed_origins
    except Invalid:
        return False


async def update_settings(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    allowed_origins: str | list[str] | None = None,
    allow_email_votes: bool | None = None,
    brand_color: str | None = None,
    logo_url: str | None = None,
    launcher_label: str | None = None,
    launcher_position: str | None = None,
) -> WidgetSettings:
    workspace_service.require_admin(ctx)
    saved = await repository.get_settings(session, ctx.workspace.id)
    current = saved or default_settings(ctx.workspace.id)
    before = _settings_snapshot(current)
    if allowed_origins is not None:
        current.allowed_origins = parse_origins(allowed_origins)
    if allow_email_votes is not None:
        current.allow_email_votes = allow_email_votes
    if brand_color is not None:
        if not HEX_COLOUR.match(brand_color.strip()):
            raise Invalid.field("brand_color", "must be a hex colour like #4f46e5")
        current.brand_color = brand_color.strip().lower()
    if logo_url is not None:
        logo_url = logo_url.strip()
        if logo_url and (
            not logo_url.startswith("https://") or len(logo_url) > 500 or any(c in logo_url for c in "\"'<> ")
        ):
            raise Invalid.field("logo_url", "must be an https:// address of at most 500 characters")
        current.logo_url = logo_url
    if launcher_label is not None:
        label = " ".join(launcher_label.split())
        if not label or len(label) > 40:
            raise Invalid.field("launcher_label", "must be 1–40 characters")
        current.launcher_label = label
    if launcher_position is not None:
        try:
            current.launcher_position = LauncherPosition(launcher_position)
        except ValueError as exc:
            raise Invalid.field("launcher_position", "must be bottom-right or bottom-left") from exc
    current.updated_at = datetime.now(UTC)
    if saved is None:
        session.add(current)
    await session.flush()
    if difference := audit.changed(before, _settings_snapshot(current)):
        await _audit(session, ctx, "widget_settings.updated", "widget_settings", current.id, *difference)
    return current


def _settings_snapshot(current: WidgetSettings) -> dict[str, Any]:
    return {
        "allowed_origins": list(current.allowed_origins or []),
        "allow_email_votes": current.allow_email_votes,
        "brand_color": current.brand_color,
        "logo_url": current.logo_url,
        "launcher_label": current.launcher_label,
        "launcher_position": str(current.launcher_position),
    }


async def _audit(session: AsyncSession, ctx: WorkspaceContext, action: str, target_type: str, target_id, before, after):
    await audit.record_by(
        session, ctx, action=action, target_type=target_type, target_id=target_id, before=before, after=after
    )


# -- signing secrets ---------------------------------------------------------------------------------------


async def list_secrets(session: AsyncSession, ctx: WorkspaceContext) -> list[WidgetSecret]:
    workspace_service.require_admin(ctx)
    return await repository.list_secrets(session, ctx.workspace.id)


async def create_secret(session: AsyncSession, ctx: WorkspaceContext) -> tuple[WidgetSecret, str]:
    """A new secret; its clear text is returned once and never shown again."""
    workspace_service.require_admin(ctx)
    if await repository.count_active_secrets(session, ctx.workspace.id) >= MAX_ACTIVE_SECRETS:
        raise Conflict(
            "Two secrets are already active: revoke or rotate one first.",
            fields={"secret": f"at most {MAX_ACTIVE_SECRETS} active secrets"},
        )
    raw = new_token(SECRET_PREFIX)
    secret = WidgetSecret(
        workspace_id=ctx.workspace.id,
        key_id="wk_" + secrets.token_hex(8),
        prefix=raw[: len(SECRET_PREFIX) + 6],
        secret_encrypted=tokens.encrypt_secret(raw),
        status=SecretStatus.active,
        created_by_id=ctx.user.id if ctx.user else None,
    )
    session.add(secret)
    await session.flush()
    # The audit log names the key, never the secret.
    await _audit(session, ctx, "widget_secret.created", "widget_secret", secret.id, None, {"key_id": secret.key_id})
    return secret, raw


async def revoke_secret(session: AsyncSession, ctx: WorkspaceContext, *, secret_id: int) -> WidgetSecret:
    """Tokens signed with it stop working, and so do the widget sessions they started."""
    workspace_service.require_admin(ctx)
    secret = await repository.get_secret(session, ctx.workspace.id, secret_id)
    if secret is None:
        raise NotFound("No such secret.")
    if secret.status != SecretStatus.revoked:
        secret.status = SecretStatus.revoked
        secret.revoked_at = datetime.now(UTC)
        await repository.delete_sessions_for_secret(session, ctx.workspace.id, secret.id)
        await session.flush()
        await _audit(
            session,
            ctx,
            "widget_secret.revoked",
            "widget_secret",
            secret.id,
            {"status": "active"},
            {"status": "revoked"},
        )
    return secret


async def rotate_secret(session: AsyncSession, ctx: WorkspaceContext, *, secret_id: int) -> tuple[WidgetSecret, str]:
    """Revoke one secret and create its replacement in one step. (To rotate without a gap, create the
    second secret first, switch your servers to it, then revoke the old one.)"""
    old = await revoke_secret(session, ctx, secret_id=secret_id)
    if old.status != SecretStatus.revoked:  # pragma: no cover - revoke_secret always revokes
        raise Conflict("The secret could not be revoked.")
    return await create_secret(session, ctx)


async def _candidates(session: AsyncSession, workspace_id: int) -> list[Candidate]:
    found = []
    for secret in await repository.list_secrets(session, workspace_id):
        clear = tokens.decrypt_secret(secret.secret_encrypted)
        if clear is not None:
            found.append(
                Candidate(
                    id=secret.id,
                    key_id=secret.key_id,
                    prefix=secret.prefix,
                    secret=clear,
                    active=secret.status == SecretStatus.active,
                )
            )
    return found


async def check_token(session: AsyncSession, workspace: Workspace, token: str) -> Verdict:
    return tokens.verify(token, audience=workspace.slug, candidates=await _candidates(session, workspace.id))


async def test_token(session: AsyncSession, ctx: WorkspaceContext, token: str) -> Verdict:
    """The admin's token tester: every check with its verdict (never starts a session)."""
    workspace_service.require_admin(ctx)
    if len(token) > 8192:
        raise Invalid.field("token", "is longer than any identity token (8 KB)")
    return await check_token(session, ctx.workspace, token)


# -- identities and widget sessions ------------------------------------------------------------------------


@dataclass
class StartedSession:
    token: str
    expires_at: datetime
    identity: WidgetIdentity
    user: User


def _company(claims: dict) -> dict:
    company = claims.get("company")
    return company if isinstance(company, dict) else {}


def _display_name(name: str | None, email: str | None) -> str:
    name = " ".join((name or "").split())[:80]
    if name:
        return name
    if email:
        return email.split("@", 1)[0][:80] or "Customer"
    return "Customer"


async def _identity(
    session: AsyncSession, workspace: Workspace, *, subject: str, kind: IdentityKind, claims: dict
) -> tuple[WidgetIdentity, User]:
    """Find or create the identity for (workspace, subject) and refresh what the company says about it.

    A first-time subject always gets a user of its own, even when an account with the same email exists:
    a company could otherwise claim anyone's address and act as them. The identity keeps the asserted email."""
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    name = _display_name(claims.get("name"), email)
    company = _company(claims)
    now = datetime.now(UTC)
    identity = await repository.get_identity(session, workspace.id, subject)
    if identity is None:
        user = User(
            email=f"w{workspace.id}-{secrets.token_hex(10)}@{PLACEHOLDER_DOMAIN}", name=name, password_hash=None
        )
        try:
            async with session.begin_nested():
                session.add(user)
                await session.flush()
                identity = WidgetIdentity(workspace_id=workspace.id, subject=subject, kind=kind, user_id=user.id)
                session.add(identity)
                await session.flush()
        except IntegrityError:
            # The same person opened the widget twice at once: the other request created them.
            identity = await repository.get_identity(session, workspace.id, subject)
            if identity is None:
                raise
    user = await session.get(User, identity.user_id)
    if user is None or not user.is_active:
        raise Forbidden("This account has been disabled.")
    identity.email = (email or "")[:254]
    identity.name = name
    identity.avatar_url = claims.get("avatar") if isinstance(claims.get("avatar"), str) else ""
    cid = company.get("id")
    identity.company_id = str(cid)[:255] if cid is not None else None
    identity.company_name = company.get("name") if isinstance(company.get("name"), str) else None
    spend = company.get("monthly_spend")
    identity.company_monthly_spend = float(spend) if spend is not None and not isinstance(spend, bool) else None
    identity.segment = claims.get("segment") if isinstance(claims.get("segment"), str) else None
    identity.claims = {k: claims[k] for k in ("email", "name", "avatar", "company", "segment") if k in claims}
    identity.updated_at = now
    if user.name != name:
        user.name = name
    await session.flush()
    if identity.segment or identity.company_monthly_spend is not None or identity.company_name:
        # What the company says about its customer weighs their votes (demand, in ranking/).
        try:
            await ranking_service.record_customer_attributes(
                session,
                workspace_id=workspace.id,
                user_id=user.id,
                segment=identity.segment,
                monthly_revenue=identity.company_monthly_spend,
                company_name=identity.company_name,
                company_external_id=identity.company_id,
                source="sso",
            )
        except Invalid as exc:
            field, reason = next(iter(exc.fields.items()), ("company", exc.message))
            claim = {"monthly_revenue": "company.monthly_spend", "company_name": "company.name"}.get(field, field)
            raise Invalid.field(claim, reason) from None
    return identity, user


async def _start(
    session: AsyncSession, workspace: Workspace, identity: WidgetIdentity, user: User, secret_id: int | None
) -> StartedSession:
    now = datetime.now(UTC)
    await repository.delete_expired_sessions(session, identity.id, now)
    raw = new_token(WIDGET_TOKEN_PREFIX)
    expires_at = now + timedelta(minutes=get_settings().widget_session_minutes)
    session.add(
        WidgetSession(
            workspace_id=workspace.id,
            identity_id=identity.id,
            secret_id=secret_id,
            token_hash=token_hash(raw),
            expires_at=expires_at,
        )
    )
    await session.flush()
    return StartedSession(token=raw, expires_at=expires_at, identity=identity, user=user)


async def start_session(session: AsyncSession, workspace: Workspace, token: str) -> StartedSession:
    """Trade the company's signed token for a widget session (a bearer token the panel keeps in memory)."""
    if len(token or "") > 8192:
        raise Unauthorized("The identity token is too long.", fields={"token": "longer than 8 KB"})
    verdict = await check_token(session, workspace, token)
    if not verdict.ok:
        failure = verdict.first_failure
        raise Unauthorized(
            f"The identity token was refused: {failure.detail}.",
            fields={"token": f"{failure.name}: {failure.detail}"},
            code="invalid_identity_token",
        )
    claims = verdict.claims or {}
    subject = str(claims["sub"]).strip()
    identity, user = await _identity(session, workspace, subject=subject, kind=IdentityKind.token, claims=claims)
    await repository.touch_secret(session, verdict.secret.id, datetime.now(UTC))
    return await _start(session, workspace, identity, user, verdict.secret.id)


async def start_email_session(session: AsyncSession, workspace: Workspace, email: str) -> StartedSession:
    """An anonymous visitor who gives an email to vote, where the workspace allows it. The address is not
    verified, so it gets an identity of its own and never touches an existing account."""
    settings = await load_settings(session, workspace.id)
    if not settings.allow_email_votes:
        raise Forbidden("Sign in to vote.", fields={"email": "this workspace does not take votes by email"})
    email = (email or "").strip().lower()
    if len(email) > 254 or not tokens.EMAIL_RE.match(email):
        raise Invalid.field("email", "enter an email address like you@example.com")
    identity, user = await _identity(
        session, workspace, subject=f"email:{email}", kind=IdentityKind.email, claims={"email": email}
    )
    return await _start(session, workspace, identity, user, None)


@dataclass
class WidgetViewer:
    user: User
    workspace: Workspace
    # Email identities (unverified addresses) may vote and nothing more.
    vote_only: bool


async def viewer_for_token(session: AsyncSession, raw: str) -> WidgetViewer | None:
    if not raw.startswith(WIDGET_TOKEN_PREFIX):
        return None
    found = await repository.session_for_token(session, token_hash(raw), datetime.now(UTC))
    if found is None:
        return None
    _, user, workspace, kind = found
    return WidgetViewer(user=user, workspace=workspace, vote_only=kind == IdentityKind.email)

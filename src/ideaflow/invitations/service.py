"""Invitation rules: admins invite an address with a role; the emailed link works once, until it expires,
for that workspace only; accepting makes the person a member with that role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.accounts import repository as account_repository
from ideaflow.accounts import service as account_service
from ideaflow.accounts.models import User
from ideaflow.accounts.service import Gone, normalise_email
from ideaflow.audit import service as audit
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.invitations.models import Invitation
from ideaflow.kit.security import new_token, token_hash
from ideaflow.mail.tokens import derived_secret
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Membership, Role, Workspace
from ideaflow.workspaces.service import WorkspaceContext

INVITATION_TTL = timedelta(days=7)


def invitation_secret(invitation: Invitation) -> str:
    """Derived from the row and the server key: the outbox event carries only the invitation's id."""
    expires = int(invitation.expires_at.timestamp() * 1_000_000)
    return derived_secret("invitation", invitation.id, invitation.workspace_id, invitation.email, expires)


def state(invitation: Invitation, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


async def create_invitation(
    session: AsyncSession, ctx: WorkspaceContext, *, email: str, role: Role | str
) -> Invitation:
    workspace_service.require_admin(ctx)
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > 254 or " " in email:
        raise Invalid.field("email", "enter a valid email address")
    try:
        role = Role(role)
    except ValueError:
        raise Invalid.field("role", "must be one of member, staff, admin, owner") from None
    if role == Role.owner and ctx.role != Role.owner:
        raise Forbidden("Only owners can invite owners.", fields={"role": "only owners can invite owners"})
    members = await session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == ctx.workspace.id, User.email == email)
    )
    if members is not None:
        raise Conflict("That person is already a member.", fields={"email": "is already a member"})
    now = datetime.now(UTC)
    for pending in await _pending_for(session, ctx.workspace.id, email, now):
        pending.revoked_at = now  # a new invitation replaces the old one: only the latest link works
    invitation = Invitation(
        workspace_id=ctx.workspace.id,
        email=email,
        role=role,
        token_hash=token_hash(new_token()),  # replaced below, once the id is known
        invited_by_id=ctx.user.id if ctx.user else None,
        expires_at=(now + INVITATION_TTL).replace(microsecond=0),
        created_at=now,
    )
    session.add(invitation)
    await session.flush()
    invitation.token_hash = token_hash(invitation_secret(invitation))
    await session.flush()
    await outbox.emit(
        session, type="invitation.created", workspace_id=ctx.workspace.id, payload={"invitation_id": invitation.id}
    )
    await _audit(session, ctx, "invitation.created", invitation, None, {"email": email, "role": role.value})
    return invitation


async def _audit(session: AsyncSession, ctx: WorkspaceContext, action: str, invitation: Invitation, before, after):
    await audit.record_by(
        session, ctx, action=action, target_type="invitation", target_id=invitation.id, before=before, after=after
    )


async def _pending_for(session: AsyncSession, workspace_id: int, email: str, now: datetime) -> list[Invitation]:
    rows = await session.scalars(
        select(Invitation).where(
            Invitation.workspace_id == workspace_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    return list(rows)


async def list_invitations(session: AsyncSession, ctx: WorkspaceContext, *, limit: int = 100) -> list[Invitation]:
    workspace_service.require_admin(ctx)
    rows = await session.scalars(
        select(Invitation)
        .where(Invitation.workspace_id == ctx.workspace.id)
        .order_by(Invitation.id.desc())
        .limit(limit)
    )
    return list(rows)


async def revoke_invitation(session: AsyncSession, ctx: WorkspaceContext, *, invitation_id: int) -> Invitation:
    workspace_service.require_admin(ctx)
    invitation = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.workspace_id == ctx.workspace.id)
    )
    if invitation is None:
        raise NotFound("No such invitation.")
    if state(invitation) == "accepted":
        raise Conflict("This invitation has already been accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = datetime.now(UTC)
        await session.flush()
        await _audit(session, ctx, "invitation.revoked", invitation, {"email": invitation.email}, None)
    return invitation


@dataclass
class OpenInvitation:
    invitation: Invitation
    workspace: Workspace
    invited_by: str | None


async def open_invitation(session: AsyncSession, raw: str) -> OpenInvitation:
    """The invitation behind a link, if it can still be accepted; a clear error if not."""
    row = None
    if 20 <= len(raw) <= 100:
        row = (
            await session.execute(
                select(Invitation, Workspace, User.name)
                .join(Workspace, Workspace.id == Invitation.workspace_id)
                .outerjoin(User, User.id == Invitation.invited_by_id)
                .where(Invitation.token_hash == token_hash(raw))
            )
        ).first()
    if row is None:
        raise NotFound("This invitation link is not valid. Ask the person who invited you for a new one.")
    invitation, workspace, inviter = row
    match state(invitation):
        case "revoked":
            raise Gone("This invitation has been withdrawn. Ask the workspace's admins for a new one.")
        case "accepted":
            raise Gone("This invitation has already been used. Sign in to reach the workspace.")
        case "expired":
            raise Gone("This invitation has expired. Ask the workspace's admins for a new one.")
    return OpenInvitation(invitation=invitation, workspace=workspace, invited_by=inviter)


async def accept(session: AsyncSession, *, raw: str, user: User) -> Workspace:
    """Join with the invited role, once. An existing member keeps a higher role than the invitation's."""
    opened = await open_invitation(session, raw)
    invitation = opened.invitation
    now = datetime.now(UTC)
    membership = await workspace_repository.get_membership(session, invitation.workspace_id, user.id)
    role = Role(invitation.role)
    if membership is None:
        session.add(Membership(workspace_id=invitation.workspace_id, user_id=user.id, role=role))
    elif Role(membership.role).rank < role.rank:
        membership.role = role
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    if user.email == invitation.email and user.email_verified_at is None:
        user.email_verified_at = now  # following the emailed link proves the address
    await session.flush()
    return opened.workspace


async def sign_up_and_accept(session: AsyncSession, *, raw: str, name: str, password: str) -> tuple[User, Workspace]:
    """A newcomer creates their account from the invitation: the address is the invited one, and proven."""
    opened = await open_invitation(session, raw)
    existing = await account_repository.get_user_by_email(session, opened.invitation.email)
    if existing is not None and existing.password_hash is None and existing.is_active:
        # A placeholder for this address (votes recorded on their behalf): the emailed link proves it is theirs.
        user = await account_service.claim_placeholder(session, user=existing, name=name, password=password)
    else:
        user = await account_service.sign_up(
            session, email=opened.invitation.email, name=name, password=password, verified=True
        )
    workspace = await accept(session, raw=raw, user=user)
    return user, workspace


async def invitation_for_email(session: AsyncSession, invitation_id: int) -> OpenInvitation | None:
    """For the outbox handler: the invitation, if its link may still be sent."""
    row = (
        await session.execute(
            select(Invitation, Workspace, User.name)
            .join(Workspace, Workspace.id == Invitation.workspace_id)
            .outerjoin(User, User.id == Invitation.invited_by_id)
            .where(Invitation.id == invitation_id)
        )
    ).first()
    if row is None or state(row[0]) != "pending":
        return None
    return OpenInvitation(invitation=row[0], workspace=row[1], invited_by=row[2])

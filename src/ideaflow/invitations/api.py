"""Invitations: JSON API — admins invite, list and revoke; anyone signed in accepts a link."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.invitations import service
from ideaflow.invitations.models import Invitation
from ideaflow.invitations.schemas import InvitationAccepted, InvitationCreate, InvitationRead
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["invitations"])


def _read(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        state=service.state(invitation),
        expires_at=invitation.expires_at,
        created_at=invitation.created_at,
        accepted_at=invitation.accepted_at,
    )


@router.post(
    "/{workspace}/invitations",
    response_model=InvitationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Invite someone by email (admins); the link is emailed to them",
)
async def create_invitation(
    payload: InvitationCreate, request: Request, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> InvitationRead:
    await rate_limit(request, "invite", limit=get_settings().rate_limit_auth_per_minute * 3, subject=str(user.id))
    return _read(await service.create_invitation(session, ctx, email=payload.email, role=payload.role))


@router.get("/{workspace}/invitations", response_model=list[InvitationRead], summary="Invitations, newest first")
async def list_invitations(ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> list[InvitationRead]:
    return [_read(i) for i in await service.list_invitations(session, ctx)]


@router.delete(
    "/{workspace}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an invitation (its link stops working)",
)
async def revoke_invitation(invitation_id: IdPath, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> None:
    await service.revoke_invitation(session, ctx, invitation_id=invitation_id)


@router.post(
    "/invitations/{token}/accept", response_model=InvitationAccepted, summary="Accept an invitation as the caller"
)
async def accept_invitation(token: str, session: SessionDep, user: CurrentUser) -> InvitationAccepted:
    workspace = await service.accept(session, raw=token, user=user)
    return InvitationAccepted(workspace=workspace.slug)

"""Workspace API: list and create workspaces, members and their roles."""

from __future__ import annotations

from fastapi import APIRouter, status

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import IdPath, SessionDep
from ideaflow.workspaces import service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.models import Role
from ideaflow.workspaces.schemas import MemberAdd, MemberRead, RoleChange, WorkspaceCreate, WorkspaceRead

router = APIRouter(tags=["workspaces"])


@router.get("/workspaces", response_model=list[WorkspaceRead], summary="Workspaces I belong to")
async def my_workspaces(session: SessionDep, user: CurrentUser) -> list[WorkspaceRead]:
    rows = await service.list_my_workspaces(session, user=user)
    return [WorkspaceRead(id=w.id, slug=w.slug, name=w.name, created_at=w.created_at, role=r) for w, r in rows]


@router.post(
    "/workspaces",
    response_model=WorkspaceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a workspace (you become its owner)",
)
async def create_workspace(payload: WorkspaceCreate, session: SessionDep, user: CurrentUser) -> WorkspaceRead:
    workspace = await service.create_workspace(session, user=user, name=payload.name, slug=payload.slug)
    return WorkspaceRead(
        id=workspace.id, slug=workspace.slug, name=workspace.name, created_at=workspace.created_at, role=Role.owner
    )


@router.get("/{workspace}", response_model=WorkspaceRead, summary="A workspace")
async def get_workspace(ctx: WorkspaceDep) -> WorkspaceRead:
    w = ctx.workspace
    return WorkspaceRead(id=w.id, slug=w.slug, name=w.name, created_at=w.created_at, role=ctx.role)


@router.get("/{workspace}/members", response_model=list[MemberRead], summary="Members and roles (staff)")
async def list_members(ctx: WorkspaceDep, session: SessionDep) -> list[MemberRead]:
    rows = await service.list_members(session, ctx)
    return [
        MemberRead(
            user_id=u.id,
            name=u.name,
            email=u.email if ctx.is_admin else None,
            role=Role(m.role),
            joined_at=m.created_at,
        )
        for m, u in rows
    ]


@router.post(
    "/{workspace}/members",
    response_model=MemberRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an existing account as a member (admins)",
)
async def add_member(payload: MemberAdd, ctx: WorkspaceDep, session: SessionDep) -> MemberRead:
    membership, user = await service.add_member(session, ctx, email=payload.email, role=payload.role)
    return MemberRead(
        user_id=user.id, name=user.name, email=user.email, role=Role(membership.role), joined_at=membership.created_at
    )


@router.put("/{workspace}/members/{user_id}", response_model=MemberRead, summary="Change a member's role (admins)")
async def change_role(user_id: IdPath, payload: RoleChange, ctx: WorkspaceDep, session: SessionDep) -> MemberRead:
    membership = await service.change_role(session, ctx, user_id=user_id, role=payload.role)
    from ideaflow.accounts import repository as account_repository

    user = await account_repository.get_user(session, user_id)
    return MemberRead(
        user_id=user.id, name=user.name, email=user.email, role=Role(membership.role), joined_at=membership.created_at
    )


@router.delete(
    "/{workspace}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a member (admins; only owners remove owners; never the last owner)",
)
async def remove_member(user_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> None:
    await service.remove_member(session, ctx, user_id=user_id)

"""Queries for workspaces and memberships."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board
from ideaflow.db import utcnow
from ideaflow.kit.sql import insert_ignoring_conflicts
from ideaflow.moderation.models import UserBlock
from ideaflow.workspaces.models import Membership, Role, Workspace


async def get_by_slug_with_role(
    session: AsyncSession, slug: str, user_id: int | None
) -> tuple[Workspace, Role | None] | None:
    """The workspace and the viewer's role in it, in one round trip."""
    found = await get_context_rows(session, slug, user_id)
    return None if found is None else (found.workspace, found.role)


@dataclass
class ContextRows:
    workspace: Workspace
    role: Role | None
    board: Board | None
    blocked: bool


@functools.cache
def _context_statement(with_board: bool) -> Select:
    """Built once (every workspace request runs it), with named parameters: `slug`, `viewer`, `board_slug`."""
    viewer = bindparam("viewer")
    stmt = (
        select(Workspace, Membership.role, UserBlock.id)
        .where(Workspace.slug == bindparam("slug"))
        .outerjoin(Membership, (Membership.workspace_id == Workspace.id) & (Membership.user_id == viewer))
        .outerjoin(UserBlock, (UserBlock.workspace_id == Workspace.id) & (UserBlock.user_id == viewer))
    )
    if with_board:
        stmt = stmt.add_columns(Board).outerjoin(
            Board, (Board.workspace_id == Workspace.id) & (Board.slug == bindparam("board_slug"))
        )
    return stmt


async def get_context_rows(
    session: AsyncSession, slug: str, user_id: int | None, board_slug: str | None = None
) -> ContextRows | None:
    """The workspace, the viewer's role in it, whether they are blocked there and (when a route names one) the
    board with that slug: what every workspace request looks up first, in one round trip."""
    params = {"slug": slug, "viewer": user_id or -1, "board_slug": board_slug}
    row = (await session.execute(_context_statement(board_slug is not None), params)).first()
    if row is None:
        return None
    return ContextRows(
        workspace=row[0],
        role=Role(row[1]) if row[1] else None,
        board=row[3] if board_slug is not None else None,
        blocked=row[2] is not None,
    )


async def get_by_slug(session: AsyncSession, slug: str) -> Workspace | None:
    return await session.scalar(select(Workspace).where(Workspace.slug == slug))


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return (await session.scalar(select(func.count()).where(Workspace.slug == slug))) > 0


async def list_for_user(session: AsyncSession, user_id: int) -> list[tuple[Workspace, Role]]:
    rows = await session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(w, Role(r)) for w, r in rows]


async def list_members(session: AsyncSession, workspace_id: int) -> list[tuple[Membership, User]]:
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return [(m, u) for m, u in rows]


async def get_membership(session: AsyncSession, workspace_id: int, user_id: int) -> Membership | None:
    return await session.scalar(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )


async def count_owners(session: AsyncSession, workspace_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).where(Membership.workspace_id == workspace_id, Membership.role == Role.owner)
        )
        or 0
    )


async def add_member_if_missing(session: AsyncSession, workspace_id: int, user_id: int, role: Role) -> None:
    await session.execute(
        insert_ignoring_conflicts(
            session,
            Membership.__table__,
            ["workspace_id", "user_id"],
            workspace_id=workspace_id,
            user_id=user_id,
            role=role.value,
            created_at=utcnow(),
        )
    )


async def next_idea_number(session: AsyncSession, workspace_id: int) -> int:
    """Hands out the next per-workspace number; the row lock serialises concurrent submissions."""
    return await session.scalar(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(idea_seq=Workspace.idea_seq + 1)
        .returning(Workspace.idea_seq)
    )

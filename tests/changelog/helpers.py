"""A workspace with people in every role, a public and a private board, and ideas in several statuses:
the world the changelog, roadmap and feed tests share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board, Visibility
from ideaflow.ideas.models import Idea
from ideaflow.outbox.models import OutboxEvent
from ideaflow.statuses import service as status_service
from ideaflow.workspaces.models import Role, Workspace
from tests.factories import add_member, default_board, make_board, make_idea, make_user, make_workspace


@dataclass
class World:
    workspace: Workspace
    owner: User
    admin: User
    staff: User
    member: User
    outsider_staff: User  # staff of another workspace
    other: Workspace
    public: Board
    private: Board


async def make_world(session) -> World:
    owner = await make_user(session, name="Olive Owner")
    workspace = await make_workspace(session, owner=owner, name="Acme")
    admin = await make_user(session, name="Ada Admin")
    staff = await make_user(session, name="Sam Staff")
    member = await make_user(session, name="Mia Member")
    await add_member(session, workspace, admin, Role.admin)
    await add_member(session, workspace, staff, Role.staff)
    await add_member(session, workspace, member, Role.member)
    outsider = await make_user(session, name="Otto Outsider")
    other = await make_workspace(session, owner=outsider, name="Other")
    await add_member(session, other, outsider, Role.staff)
    public = await default_board(session, workspace)
    private = await make_board(session, workspace, slug="internal", name="Internal", visibility=Visibility.private)
    return World(workspace, owner, admin, staff, member, outsider, other, public, private)


async def idea_in(
    session, world: World, status_key: str, *, board: Board | None = None, title: str | None = None
) -> Idea:
    idea = await make_idea(session, world.workspace, board=board or world.public, title=title)
    if status_key != idea.status:
        await status_service.set_status(
            session, workspace_id=world.workspace.id, idea=idea, status_key=status_key, actor_id=world.owner.id
        )
    return idea


async def events(session, type: str, workspace_id: int) -> list[dict]:
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.type == type, OutboxEvent.workspace_id == workspace_id)
        .order_by(OutboxEvent.id)
    )
    return [row.payload for row in rows]

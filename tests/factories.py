"""Plain factory functions: the rows a test needs, made through the same services the app uses."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts import service as account_service
from ideaflow.accounts.models import User
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board, Visibility
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Role, Workspace
from ideaflow.workspaces.service import WorkspaceContext

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


async def make_user(session: AsyncSession, *, name: str | None = None, email: str | None = None) -> User:
    n = next(_seq)
    return await account_service.sign_up(
        session, email=email or f"user{n}@example.com", name=name or f"User {n}", password=PASSWORD
    )


async def make_token(session: AsyncSession, user: User) -> dict[str, str]:
    _, raw = await account_service.create_api_token(session, user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


async def make_workspace(
    session: AsyncSession, *, owner: User | None = None, slug: str | None = None, name: str = "Acme"
) -> Workspace:
    owner = owner or await make_user(session)
    return await workspace_service.create_workspace(session, user=owner, name=name, slug=slug or f"ws{next(_seq)}")


async def add_member(session: AsyncSession, workspace: Workspace, user: User, role: Role = Role.member) -> None:
    await workspace_repository.add_member_if_missing(session, workspace.id, user.id, role)


async def context(session: AsyncSession, workspace: Workspace, user: User | None) -> WorkspaceContext:
    return await workspace_service.load_context(session, slug=workspace.slug, user=user)


async def owner_context(session: AsyncSession, workspace: Workspace) -> WorkspaceContext:
    members = await workspace_repository.list_members(session, workspace.id)
    owner = next(u for m, u in members if m.role == Role.owner)
    return await context(session, workspace, owner)


async def make_board(
    session: AsyncSession,
    workspace: Workspace,
    *,
    slug: str | None = None,
    name: str = "Board",
    visibility: Visibility = Visibility.public,
    is_open: bool = True,
) -> Board:
    ctx = await owner_context(session, workspace)
    return await board_service.create_board(
        session, ctx, name=name, slug=slug or f"board{next(_seq)}", visibility=visibility, is_open=is_open
    )


async def default_board(session: AsyncSession, workspace: Workspace) -> Board:
    ctx = await owner_context(session, workspace)
    return (await board_service.list_boards(session, ctx))[0]


async def make_idea(
    session: AsyncSession,
    workspace: Workspace,
    *,
    author: User | None = None,
    board: Board | None = None,
    title: str | None = None,
    body: str = "",
) -> Idea:
    author = author or await make_user(session)
    board = board or await default_board(session, workspace)
    ctx = await context(session, workspace, author)
    return await idea_service.create_idea(
        session, ctx, board=board, title=title or f"Idea number {next(_seq)}", body=body
    )

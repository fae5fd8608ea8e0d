"""Board rules: who sees which board, and who may change them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.audit import service as audit
from ideaflow.boards import repository
from ideaflow.boards.models import Board, Visibility
from ideaflow.errors import Conflict, Invalid, NotFound
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Workspace
from ideaflow.workspaces.service import WorkspaceContext


def can_see(ctx: WorkspaceContext, board: Board) -> bool:
    return board.visibility == Visibility.public or ctx.is_member


async def create_default_board(session: AsyncSession, *, workspace: Workspace) -> Board:
    board = Board(
        workspace_id=workspace.id,
        slug="feature-requests",
        name="Feature requests",
        description="Tell us what would make the product better for you.",
        visibility=Visibility.public,
        is_open=True,
        position=1,
    )
    session.add(board)
    await session.flush()
    repository.forget_lists(session)
    return board


async def list_boards(session: AsyncSession, ctx: WorkspaceContext) -> list[Board]:
    return await repository.list_boards(session, ctx.workspace.id, include_private=ctx.is_member)


# Boards already loaded in this session (with the workspace, see workspaces.service.load_context), by
# (workspace id, slug). Only found boards are kept, and they are the session's own objects: never stale.
_LOADED = "ideaflow.boards.loaded"


def remember_board(session: AsyncSession, board: Board) -> None:
    session.info.setdefault(_LOADED, {})[(board.workspace_id, board.slug)] = board


async def get_board(session: AsyncSession, ctx: WorkspaceContext, slug: str) -> Board:
    slug = slug.lower()
    board = session.info.get(_LOADED, {}).get((ctx.workspace.id, slug))
    if board is None:
        board = await repository.get_by_slug(session, ctx.workspace.id, slug)
    # A private board is indistinguishable from a missing one to outsiders.
    if board is None or not can_see(ctx, board):
        raise NotFound("No such board.")
    return board


async def get_board_by_id(session: AsyncSession, ctx: WorkspaceContext, board_id: int) -> Board:
    board = await repository.get_by_id(session, ctx.workspace.id, board_id)
    if board is None or not can_see(ctx, board):
        raise NotFound("No such board.", fields={"board_id": "no such board"})
    return board


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is required")
    if len(name) > 80:
        raise Invalid.field("name", "must be at most 80 characters")
    return name


async def create_board(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    name: str,
    slug: str,
    description: str = "",
    visibility: Visibility = Visibility.public,
    is_open: bool = True,
    customers_can_tag: bool = False,
) -> Board:
    workspace_service.require_admin(ctx)
    name = _clean_name(name)
    slug = workspace_service.validate_slug(slug)
    if len(description) > 2000:
        raise Invalid.field("description", "must be at most 2,000 characters")
    if await repository.get_by_slug(session, ctx.workspace.id, slug) is not None:
        raise Conflict("A board with that address already exists.", fields={"slug": "is already used by another board"})
    board = Board(
        workspace_id=ctx.workspace.id,
        name=name,
        slug=slug,
        description=description.strip(),
        visibility=Visibility(visibility),
        is_open=is_open,
        customers_can_tag=customers_can_tag,
        position=await repository.next_position(session, ctx.workspace.id),
    )
    session.add(board)
    await session.flush()
    repository.forget_lists(session)
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="board.created",
        target_type="board",
        target_id=board.id,
        before=None,
        after=_snapshot(board),
    )
    return board


def _snapshot(board: Board) -> dict:
    return {
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "visibility": Visibility(board.visibility).value,
        "is_open": board.is_open,
        "customers_can_tag": board.customers_can_tag,
    }


async def update_board(
    session: AsyncSession,
    ctx: WorkspaceContext,
    board: Board,
    *,
    name: str | None = None,
    description: str | None = None,
    visibility: Visibility | None = None,
    is_open: bool | None = None,
    customers_can_tag: bool | None = None,
) -> Board:
    workspace_service.require_admin(ctx)
    before = _snapshot(board)
    if name is not None:
        board.name = _clean_name(name)
    if description is not None:
        if len(description) > 2000:
            raise Invalid.field("description", "must be at most 2,000 characters")
        board.description = description.strip()
    if visibility is not None:
        board.visibility = Visibility(visibility)
    if is_open is not None:
        board.is_open = is_open
    if customers_can_tag is not None:
        board.customers_can_tag = customers_can_tag
    await session.flush()
    repository.forget_lists(session)
    after = _snapshot(board)
    if after != before:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="board.updated",
            target_type="board",
            target_id=board.id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return board

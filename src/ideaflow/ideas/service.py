"""Idea rules: who may post, read, edit and delete; numbering; listing with sort, filter and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.boards import repository as board_repository
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.config import get_settings
from ideaflow.errors import Forbidden, Invalid, NotFound, Unauthorized
from ideaflow.ideas import repository, trending
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.ideas.repository import IdeaRow
from ideaflow.ideas.schemas import BODY_MAX, NUMBER_MAX, TITLE_MAX, TITLE_MIN, IdeaSort
from ideaflow.kit import markdown
from ideaflow.kit.pagination import decode_cursor, encode_cursor
from ideaflow.votes import repository as vote_repository
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

PAGE_SIZE_MAX = 100


@dataclass
class IdeaView:
    """An idea as one viewer sees it."""

    row: IdeaRow
    voted: bool = False

    @property
    def idea(self) -> Idea:
        return self.row.idea


@dataclass
class IdeaPage:
    items: list[IdeaView]
    next_cursor: str | None
    sort: IdeaSort = IdeaSort.top
    extra: dict = field(default_factory=dict)


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        raise Invalid.field("title", f"must be at least {TITLE_MIN} characters")
    if len(title) > TITLE_MAX:
        raise Invalid.field("title", f"must be at most {TITLE_MAX} characters")
    return title


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise Invalid.field("body", f"must be at most {BODY_MAX:,} characters")
    return body


async def _visible_board_ids(session: AsyncSession, ctx: WorkspaceContext, board: Board | None) -> list[int]:
    if board is not None:
        return [board.id]
    boards = await board_repository.list_boards(session, ctx.workspace.id, include_private=ctx.is_member)
    return [b.id for b in boards]


async def _with_votes(session: AsyncSession, ctx: WorkspaceContext, rows: list[IdeaRow]) -> list[IdeaView]:
    voted: set[int] = set()
    if ctx.user is not None and rows:
        voted = await vote_repository.voted_idea_ids(session, ctx.workspace.id, ctx.user.id, [r.idea.id for r in rows])
    return [IdeaView(row=r, voted=r.idea.id in voted) for r in rows]


async def list_ideas(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    board: Board | None = None,
    sort: IdeaSort = IdeaSort.top,
    status: IdeaStatus | None = None,
    query: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> IdeaPage:
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise Invalid.field("limit", f"must be between 1 and {PAGE_SIZE_MAX}")
    after = decode_cursor(cursor, types=repository.cursor_types(sort))
    board_ids = await _visible_board_ids(session, ctx, board)
    rows = await repository.list_ideas(
        session,
        workspace_id=ctx.workspace.id,
        board_ids=board_ids,
        sort=sort,
        status=status,
        query=(query or "").strip() or None,
        after=after,
        limit=limit + 1,
    )
    next_cursor = encode_cursor(repository.sort_key(rows[limit - 1].idea, sort)) if len(rows) > limit else None
    return IdeaPage(items=await _with_votes(session, ctx, rows[:limit]), next_cursor=next_cursor, sort=sort)


async def similar_ideas(
    session: AsyncSession, ctx: WorkspaceContext, *, title: str, board: Board | None = None, limit: int = 5
) -> list[IdeaView]:
    board_ids = await _visible_board_ids(session, ctx, board)
    rows = await repository.similar_ideas(
        session, workspace_id=ctx.workspace.id, board_ids=board_ids, title=title[:TITLE_MAX], limit=limit
    )
    return await _with_votes(session, ctx, rows)


async def get_idea(
    session: AsyncSession,
    ctx: WorkspaceContext,
    number: int | None = None,
    *,
    idea_id: int | None = None,
    with_voted: bool = True,
) -> IdeaView:
    """An idea the viewer may see: deleted ideas and ideas on boards hidden from them are 404.
    `with_voted=False` skips looking up the viewer's own vote, for callers (voting) that learn it anyway."""
    if number is not None and not 1 <= number <= NUMBER_MAX:
        raise NotFound("No such idea.")  # the database would refuse to compare with it
    row = await repository.get_row(session, ctx.workspace.id, number=number, idea_id=idea_id)
    if row is None or row.idea.deleted_at is not None or not board_service.can_see(ctx, row.board):
        raise NotFound("No such idea.")
    if not with_voted:
        return IdeaView(row=row)
    return (await _with_votes(session, ctx, [row]))[0]


def _require_user(ctx: WorkspaceContext):
    if ctx.user is None:
        raise Unauthorized("Sign in to do that.")
    return ctx.user


async def create_idea(
    session: AsyncSession, ctx: WorkspaceContext, *, board: Board, title: str, body: str = ""
) -> Idea:
    user = _require_user(ctx)
    title, body = clean_title(title), clean_body(body)
    if not board.is_open and not ctx.is_staff:
        raise Forbidden("This board is closed to new ideas.", fields={"board": "is closed to new ideas"})
    now = datetime.now(UTC)
    number = await workspace_repository.next_idea_number(session, ctx.workspace.id)
    idea = Idea(
        workspace_id=ctx.workspace.id,
        board_id=board.id,
        author_id=user.id,
        number=number,
        title=title,
        body=body,
        body_html=markdown.render(body),
        status=IdeaStatus.open,
        vote_count=0,
        comment_count=0,
        trending_score=trending.point(now, get_settings().trending_half_life_hours),
        created_at=now,
        updated_at=now,
    )
    session.add(idea)
    await session.flush()
    await outbox.emit(session, type="idea.created", workspace_id=ctx.workspace.id, payload=_event(idea, user.id))
    return idea


def _event(idea: Idea, actor_id: int, **extra) -> dict:
    """The payload of an idea event: ids and numbers, never private text (handlers load what they need)."""
    return {"idea_id": idea.id, "number": idea.number, "board_id": idea.board_id, "actor_id": actor_id, **extra}


def can_edit(ctx: WorkspaceContext, idea: Idea) -> bool:
    """Staff any time; the author until the first vote or for 30 minutes, whichever comes first."""
    if ctx.user is None:
        return False
    if ctx.is_staff:
        return True
    window = timedelta(minutes=get_settings().author_edit_window_minutes)
    return idea.author_id == ctx.user.id and idea.vote_count == 0 and datetime.now(UTC) - idea.created_at < window


def require_edit(ctx: WorkspaceContext, idea: Idea) -> None:
    _require_user(ctx)
    if not can_edit(ctx, idea):
        if idea.author_id == ctx.user.id:
            raise Forbidden("Ideas can be changed by their author only until the first vote or for 30 minutes.")
        raise Forbidden("Only the author or staff can change this idea.")


async def update_idea(
    session: AsyncSession,
    ctx: WorkspaceContext,
    view: IdeaView,
    *,
    title: str | None = None,
    body: str | None = None,
    status: IdeaStatus | None = None,
    board_slug: str | None = None,
) -> Idea:
    idea = view.idea
    require_edit(ctx, idea)
    if (status is not None and status != idea.status) or board_slug is not None:
        workspace_service.require_staff(ctx)
    if title is not None:
        idea.title = clean_title(title)
    if body is not None:
        idea.body = clean_body(body)
        idea.body_html = markdown.render(idea.body)
    previous_status = IdeaStatus(idea.status)
    if status is not None:
        idea.status = IdeaStatus(status)
    if board_slug is not None:
        target = await board_repository.get_by_slug(session, ctx.workspace.id, board_slug)
        if target is None:
            raise Invalid.field("board", "no such board")
        idea.board_id = target.id
        view.row.board = target
    idea.updated_at = datetime.now(UTC)
    await session.flush()
    if idea.status != previous_status:
        await outbox.emit(
            session,
            type="idea.status_changed",
            workspace_id=ctx.workspace.id,
            payload=_event(idea, ctx.user.id, from_status=previous_status.value, to_status=idea.status.value),
        )
    return idea


async def delete_idea(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> None:
    require_edit(ctx, view.idea)
    view.idea.deleted_at = datetime.now(UTC)
    await session.flush()
    await outbox.emit(
        session, type="idea.deleted", workspace_id=ctx.workspace.id, payload=_event(view.idea, ctx.user.id)
    )

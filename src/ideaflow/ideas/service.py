"""Idea rules: who may post, read, edit and delete; numbering; listing with sort, filter and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.audit import service as audit
from ideaflow.boards import repository as board_repository
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.config import get_settings
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ideaflow.ideas import repository, trending
from ideaflow.ideas.models import Idea
from ideaflow.ideas.repository import IdeaRow
from ideaflow.ideas.schemas import BODY_MAX, NUMBER_MAX, TITLE_MAX, TITLE_MIN, IdeaSort
from ideaflow.kit import markdown
from ideaflow.kit.pagination import decode_cursor, encode_cursor
from ideaflow.moderation import service as moderation_service
from ideaflow.moderation.models import ModerationState
from ideaflow.statuses import service as status_service
from ideaflow.statuses.models import StatusCategory
from ideaflow.tags import service as tag_service
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
    tags: list = field(default_factory=list)

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
    """Views with the viewer's votes and each idea's tags: two queries for the whole page, whatever its size."""
    voted: set[int] = set()
    ids = [r.idea.id for r in rows]
    if ctx.user is not None and rows:
        voted = await vote_repository.voted_idea_ids(session, ctx.workspace.id, ctx.user.id, ids)
    tags = await tag_service.tags_by_idea(session, workspace_id=ctx.workspace.id, idea_ids=ids) if rows else {}
    return [IdeaView(row=r, voted=r.idea.id in voted, tags=tags.get(r.idea.id, [])) for r in rows]


async def list_ideas(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    board: Board | None = None,
    sort: IdeaSort = IdeaSort.top,
    status: str | None = None,
    query: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    tag_id: int | None = None,
) -> IdeaPage:
    """A page of the ideas the viewer may see; `status` is a status key, `tag_id` one of the workspace's tags."""
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
        tag_id=tag_id,
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
    # Waiting for approval, rejected or hidden: only its author (pending or rejected) and staff know it exists.
    if not moderation_service.may_see(ctx, state=row.idea.moderation_state, author_id=row.idea.author_id):
        raise NotFound("No such idea.")
    if not with_voted:
        return IdeaView(row=row)
    return (await _with_votes(session, ctx, [row]))[0]


def _require_user(ctx: WorkspaceContext):
    if ctx.user is None:
        raise Unauthorized("Sign in to do that.")
    return ctx.user


async def create_idea(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    board: Board,
    title: str,
    body: str = "",
    tag_ids: list[int] | None = None,
) -> Idea:
    """A new idea in the workspace's first open status; `tag_ids` are existing tags picked on the form
    (customers may pick only where the board allows it). Pre-moderation or a spam signal stores it as `pending`:
    then it is announced (`idea.created`) only when staff approve it."""
    user = _require_user(ctx)
    await moderation_service.ensure_can_participate(session, ctx)
    title, body = clean_title(title), clean_body(body)
    if not board.is_open and not ctx.is_staff:
        raise Forbidden("This board is closed to new ideas.", fields={"board": "is closed to new ideas"})
    tags = await tag_service.check_new_idea_tags(
        session, ctx, customers_can_tag=board.customers_can_tag, tag_ids=list(tag_ids or [])
    )
    initial = status_service.initial_status(await status_service.list_statuses(session, workspace_id=ctx.workspace.id))
    if initial is None:
        raise Conflict("This workspace has no open status for new ideas.")
    screening = await moderation_service.screen(session, ctx, kind="idea", title=title, body=body)
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
        status=initial.key,
        status_category=StatusCategory(initial.category),
        vote_count=0,
        comment_count=0,
        trending_score=trending.point(now, await _half_life(session, ctx.workspace.id)),
        created_at=now,
        updated_at=now,
        moderation_state=screening.state,
        moderation_reason=screening.reason,
    )
    session.add(idea)
    await session.flush()
    await tag_service.attach_new_idea_tags(session, ctx, idea, tags)
    if screening.published:
        await announce_idea(session, idea)
    return idea


async def announce_idea(session: AsyncSession, idea: Idea) -> None:
    """`idea.created`, on behalf of its author: when it is posted, or when moderation approves it."""
    await outbox.emit(
        session, type="idea.created", workspace_id=idea.workspace_id, payload=_event(idea, idea.author_id)
    )


async def _half_life(session: AsyncSession, workspace_id: int) -> float:
    # The workspace's own half-life, as its votes use: one tau per workspace keeps the stored scores comparable.
    # Imported here: ranking builds on ideas.
    from ideaflow.ranking import service as ranking_service

    return await ranking_service.trending_half_life(session, workspace_id)


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
    status: str | None = None,
    board_slug: str | None = None,
    response: str | None = None,
) -> Idea:
    """Edit an idea. Changing its status (with an optional official response) or its board is for staff;
    a status change goes through statuses.service.set_status (timeline, audit, event)."""
    idea = view.idea
    require_edit(ctx, idea)
    if (status is not None and status != idea.status) or board_slug is not None or response:
        workspace_service.require_staff(ctx)
    if title is not None:
        idea.title = clean_title(title)
    if body is not None:
        idea.body = clean_body(body)
        idea.body_html = markdown.render(idea.body)
    if board_slug is not None:
        target = await board_repository.get_by_slug(session, ctx.workspace.id, board_slug)
        if target is None:
            raise Invalid.field("board", "no such board")
        if target.id != idea.board_id:
            await audit.record(
                session,
                workspace_id=ctx.workspace.id,
                actor_id=ctx.user.id,
                action="idea.moved",
                target_type="idea",
                target_id=idea.id,
                before={"board": view.row.board.slug},
                after={"board": target.slug},
            )
        idea.board_id = target.id
        view.row.board = target
    idea.updated_at = datetime.now(UTC)
    await session.flush()
    if status is not None or response:
        await status_service.set_status(
            session,
            workspace_id=ctx.workspace.id,
            idea=idea,
            status_key=status if status is not None else idea.status,
            actor_id=ctx.user.id,
            response=response,
        )
    return idea


async def delete_idea(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> None:
    require_edit(ctx, view.idea)
    view.idea.deleted_at = view.idea.updated_at = datetime.now(UTC)
    await session.flush()
    if ctx.is_staff:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="idea.deleted",
            target_type="idea",
            target_id=view.idea.id,
            before={"number": view.idea.number, "title": view.idea.title, "status": view.idea.status},
            after=None,
        )
    if view.idea.moderation_state in (ModerationState.pending, ModerationState.rejected):
        return  # never announced, so nothing to take back (and its title must not reach webhooks now)
    await outbox.emit(
        session, type="idea.deleted", workspace_id=ctx.workspace.id, payload=_event(view.idea, ctx.user.id)
    )

"""The staff triage inbox: untriaged ideas oldest first, and time to first response.

"Untriaged" means listed (not deleted, not merged, approved by moderation), in a status of the open category
and never answered (`ideas.first_response_at` is null: statuses.service stamps it on the first status change
or official response). Ideas still waiting for moderation belong to the moderation queue; the inbox only
counts them (and lists them on its "awaiting approval" tab, where they can be approved).

Every action is a call into the domain that owns it (statuses, tags, merges, moderation), so their audit rows,
timeline entries and events come with them; this module only picks the ideas and applies one action to each."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, extract, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board
from ideaflow.errors import Invalid, NotFound
from ideaflow.ideas.models import Idea, ModerationState, StatusCategory, listed
from ideaflow.ideas.schemas import NUMBER_MAX
from ideaflow.kit.sql import dialect_name
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from ideaflow.tags.models import Tag
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

PAGE_SIZE = 50
BULK_MAX = 100
WINDOW = timedelta(days=30)


class InboxView(StrEnum):
    untriaged = "untriaged"
    pending = "pending"  # awaiting approval by moderation


class Action(StrEnum):
    answer = "answer"  # a status change and/or an official response
    tag = "tag"
    merge = "merge"
    approve = "approve"


@dataclass
class InboxRow:
    idea: Idea
    author_name: str
    board: Board
    tags: list[Tag] = field(default_factory=list)

    def waited(self, now: datetime) -> timedelta:
        return max(now - self.idea.created_at, timedelta(0))


@dataclass
class ResponseTimes:
    """Time to first response over the ideas first answered in the window (None: nothing answered)."""

    answered: int
    median: timedelta | None
    p90: timedelta | None


@dataclass
class Counts:
    untriaged: int
    awaiting_approval: int


@dataclass
class Inbox:
    view: InboxView
    rows: list[InboxRow]
    counts: Counts
    times: ResponseTimes
    now: datetime

    @property
    def total(self) -> int:
        return self.counts.untriaged if self.view == InboxView.untriaged else self.counts.awaiting_approval

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


@dataclass
class Outcome:
    """What an action did, in words for the page's live region and the API."""

    action: Action
    numbers: list[int]
    message: str


# ---------------------------------------------------------------- reading


def _untriaged(workspace_id: int) -> ColumnElement[bool]:
    return and_(
        Idea.workspace_id == workspace_id,
        listed(),
        Idea.status_category == StatusCategory.open,
        Idea.first_response_at.is_(None),
    )


def _awaiting_approval(workspace_id: int) -> ColumnElement[bool]:
    return and_(
        Idea.workspace_id == workspace_id,
        Idea.deleted_at.is_(None),
        Idea.merged_into_id.is_(None),
        Idea.moderation_state == ModerationState.pending,
    )


async def counts(session: AsyncSession, ctx: WorkspaceContext) -> Counts:
    """Both counts in one query (the nav link and the page's tabs)."""
    workspace_service.require_staff(ctx)
    untriaged = select(func.count()).select_from(Idea).where(_untriaged(ctx.workspace.id)).scalar_subquery()
    pending = select(func.count()).select_from(Idea).where(_awaiting_approval(ctx.workspace.id)).scalar_subquery()
    row = (await session.execute(select(untriaged, pending))).one()
    return Counts(untriaged=row[0], awaiting_approval=row[1])


def _duration_seconds(session: AsyncSession):
    if dialect_name(session) == "postgresql":
        return extract("epoch", Idea.first_response_at - Idea.created_at)
    # SQLite stores UTC as text; julianday() reads it.
    return (func.julianday(Idea.first_response_at) - func.julianday(Idea.created_at)) * literal(86_400.0)


async def response_times(session: AsyncSession, ctx: WorkspaceContext, *, now: datetime | None = None) -> ResponseTimes:
    """Median and 90th percentile of (first_response_at - created_at) over the ideas first answered in the last
    30 days, interpolated between the two nearest values (as PostgreSQL's percentile_cont). Computed in SQL on
    both databases: one count, then at most two durations per percentile, whatever the number of ideas."""
    workspace_service.require_staff(ctx)
    since = (now or datetime.now(UTC)) - WINDOW
    where = and_(
        Idea.workspace_id == ctx.workspace.id,
        Idea.first_response_at.is_not(None),
        Idea.first_response_at >= since,
        Idea.deleted_at.is_(None),
    )
    n = (await session.execute(select(func.count()).select_from(Idea).where(where))).scalar_one()
    if n == 0:
        return ResponseTimes(answered=0, median=None, p90=None)
    duration = _duration_seconds(session).label("seconds")

    async def percentile(p: float) -> timedelta:
        position = p * (n - 1)
        low = math.floor(position)
        values = (
            await session.execute(select(duration).where(where).order_by(duration, Idea.id).offset(low).limit(2))
        ).scalars()
        pair = [float(v) for v in values]
        upper = pair[1] if len(pair) > 1 else pair[0]
        seconds = pair[0] + (upper - pair[0]) * (position - low)
        return timedelta(seconds=max(round(seconds), 0))

    return ResponseTimes(answered=n, median=await percentile(0.5), p90=await percentile(0.9))


async def inbox(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    view: InboxView = InboxView.untriaged,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Inbox:
    """The oldest `limit` ideas of the view with their tags, both counts and the response times: five
    queries, whatever the number of ideas."""
    workspace_service.require_staff(ctx)
    if not 1 <= limit <= BULK_MAX:
        raise Invalid.field("limit", f"must be between 1 and {BULK_MAX}")
    condition = _untriaged(ctx.workspace.id) if view == InboxView.untriaged else _awaiting_approval(ctx.workspace.id)
    stmt = (
        select(Idea, User.name, Board)
        .join(User, User.id == Idea.author_id)
        .join(Board, Board.id == Idea.board_id)
        .where(condition)
        .order_by(Idea.created_at, Idea.id)
        .limit(limit)
    )
    rows = [InboxRow(idea=i, author_name=a, board=b) for i, a, b in await session.execute(stmt)]
    if rows:
        tags = await tag_service.tags_by_idea(
            session, workspace_id=ctx.workspace.id, idea_ids=[r.idea.id for r in rows]
        )
        for row in rows:
            row.tags = tags.get(row.idea.id, [])
    return Inbox(
        view=view,
        rows=rows,
        counts=await counts(session, ctx),
        times=await response_times(session, ctx, now=now),
        now=now or datetime.now(UTC),
    )


def waited_words(delta: timedelta) -> str:
    """How long an idea has waited, in the largest unit that fits: "3 days", "5 hours", "just now"."""
    seconds = int(delta.total_seconds())
    for unit, size in (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "just now"


def duration_words(delta: timedelta | None) -> str:
    """A response time for people: "—" when there is none, "under a minute", "4 h 20 min", "2 d 3 h"."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds()) // 60
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 1_440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


async def search_targets(
    session: AsyncSession, ctx: WorkspaceContext, *, query: str, exclude: list[int], limit: int = 8
) -> list[InboxRow]:
    """Ideas to merge into, as staff type: "#12" or "12" finds idea 12; words search titles (the portal's own
    search, any word may match). The ideas being merged are left out."""
    workspace_service.require_staff(ctx)
    from ideaflow.ideas import service as idea_service  # ideas builds on tags and statuses, as this does

    query = (query or "").strip()
    if not query:
        return []
    digits = query.lstrip("#")
    if digits.isdigit():
        number = int(digits)
        if not 1 <= number <= NUMBER_MAX or number in exclude:
            return []
        stmt = (
            select(Idea, User.name, Board)
            .join(User, User.id == Idea.author_id)
            .join(Board, Board.id == Idea.board_id)
            .where(Idea.workspace_id == ctx.workspace.id, Idea.number == number, listed())
        )
        return [InboxRow(idea=i, author_name=a, board=b) for i, a, b in await session.execute(stmt)]
    views = await idea_service.similar_ideas(session, ctx, title=query, limit=limit + len(exclude))
    return [
        InboxRow(idea=v.idea, author_name=v.row.author_name, board=v.row.board, tags=v.tags)
        for v in views
        if v.idea.number not in exclude
    ][:limit]


# ---------------------------------------------------------------- acting


def clean_numbers(values: list[str] | list[int]) -> list[int]:
    """The ideas an action applies to, as idea numbers: at least one, at most BULK_MAX, each once."""
    numbers: list[int] = []
    for value in values:
        text = str(value).strip().lstrip("#")
        if not text.isdigit() or not 1 <= int(text) <= NUMBER_MAX:
            raise Invalid.field("ideas", f"{value!r} is not an idea number")
        if int(text) not in numbers:
            numbers.append(int(text))
    if not numbers:
        raise Invalid.field("ideas", "choose at least one idea")
    if len(numbers) > BULK_MAX:
        raise Invalid.field("ideas", f"at most {BULK_MAX} ideas at once")
    return numbers


async def _ideas(session: AsyncSession, ctx: WorkspaceContext, numbers: list[int]) -> list[Idea]:
    """The workspace's ideas with these numbers, in the order given (one query); a missing one is a 404."""
    found = {
        i.number: i
        for i in (
            await session.execute(
                select(Idea).where(
                    Idea.workspace_id == ctx.workspace.id, Idea.number.in_(numbers), Idea.deleted_at.is_(None)
                )
            )
        ).scalars()
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise NotFound(f"No idea #{missing[0]} in this workspace.", fields={"ideas": f"#{missing[0]} does not exist"})
    return [found[n] for n in numbers]


def _which(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"idea #{numbers[0]}"
    return f"{len(numbers)} ideas"


async def answer(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    numbers: list[int],
    status: str | None = None,
    response: str | None = None,
) -> Outcome:
    """Set a status (with an optional official response) or, without a status, post the response alone."""
    workspace_service.require_staff(ctx)
    status = (status or "").strip() or None
    body = (response or "").strip() or None
    if status is None and body is None:
        raise Invalid.field("status", "choose a status or write a response")
    target = await status_service.require_status(session, workspace_id=ctx.workspace.id, key=status) if status else None
    ideas = await _ideas(session, ctx, numbers)
    if target is not None and body is None and all(i.status == target.key for i in ideas):
        # Nothing would change and the idea would stay unanswered: say so rather than claim it was done.
        raise Invalid.field("status", f"{'the idea is' if len(ideas) == 1 else 'the ideas are'} already {target.name}")
    for idea in ideas:
        if target is not None:
            await status_service.set_status(
                session,
                workspace_id=ctx.workspace.id,
                idea=idea,
                status_key=target.key,
                actor_id=ctx.user.id,
                response=body,
            )
        else:
            await status_service.post_response(
                session, workspace_id=ctx.workspace.id, idea=idea, actor_id=ctx.user.id, body=body
            )
    if target is not None:
        words = f"{_which(numbers).capitalize()} set to {target.name}{' with a response' if body else ''}."
    else:
        words = f"Responded to {_which(numbers)}."
    return Outcome(action=Action.answer, numbers=numbers, message=words)


async def tag(session: AsyncSession, ctx: WorkspaceContext, *, numbers: list[int], tag_id: int | None) -> Outcome:
    workspace_service.require_staff(ctx)
    if tag_id is None:
        raise Invalid.field("tag", "choose a tag")
    try:
        chosen = await tag_service.get_tag(session, ctx, tag_id)
    except NotFound:
        raise Invalid.field("tag", "is not a tag of this workspace") from None
    for idea in await _ideas(session, ctx, numbers):
        await tag_service.tag_idea(session, ctx, idea, chosen)
    return Outcome(action=Action.tag, numbers=numbers, message=f"Tagged {_which(numbers)} “{chosen.name}”.")


async def merge(session: AsyncSession, ctx: WorkspaceContext, *, numbers: list[int], target: int | None) -> Outcome:
    """Merge each idea into `target` (an idea number) through merges.service, which checks what may merge."""
    from ideaflow.merges import service as merge_service  # merges builds on ideas, votes and tags

    workspace_service.require_staff(ctx)
    if target is None:
        raise Invalid.field("target", "choose the idea to merge into")
    if target in numbers:
        raise Invalid.field("target", "an idea cannot be merged into itself")
    into = (await _ideas(session, ctx, [target]))[0]
    for idea in await _ideas(session, ctx, numbers):
        await merge_service.merge_ideas(session, ctx, source=idea, target=into, field="target")
    return Outcome(action=Action.merge, numbers=numbers, message=f"Merged {_which(numbers)} into #{target}.")


async def approve(session: AsyncSession, ctx: WorkspaceContext, *, numbers: list[int]) -> Outcome:
    """Approve ideas waiting for moderation (moderation.service decides what may be approved)."""
    from ideaflow.moderation import service as moderation_service  # moderation builds on ideas

    workspace_service.require_staff(ctx)
    for idea in await _ideas(session, ctx, numbers):
        await moderation_service.approve_idea(session, ctx, idea=idea)
    return Outcome(action=Action.approve, numbers=numbers, message=f"Approved {_which(numbers)}.")


async def apply(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    action: str,
    numbers: list[int],
    status: str | None = None,
    response: str | None = None,
    tag_id: int | None = None,
    target: int | None = None,
) -> Outcome:
    """One action on one or more ideas; all of them or none (the caller's transaction)."""
    try:
        chosen = Action(action)
    except ValueError:
        raise Invalid.field("action", "must be answer, tag, merge or approve") from None
    if chosen == Action.answer:
        return await answer(session, ctx, numbers=numbers, status=status, response=response)
    if chosen == Action.tag:
        return await tag(session, ctx, numbers=numbers, tag_id=tag_id)
    if chosen == Action.merge:
        return await merge(session, ctx, numbers=numbers, target=target)
    return await approve(session, ctx, numbers=numbers)

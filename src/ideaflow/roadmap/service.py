"""Roadmap rules: which boards and statuses the public roadmap shows, and how statuses fall into its three
columns.

The columns follow the status categories. Planned, In progress and Shipped are what customers expect to read,
so the active category is split by the workspace's own status order: the first active status is "Planned",
every later active status is "In progress"; every done status is "Shipped". Open and closed statuses (not
yet decided, declined) are not commitments and never appear. With the default statuses this gives
planned → Planned, in_progress → In progress, shipped → Shipped; a workspace's added active statuses ("Beta")
land in In progress, each card keeping its own status badge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.audit import service as audit
from ideaflow.boards import repository as board_repository
from ideaflow.boards.models import Board, Visibility
from ideaflow.errors import Invalid
from ideaflow.ideas.models import Idea
from ideaflow.ideas.repository import IdeaRow
from ideaflow.ideas.service import IdeaView
from ideaflow.roadmap import repository
from ideaflow.roadmap.models import RoadmapSettings
from ideaflow.statuses import service as status_service
from ideaflow.statuses.models import Status, StatusCategory
from ideaflow.votes import repository as vote_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

CARDS_PER_COLUMN = 30
ROADMAP_CATEGORIES = (StatusCategory.active, StatusCategory.done)


@dataclass
class Column:
    key: str  # planned | in_progress | shipped
    title: str
    statuses: list[Status]
    items: list[IdeaView] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass
class Roadmap:
    columns: list[Column]
    boards: list[Board]
    statuses: list[Status]
    all_statuses: list[Status]

    @property
    def is_empty(self) -> bool:
        return not any(c.items for c in self.columns)


@dataclass
class RoadmapChoice:
    """What the roadmap shows, with every board and eligible status to choose from (for the settings form)."""

    boards: list[Board]
    statuses: list[Status]
    all_boards: list[Board]
    eligible_statuses: list[Status]
    all_statuses: list[Status]
    saved: bool


def split_columns(all_statuses: list[Status], shown: list[Status]) -> list[Column]:
    """The three columns for the shown statuses, using the workspace's status order to split active ones."""
    first_active = next((s for s in all_statuses if s.category == StatusCategory.active), None)
    shown_keys = {s.key for s in shown}
    ordered = [s for s in all_statuses if s.key in shown_keys]
    planned = [s for s in ordered if first_active is not None and s.key == first_active.key]
    in_progress = [s for s in ordered if s.category == StatusCategory.active and s not in planned]
    shipped = [s for s in ordered if s.category == StatusCategory.done]
    return [
        Column(key="planned", title="Planned", statuses=planned),
        Column(key="in_progress", title="In progress", statuses=in_progress),
        Column(key="shipped", title="Shipped", statuses=shipped),
    ]


def _eligible(statuses: list[Status]) -> list[Status]:
    return [s for s in statuses if s.category in ROADMAP_CATEGORIES]


async def choice(session: AsyncSession, *, workspace_id: int, include_private: bool) -> RoadmapChoice:
    """The boards and statuses the roadmap shows (defaults when staff never chose), limited to the boards the
    caller may see (`include_private`: members)."""
    saved = await repository.get_settings(session, workspace_id)
    all_boards = await board_repository.list_boards(session, workspace_id, include_private=True)
    statuses = await status_service.list_statuses(session, workspace_id=workspace_id)
    eligible = _eligible(statuses)
    boards = all_boards
    if saved is not None and saved.board_ids is not None:
        chosen_ids = set(saved.board_ids)
        boards = [b for b in all_boards if b.id in chosen_ids]
    shown_statuses = eligible
    if saved is not None and saved.status_keys is not None:
        keys = set(saved.status_keys)
        shown_statuses = [s for s in eligible if s.key in keys]
    if not include_private:
        boards = [b for b in boards if b.visibility == Visibility.public]
    return RoadmapChoice(
        boards=boards,
        statuses=shown_statuses,
        all_boards=all_boards,
        eligible_statuses=eligible,
        all_statuses=statuses,
        saved=bool(saved),
    )


async def build(session: AsyncSession, ctx: WorkspaceContext, *, cards_per_column: int = CARDS_PER_COLUMN) -> Roadmap:
    """The roadmap as this viewer sees it, in a fixed number of queries however many ideas it holds."""
    chosen = await choice(session, workspace_id=ctx.workspace.id, include_private=ctx.is_member)
    columns = split_columns(chosen.all_statuses, chosen.statuses)
    board_ids = [b.id for b in chosen.boards]
    counts = await repository.count_by_status(
        session, ctx.workspace.id, board_ids=board_ids, status_keys=[s.key for s in chosen.statuses]
    )
    rows: list[tuple[Column, Idea, Board]] = []
    for column in columns:
        column.total = sum(counts.get(s.key, 0) for s in column.statuses)
        if column.total:
            found = await repository.column_ideas(
                session,
                ctx.workspace.id,
                board_ids=board_ids,
                status_keys=[s.key for s in column.statuses],
                newest_first=column.key == "shipped",
                limit=cards_per_column,
            )
            rows.extend((column, idea, board) for idea, board in found)
    voted: set[int] = set()
    if ctx.user is not None and rows:
        voted = await vote_repository.voted_idea_ids(
            session, ctx.workspace.id, ctx.user.id, [idea.id for _, idea, _ in rows]
        )
    for column, idea, board in rows:
        column.items.append(IdeaView(row=IdeaRow(idea=idea, author_name="", board=board), voted=idea.id in voted))
    return Roadmap(columns=columns, boards=chosen.boards, statuses=chosen.statuses, all_statuses=chosen.all_statuses)


async def settings_choice(session: AsyncSession, ctx: WorkspaceContext) -> RoadmapChoice:
    workspace_service.require_staff(ctx)
    return await choice(session, workspace_id=ctx.workspace.id, include_private=True)


async def save_settings(
    session: AsyncSession, ctx: WorkspaceContext, *, board_slugs: list[str], status_keys: list[str]
) -> RoadmapSettings:
    """Staff choose the boards (by slug) and the active or done statuses (by key) the roadmap shows."""
    workspace_service.require_staff(ctx)
    all_boards = await board_repository.list_boards(session, ctx.workspace.id, include_private=True)
    by_slug = {b.slug: b for b in all_boards}
    unknown = [s for s in board_slugs if s not in by_slug]
    if unknown:
        raise Invalid.field("boards", f"“{unknown[0][:40]}” is not a board of this workspace")
    if not board_slugs:
        raise Invalid.field("boards", "choose at least one board")
    eligible = {s.key: s for s in _eligible(await status_service.list_statuses(session, workspace_id=ctx.workspace.id))}
    wrong = [k for k in status_keys if k not in eligible]
    if wrong:
        raise Invalid.field("statuses", f"“{wrong[0][:32]}” is not an active or done status of this workspace")
    if not status_keys:
        raise Invalid.field("statuses", "choose at least one status")
    board_ids = [b.id for b in all_boards if b.slug in set(board_slugs)]
    keys = [k for k in eligible if k in set(status_keys)]
    saved = await repository.get_settings(session, ctx.workspace.id)
    before = {"board_ids": saved.board_ids, "status_keys": saved.status_keys} if saved else None
    if saved is None:
        saved = RoadmapSettings(workspace_id=ctx.workspace.id)
        session.add(saved)
    saved.board_ids = board_ids
    saved.status_keys = keys
    saved.updated_at = datetime.now(UTC)
    await session.flush()
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="roadmap.updated",
        target_type="workspace",
        target_id=ctx.workspace.id,
        before=before,
        after={"board_ids": board_ids, "status_keys": keys},
    )
    return saved

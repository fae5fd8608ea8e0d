"""Changelog rules: staff write entries in Markdown and link the ideas they deliver; publishing an entry moves
those ideas to a done status (which tells their voters and followers) and announces `changelog.published`.

Publishing is idempotent: a published entry stays published, and publishing it again ships nothing and
notifies no one. Ideas linked to an entry that is already published are shipped when they are linked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow import outbox
from ideaflow.audit import service as audit
from ideaflow.boards.models import Board
from ideaflow.changelog import repository
from ideaflow.changelog.models import ChangelogEntry
from ideaflow.errors import Conflict, Invalid, NotFound
from ideaflow.ideas.models import Idea
from ideaflow.kit import markdown
from ideaflow.kit.pagination import decode_cursor, encode_cursor
from ideaflow.statuses import service as status_service
from ideaflow.statuses.models import Status, StatusCategory
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

TITLE_MIN, TITLE_MAX, BODY_MAX = 3, 140, 50_000
IDEAS_MAX = 50
SLUG_MAX = 60
PAGE_SIZE = 20
# Paths under /{workspace}/changelog/ that are not entries.
RESERVED_SLUGS = frozenset({"new", "feed", "drafts"})


@dataclass
class LinkedIdea:
    idea: Idea
    board: Board


@dataclass
class EntryView:
    entry: ChangelogEntry
    author_name: str | None
    ideas: list[LinkedIdea] = field(default_factory=list)

    @property
    def is_published(self) -> bool:
        return self.entry.published_at is not None


@dataclass
class EntryPage:
    items: list[EntryView]
    next_cursor: str | None
    drafts: list[EntryView] = field(default_factory=list)


# ---------------------------------------------------------------- input


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


def parse_idea_numbers(text: str) -> list[int]:
    """ "#12, 15 #18" → [12, 15, 18]: numbers separated by commas, spaces or hashes."""
    numbers: list[int] = []
    for part in re.split(r"[\s,;#]+", text or ""):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 2**31 - 1:
            raise Invalid.field("ideas", f"“{part[:20]}” is not an idea number")
        if int(part) not in numbers:
            numbers.append(int(part))
    return numbers


def slug_for(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "update"


async def _unique_slug(session: AsyncSession, workspace_id: int, title: str) -> str:
    base = slug_for(title)
    if base in RESERVED_SLUGS:
        base = f"{base}-update"
    taken = await repository.slugs_like(session, workspace_id, base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def _resolve_ideas(session: AsyncSession, workspace_id: int, numbers: list[int]) -> list[Idea]:
    if len(numbers) > IDEAS_MAX:
        raise Invalid.field("ideas", f"link at most {IDEAS_MAX} ideas")
    found = await repository.ideas_by_number(session, workspace_id, numbers)
    missing = sorted(set(numbers) - {i.number for i in found})
    if missing:
        listed = ", ".join(f"#{n}" for n in missing[:5])
        raise Invalid.field("ideas", f"{listed} {'is not an idea' if len(missing) == 1 else 'are not ideas'} here")
    return sorted(found, key=lambda i: i.number)


async def done_statuses(session: AsyncSession, *, workspace_id: int) -> list[Status]:
    statuses = await status_service.list_statuses(session, workspace_id=workspace_id)
    return [s for s in statuses if s.category == StatusCategory.done]


async def _clean_ship_status(session: AsyncSession, workspace_id: int, key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if key not in {s.key for s in await done_statuses(session, workspace_id=workspace_id)}:
        raise Invalid.field("ship_status", "must be one of this workspace's done statuses")
    return key


# ---------------------------------------------------------------- reading


async def _views(
    session: AsyncSession, ctx: WorkspaceContext, rows: list[tuple[ChangelogEntry, str | None]]
) -> list[EntryView]:
    views = [EntryView(entry=e, author_name=n) for e, n in rows]
    by_id = {v.entry.id: v for v in views}
    linked = await repository.linked_ideas(session, ctx.workspace.id, list(by_id), include_private=ctx.is_member)
    for entry_id, idea, board in linked:
        by_id[entry_id].ideas.append(LinkedIdea(idea=idea, board=board))
    return views


async def list_entries(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    with_drafts: bool = False,
) -> EntryPage:
    """Published entries newest first (a page of `limit`); staff asking `with_drafts` also get the drafts."""
    if not 1 <= limit <= 100:
        raise Invalid.field("limit", "must be between 1 and 100")
    after = decode_cursor(cursor, types=(str, int))
    after_key = None
    if after:
        try:
            after_key = (datetime.fromisoformat(after[0]), after[1])
        except ValueError:
            raise Invalid.field("cursor", "is not a cursor this server issued") from None
    rows = await repository.list_published(session, ctx.workspace.id, after=after_key, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor([last.published_at.isoformat(), last.id])
        rows = rows[:limit]
    drafts = []
    if with_drafts and ctx.is_staff and cursor is None:
        drafts = await repository.list_drafts(session, ctx.workspace.id, limit=100)
    views = await _views(session, ctx, drafts + rows)
    return EntryPage(items=views[len(drafts) :], next_cursor=next_cursor, drafts=views[: len(drafts)])


async def get_entry(
    session: AsyncSession, ctx: WorkspaceContext, *, slug: str | None = None, entry_id: int | None = None
) -> EntryView:
    """An entry the viewer may read: published ones for everyone, drafts for staff only (404 otherwise)."""
    if entry_id is not None and not 1 <= entry_id <= 2**63 - 1:
        raise NotFound("No such changelog entry.")
    if slug is not None and len(slug) > 80:
        raise NotFound("No such changelog entry.")
    found = await repository.get(session, ctx.workspace.id, slug=slug, entry_id=entry_id)
    if found is None or (found[0].published_at is None and not ctx.is_staff):
        raise NotFound("No such changelog entry.")
    return (await _views(session, ctx, [found]))[0]


async def candidate_ideas(session: AsyncSession, ctx: WorkspaceContext, *, limit: int = 40) -> list[Idea]:
    """Ideas in the works (active category), offered as checkboxes on the entry form."""
    workspace_service.require_staff(ctx)
    return await repository.candidate_ideas(
        session, ctx.workspace.id, categories=[StatusCategory.active.value], limit=limit
    )


# ---------------------------------------------------------------- writing


async def create_entry(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    title: str,
    body: str = "",
    idea_numbers: list[int] | None = None,
    ship_status: str | None = None,
    publish: bool = False,
) -> ChangelogEntry:
    workspace_service.require_staff(ctx)
    title, body = clean_title(title), clean_body(body)
    ship_status = await _clean_ship_status(session, ctx.workspace.id, ship_status)
    ideas = await _resolve_ideas(session, ctx.workspace.id, idea_numbers or [])
    now = datetime.now(UTC)
    entry = ChangelogEntry(
        workspace_id=ctx.workspace.id,
        slug=await _unique_slug(session, ctx.workspace.id, title),
        title=title,
        body=body,
        body_html=markdown.render(body),
        author_id=ctx.user.id,
        ship_status=ship_status,
        published_at=None,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    await session.flush()
    await repository.link(session, ctx.workspace.id, entry.id, [i.id for i in ideas])
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="changelog.created",
        target_type="changelog_entry",
        target_id=entry.id,
        before=None,
        after={"title": title, "idea_numbers": [i.number for i in ideas]},
    )
    if publish:
        await publish_entry(session, ctx, entry)
    return entry


async def update_entry(
    session: AsyncSession,
    ctx: WorkspaceContext,
    entry: ChangelogEntry,
    *,
    title: str | None = None,
    body: str | None = None,
    idea_numbers: list[int] | None = None,
    ship_status: str | None = None,
) -> ChangelogEntry:
    """Change an entry. On a published entry, ideas newly linked are shipped at once; unlinking an idea
    leaves its status as it is."""
    workspace_service.require_staff(ctx)
    changes: dict = {}
    if title is not None:
        entry.title = changes["title"] = clean_title(title)
    if body is not None:
        entry.body = clean_body(body)
        entry.body_html = markdown.render(entry.body)
        changes["body"] = True
    if ship_status is not None:
        entry.ship_status = changes["ship_status"] = await _clean_ship_status(session, ctx.workspace.id, ship_status)
    added: list[Idea] = []
    if idea_numbers is not None:
        ideas = await _resolve_ideas(session, ctx.workspace.id, idea_numbers)
        current = set(await repository.linked_idea_ids(session, ctx.workspace.id, entry.id))
        wanted = {i.id for i in ideas}
        added = [i for i in ideas if i.id not in current]
        await repository.unlink(session, ctx.workspace.id, entry.id, sorted(current - wanted))
        await repository.link(session, ctx.workspace.id, entry.id, [i.id for i in added])
        if wanted != current:
            changes["idea_numbers"] = [i.number for i in ideas]
    entry.updated_at = datetime.now(UTC)
    await session.flush()
    if changes:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="changelog.updated",
            target_type="changelog_entry",
            target_id=entry.id,
            before=None,
            after=changes,
        )
    if entry.published_at is not None and added:
        await _ship(session, ctx, entry, added)
    return entry


async def _ship_target(session: AsyncSession, ctx: WorkspaceContext, entry: ChangelogEntry) -> Status:
    done = await done_statuses(session, workspace_id=ctx.workspace.id)
    if not done:
        raise Conflict(
            "This workspace has no status of the done category to ship ideas to.",
            fields={"ship_status": "add a status of the done category first"},
        )
    return next((s for s in done if s.key == entry.ship_status), done[0])


async def _ship(session: AsyncSession, ctx: WorkspaceContext, entry: ChangelogEntry, ideas: list[Idea]) -> list[Idea]:
    target = await _ship_target(session, ctx, entry)
    shipped = []
    for idea in ideas:
        if idea.deleted_at is not None or idea.status == target.key:
            continue
        await status_service.set_status(
            session,
            workspace_id=ctx.workspace.id,
            idea=idea,
            status_key=target.key,
            actor_id=ctx.user.id if ctx.user else None,
            source="changelog",
        )
        shipped.append(idea)
    return shipped


async def publish_entry(session: AsyncSession, ctx: WorkspaceContext, entry: ChangelogEntry) -> list[Idea]:
    """Publish a draft: its linked ideas move to the entry's done status (each change tells the idea's voters
    and followers through `idea.status_changed`) and `changelog.published` {entry_id, idea_ids, actor_id} is
    emitted. Returns the ideas whose status changed; an entry already published changes nothing."""
    workspace_service.require_staff(ctx)
    target = await _ship_target(session, ctx, entry)  # refuse before publishing when nothing can be shipped
    now = datetime.now(UTC)
    if not await repository.mark_published(session, ctx.workspace.id, entry.id, now):
        return []
    set_committed_value(entry, "published_at", now)
    set_committed_value(entry, "updated_at", now)
    ideas = await repository.ideas_by_id(
        session, ctx.workspace.id, await repository.linked_idea_ids(session, ctx.workspace.id, entry.id)
    )
    entry.ship_status = entry.ship_status or target.key
    await session.flush()
    shipped = await _ship(session, ctx, entry, ideas)
    actor_id = ctx.user.id if ctx.user else None
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=actor_id,
        action="changelog.published",
        target_type="changelog_entry",
        target_id=entry.id,
        before=None,
        after={"status": target.key, "shipped": [i.number for i in shipped]},
    )
    await outbox.emit(
        session,
        type="changelog.published",
        workspace_id=ctx.workspace.id,
        payload={"entry_id": entry.id, "idea_ids": [i.id for i in ideas], "actor_id": actor_id},
    )
    return shipped


async def delete_entry(session: AsyncSession, ctx: WorkspaceContext, entry: ChangelogEntry) -> None:
    """Remove an entry. The ideas it shipped keep their status."""
    workspace_service.require_staff(ctx)
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="changelog.deleted",
        target_type="changelog_entry",
        target_id=entry.id,
        before={"title": entry.title, "published": entry.published_at is not None},
        after=None,
    )
    await session.delete(entry)
    await session.flush()

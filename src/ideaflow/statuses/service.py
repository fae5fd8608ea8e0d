"""Status rules: each workspace's own statuses (seeded with six defaults), changing an idea's status with an
optional official response, editing responses with their history kept, and the idea's timeline.

The public contract other domains call:
- `set_status(session, *, workspace_id, idea, status_key, actor_id, response=None, source="staff")`
- `post_response(...)` / `edit_response(...)` for an official response without a status change
- `list_statuses(session, *, workspace_id)` and `get_status(session, *, workspace_id, key)`
Callers check roles first (staff-facing routes via `workspaces.service.require_staff`); integrations pass
`actor_id=None` and their own `source` (e.g. "github").

Both stamp `ideas.first_response_at` the first time an idea is answered, whoever answers: a person or an
integration acting for the team (a tracker moving the idea to "in progress" is an answer the customer sees).
The triage inbox lists open ideas without it and measures time to first response with it. Moving ideas out
of a removed status (`delete_status`) is housekeeping, not an answer, and leaves it alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.audit import service as audit
from ideaflow.errors import Conflict, Invalid, NotFound
from ideaflow.ideas.models import Idea
from ideaflow.kit import markdown
from ideaflow.statuses import repository
from ideaflow.statuses.models import (
    OfficialResponse,
    ResponseRevision,
    Status,
    StatusCategory,
    TimelineEntry,
    TimelineKind,
)
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

# key, name, colour, category: what every new workspace starts with (the migration seeds the same for
# workspaces that existed before custom statuses).
DEFAULT_STATUSES: list[tuple[str, str, str, StatusCategory]] = [
    ("open", "Open", "#8a93a8", StatusCategory.open),
    ("under_review", "Under review", "#e59a1a", StatusCategory.open),
    ("planned", "Planned", "#2e8ae6", StatusCategory.active),
    ("in_progress", "In progress", "#8b5cf6", StatusCategory.active),
    ("shipped", "Shipped", "#17a964", StatusCategory.done),
    ("declined", "Declined", "#e0565d", StatusCategory.closed),
]
RESPONSE_MAX = 10_000
NAME_MAX = 40
KEY_MAX = 32
COLOUR_PATTERN = re.compile(r"^#[0-9a-f]{6}$")


# ---------------------------------------------------------------- reading statuses


async def list_statuses(session: AsyncSession, *, workspace_id: int) -> list[Status]:
    """The workspace's statuses in display order (one query)."""
    return await repository.list_statuses(session, workspace_id)


async def get_status(session: AsyncSession, *, workspace_id: int, key: str) -> Status | None:
    """The workspace's status with this key, or None."""
    if not key or len(key) > KEY_MAX:
        return None
    return await repository.get_by_key(session, workspace_id, key)


async def require_status(session: AsyncSession, *, workspace_id: int, key: str, name: str = "status") -> Status:
    status = await get_status(session, workspace_id=workspace_id, key=(key or "").strip())
    if status is None:
        raise Invalid.field(name, "is not a status of this workspace")
    return status


@dataclass
class StatusSet:
    """A workspace's statuses loaded once per request, for badges and filters."""

    statuses: list[Status]
    by_key: dict[str, Status] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {s.key: s for s in self.statuses}

    def get(self, key: str) -> Status | None:
        return self.by_key.get(key)

    @property
    def initial(self) -> Status | None:
        return initial_status(self.statuses)


def initial_status(statuses: list[Status]) -> Status | None:
    """New ideas start in the first status of the open category."""
    return next((s for s in statuses if s.category == StatusCategory.open), None)


async def status_set(session: AsyncSession, *, workspace_id: int) -> StatusSet:
    return StatusSet(await list_statuses(session, workspace_id=workspace_id))


async def seed_defaults(session: AsyncSession, *, workspace_id: int) -> list[Status]:
    statuses = [
        Status(workspace_id=workspace_id, key=key, name=name, colour=colour, category=category, position=n)
        for n, (key, name, colour, category) in enumerate(DEFAULT_STATUSES, start=1)
    ]
    session.add_all(statuses)
    await session.flush()
    return statuses


# ---------------------------------------------------------------- changing an idea's status


def _clean_response(body: str | None) -> str | None:
    body = (body or "").strip()
    if not body:
        return None
    if len(body) > RESPONSE_MAX:
        raise Invalid.field("response", f"must be at most {RESPONSE_MAX:,} characters")
    return body


async def _new_response(
    session: AsyncSession, *, workspace_id: int, idea: Idea, actor_id: int | None, body: str, now: datetime
) -> OfficialResponse:
    html = markdown.render(body)
    response = OfficialResponse(
        workspace_id=workspace_id,
        idea_id=idea.id,
        author_id=actor_id,
        body=body,
        body_html=html,
        created_at=now,
        updated_at=now,
        edit_count=0,
    )
    session.add(response)
    await session.flush()
    session.add(
        ResponseRevision(
            workspace_id=workspace_id,
            response_id=response.id,
            editor_id=actor_id,
            body=body,
            body_html=html,
            created_at=now,
        )
    )
    return response


def _mark_answered(idea: Idea, now: datetime) -> None:
    """Keep the first answer's time: later answers leave it alone (see the module's docstring)."""
    if idea.first_response_at is None:
        idea.first_response_at = now


def _event(idea: Idea, actor_id: int | None, **extra) -> dict:
    return {"idea_id": idea.id, "number": idea.number, "board_id": idea.board_id, "actor_id": actor_id, **extra}


async def set_status(
    session: AsyncSession,
    *,
    workspace_id: int,
    idea: Idea,
    status_key: str,
    actor_id: int | None,
    response: str | None = None,
    source: str = "staff",
) -> None:
    """Move `idea` to the workspace's status `status_key`, optionally with an official response (Markdown).

    Appends a timeline entry, writes the audit row ("idea.status_changed"; actor None = the system) and emits
    `idea.status_changed` {idea_id, number, board_id, actor_id, from_status, to_status, to_category,
    response_id, source}. The same key with a response posts the response only (`idea.response_posted`);
    the same key without one changes nothing. Unknown keys raise Invalid on the field "status"."""
    target = await require_status(session, workspace_id=workspace_id, key=status_key)
    body = _clean_response(response)
    if target.key == idea.status:
        if body is not None:
            await post_response(
                session, workspace_id=workspace_id, idea=idea, actor_id=actor_id, body=body, source=source
            )
        return
    now = datetime.now(UTC)
    previous = idea.status
    answer = (
        await _new_response(session, workspace_id=workspace_id, idea=idea, actor_id=actor_id, body=body, now=now)
        if body is not None
        else None
    )
    idea.status = target.key
    idea.status_category = StatusCategory(target.category)
    idea.updated_at = now
    _mark_answered(idea, now)
    session.add(
        TimelineEntry(
            workspace_id=workspace_id,
            idea_id=idea.id,
            actor_id=actor_id,
            kind=TimelineKind.status_changed.value,
            from_status=previous,
            to_status=target.key,
            response_id=answer.id if answer else None,
            source=source,
            created_at=now,
        )
    )
    await session.flush()
    await audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="idea.status_changed",
        target_type="idea",
        target_id=idea.id,
        before={"status": previous},
        after={"status": target.key, "response_id": answer.id if answer else None, "source": source},
    )
    await outbox.emit(
        session,
        type="idea.status_changed",
        workspace_id=workspace_id,
        payload=_event(
            idea,
            actor_id,
            from_status=previous,
            to_status=target.key,
            to_category=StatusCategory(target.category).value,
            response_id=answer.id if answer else None,
            source=source,
        ),
    )


async def post_response(
    session: AsyncSession,
    *,
    workspace_id: int,
    idea: Idea,
    actor_id: int | None,
    body: str,
    source: str = "staff",
) -> OfficialResponse:
    """An official response without a status change: pinned on the idea, kept in the timeline, audited, and
    announced as `idea.response_posted` {idea_id, number, board_id, actor_id, response_id}."""
    cleaned = _clean_response(body)
    if cleaned is None:
        raise Invalid.field("response", "is required")
    now = datetime.now(UTC)
    answer = await _new_response(
        session, workspace_id=workspace_id, idea=idea, actor_id=actor_id, body=cleaned, now=now
    )
    _mark_answered(idea, now)
    session.add(
        TimelineEntry(
            workspace_id=workspace_id,
            idea_id=idea.id,
            actor_id=actor_id,
            kind=TimelineKind.response_posted.value,
            response_id=answer.id,
            source=source,
            created_at=now,
        )
    )
    await session.flush()
    await audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="idea.response_posted",
        target_type="idea",
        target_id=idea.id,
        before=None,
        after={"response_id": answer.id},
    )
    await outbox.emit(
        session,
        type="idea.response_posted",
        workspace_id=workspace_id,
        payload=_event(idea, actor_id, response_id=answer.id),
    )
    return answer


async def edit_response(
    session: AsyncSession,
    *,
    workspace_id: int,
    idea: Idea,
    response_id: int,
    actor_id: int | None,
    body: str,
) -> OfficialResponse:
    """Replace a response's text; the previous text stays in its revisions. Audited as
    "idea.response_edited" and announced as `idea.response_posted`."""
    answer = await repository.get_response(session, workspace_id, response_id)
    if answer is None or answer.idea_id != idea.id:
        raise NotFound("No such response on this idea.")
    cleaned = _clean_response(body)
    if cleaned is None:
        raise Invalid.field("response", "is required")
    if cleaned == answer.body:
        return answer
    now = datetime.now(UTC)
    before = answer.body
    answer.body = cleaned
    answer.body_html = markdown.render(cleaned)
    answer.updated_at = now
    answer.edit_count = answer.edit_count + 1
    session.add(
        ResponseRevision(
            workspace_id=workspace_id,
            response_id=answer.id,
            editor_id=actor_id,
            body=cleaned,
            body_html=answer.body_html,
            created_at=now,
        )
    )
    session.add(
        TimelineEntry(
            workspace_id=workspace_id,
            idea_id=idea.id,
            actor_id=actor_id,
            kind=TimelineKind.response_edited.value,
            response_id=answer.id,
            source="staff",
            created_at=now,
        )
    )
    await session.flush()
    await audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="idea.response_edited",
        target_type="official_response",
        target_id=answer.id,
        before={"body": before},
        after={"body": cleaned},
    )
    await outbox.emit(
        session,
        type="idea.response_posted",
        workspace_id=workspace_id,
        payload=_event(idea, actor_id, response_id=answer.id),
    )
    return answer


# ---------------------------------------------------------------- the idea page: pinned response and timeline


@dataclass
class PinnedResponse:
    response: OfficialResponse
    author_name: str | None


@dataclass
class TimelineItem:
    entry: TimelineEntry
    actor_name: str | None
    response: OfficialResponse | None

    @property
    def kind(self) -> str:
        return self.entry.kind


async def pinned_response(session: AsyncSession, *, workspace_id: int, idea_id: int) -> PinnedResponse | None:
    found = await repository.latest_response(session, workspace_id, idea_id)
    return PinnedResponse(response=found[0], author_name=found[1]) if found else None


async def timeline(session: AsyncSession, *, workspace_id: int, idea_id: int) -> list[TimelineItem]:
    return [
        TimelineItem(entry=e, actor_name=n, response=r)
        for e, n, r in await repository.timeline(session, workspace_id, idea_id)
    ]


async def response_history(session: AsyncSession, *, workspace_id: int, idea: Idea, response_id: int):
    answer = await repository.get_response(session, workspace_id, response_id)
    if answer is None or answer.idea_id != idea.id:
        raise NotFound("No such response on this idea.")
    return answer, await repository.revisions(session, workspace_id, response_id)


# ---------------------------------------------------------------- managing statuses (admins)


def clean_colour(colour: str) -> str:
    colour = (colour or "").strip().lower()
    if not COLOUR_PATTERN.fullmatch(colour):
        raise Invalid.field("colour", "must be a colour like #2e8ae6")
    return colour


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid.field("name", "is required")
    if len(name) > NAME_MAX:
        raise Invalid.field("name", f"must be at most {NAME_MAX} characters")
    return name


def _category(value: str | StatusCategory) -> StatusCategory:
    try:
        return StatusCategory(value)
    except ValueError:
        raise Invalid.field("category", "must be open, active, done or closed") from None


def key_for(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:KEY_MAX].strip("_")
    return key or "status"


def _snapshot(status: Status) -> dict:
    return {
        "key": status.key,
        "name": status.name,
        "colour": status.colour,
        "category": StatusCategory(status.category).value,
        "position": status.position,
    }


async def create_status(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    name: str,
    colour: str,
    category: str | StatusCategory,
    key: str | None = None,
) -> Status:
    workspace_service.require_admin(ctx)
    name, colour, category = _clean_name(name), clean_colour(colour), _category(category)
    # A key given explicitly is checked as such; otherwise it is made from the name, which then takes the blame.
    key_field = "key" if key else "name"
    if key:
        key = key.strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,31}", key):
            raise Invalid.field("key", "use up to 32 lower-case letters, digits or underscores")
    else:
        key = key_for(name)
    existing = await list_statuses(session, workspace_id=ctx.workspace.id)
    if any(s.key == key for s in existing):
        raise Conflict("A status with that key already exists.", fields={key_field: "is already used"})
    if any(s.name.lower() == name.lower() for s in existing):
        raise Conflict("A status with that name already exists.", fields={"name": "is already used"})
    status = Status(
        workspace_id=ctx.workspace.id,
        key=key,
        name=name,
        colour=colour,
        category=category,
        position=await repository.next_position(session, ctx.workspace.id),
        created_at=datetime.now(UTC),
    )
    session.add(status)
    await session.flush()
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="status.created",
        target_type="status",
        target_id=status.id,
        before=None,
        after=_snapshot(status),
    )
    return status


async def get_for_change(session: AsyncSession, ctx: WorkspaceContext, key: str) -> Status:
    workspace_service.require_admin(ctx)
    status = await get_status(session, workspace_id=ctx.workspace.id, key=key)
    if status is None:
        raise NotFound("No such status.")
    return status


async def update_status(
    session: AsyncSession,
    ctx: WorkspaceContext,
    status: Status,
    *,
    name: str | None = None,
    colour: str | None = None,
    category: str | StatusCategory | None = None,
) -> Status:
    workspace_service.require_admin(ctx)
    before = _snapshot(status)
    statuses = await list_statuses(session, workspace_id=ctx.workspace.id)
    if name is not None:
        name = _clean_name(name)
        if any(s.id != status.id and s.name.lower() == name.lower() for s in statuses):
            raise Conflict("A status with that name already exists.", fields={"name": "is already used"})
        status.name = name
    if colour is not None:
        status.colour = clean_colour(colour)
    if category is not None:
        category = _category(category)
        if category != status.category:
            _keep_an_open_status(statuses, leaving=status, new_category=category)
            status.category = category
            await repository.recategorise_ideas(session, ctx.workspace.id, status.key, category.value)
    await session.flush()
    after = _snapshot(status)
    if after != before:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="status.updated",
            target_type="status",
            target_id=status.id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return status


def _keep_an_open_status(statuses: list[Status], *, leaving: Status, new_category: StatusCategory | None) -> None:
    """New ideas need a status of the open category to start in."""
    if leaving.category != StatusCategory.open or new_category == StatusCategory.open:
        return
    if not any(s.id != leaving.id and s.category == StatusCategory.open for s in statuses):
        raise Conflict(
            "New ideas start in an open status: keep at least one status in the open category.",
            fields={"category": "the last open status must stay open"},
        )


async def move_status(session: AsyncSession, ctx: WorkspaceContext, status: Status, *, direction: int) -> None:
    """Swap a status with its neighbour (direction -1: earlier, +1: later)."""
    workspace_service.require_admin(ctx)
    statuses = await list_statuses(session, workspace_id=ctx.workspace.id)
    index = next(i for i, s in enumerate(statuses) if s.id == status.id)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(statuses):
        return
    await reorder(session, ctx, [s.key for s in _swapped(statuses, index, other)])


def _swapped(statuses: list[Status], a: int, b: int) -> list[Status]:
    items = list(statuses)
    items[a], items[b] = items[b], items[a]
    return items


async def reorder(session: AsyncSession, ctx: WorkspaceContext, keys: list[str]) -> list[Status]:
    """Put the statuses in the given order; `keys` must name every status exactly once."""
    workspace_service.require_admin(ctx)
    statuses = await list_statuses(session, workspace_id=ctx.workspace.id)
    by_key = {s.key: s for s in statuses}
    if sorted(keys) != sorted(by_key):
        raise Invalid.field("keys", "must list every status of this workspace exactly once")
    before = [s.key for s in statuses]
    for position, key in enumerate(keys, start=1):
        by_key[key].position = position
    await session.flush()
    if before != keys:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="status.reordered",
            target_type="workspace",
            target_id=ctx.workspace.id,
            before={"order": before},
            after={"order": keys},
        )
    return [by_key[k] for k in keys]


async def delete_status(
    session: AsyncSession, ctx: WorkspaceContext, status: Status, *, replacement: str | None = None
) -> int:
    """Remove a status. Ideas in it move to `replacement` (with a timeline entry each); without a replacement,
    a status that ideas use is refused (409). Returns how many ideas moved."""
    workspace_service.require_admin(ctx)
    statuses = await list_statuses(session, workspace_id=ctx.workspace.id)
    if len(statuses) <= 1:
        raise Conflict("A workspace needs at least one status.")
    _keep_an_open_status(statuses, leaving=status, new_category=None)
    used = await repository.count_ideas(session, ctx.workspace.id, status.key)
    target = None
    if replacement:
        target = await require_status(session, workspace_id=ctx.workspace.id, key=replacement, name="replacement")
        if target.id == status.id:
            raise Invalid.field("replacement", "must be another status")
    moved_ids = await repository.idea_ids_with_status(session, ctx.workspace.id, status.key)
    if moved_ids and target is None:
        raise Conflict(
            f"{used} idea{'s' if used != 1 else ''} use{'s' if used == 1 else ''} this status: "
            "choose a status to move them to.",
            fields={"replacement": "choose where its ideas go"},
        )
    now = datetime.now(UTC)
    if target is not None and moved_ids:
        await repository.move_ideas(session, ctx.workspace.id, status.key, target)
        session.add_all(
            TimelineEntry(
                workspace_id=ctx.workspace.id,
                idea_id=idea_id,
                actor_id=ctx.user.id,
                kind=TimelineKind.status_changed.value,
                from_status=status.key,
                to_status=target.key,
                source="status_removed",
                created_at=now,
            )
            for idea_id in moved_ids
        )
    await session.delete(status)
    await session.flush()
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="status.deleted",
        target_type="status",
        target_id=status.id,
        before=_snapshot(status),
        after={"replacement": target.key if target else None, "ideas_moved": len(moved_ids)},
    )
    return len(moved_ids)

"""Tag rules: staff define coloured tags and put them on ideas; on boards that allow it, customers pick
existing tags when they submit. Tags of a page of ideas load in one query."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.audit import service as audit
from ideaflow.errors import Conflict, Invalid, NotFound
from ideaflow.ideas.models import Idea
from ideaflow.statuses.service import clean_colour
from ideaflow.tags import repository
from ideaflow.tags.models import Tag
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

NAME_MAX = 40
MAX_PER_IDEA = 10


async def list_tags(session: AsyncSession, *, workspace_id: int) -> list[Tag]:
    return await repository.list_tags(session, workspace_id)


async def find_tag(session: AsyncSession, *, workspace_id: int, value: str) -> Tag | None:
    """A tag named by its id or its name (case-insensitive)."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        found = await repository.get(session, workspace_id, int(value)) if len(value) < 20 else None
        if found is not None:
            return found
    return await repository.get_by_name(session, workspace_id, value[:NAME_MAX])


async def tags_by_idea(session: AsyncSession, *, workspace_id: int, idea_ids: list[int]) -> dict[int, list[Tag]]:
    grouped: dict[int, list[Tag]] = defaultdict(list)
    for idea_id, tag in await repository.tags_for_ideas(session, workspace_id, idea_ids):
        grouped[idea_id].append(tag)
    return grouped


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid.field("name", "is required")
    if len(name) > NAME_MAX:
        raise Invalid.field("name", f"must be at most {NAME_MAX} characters")
    return name


async def create_tag(session: AsyncSession, ctx: WorkspaceContext, *, name: str, colour: str) -> Tag:
    workspace_service.require_staff(ctx)
    name, colour = _clean_name(name), clean_colour(colour)
    if await repository.get_by_name(session, ctx.workspace.id, name) is not None:
        raise Conflict("A tag with that name already exists.", fields={"name": "is already used"})
    tag = Tag(workspace_id=ctx.workspace.id, name=name, colour=colour, created_at=datetime.now(UTC))
    session.add(tag)
    await session.flush()
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="tag.created",
        target_type="tag",
        target_id=tag.id,
        before=None,
        after={"name": name, "colour": colour},
    )
    return tag


async def get_tag(session: AsyncSession, ctx: WorkspaceContext, tag_id: int) -> Tag:
    tag = await repository.get(session, ctx.workspace.id, tag_id)
    if tag is None:
        raise NotFound("No such tag.")
    return tag


async def update_tag(
    session: AsyncSession, ctx: WorkspaceContext, tag: Tag, *, name: str | None = None, colour: str | None = None
) -> Tag:
    workspace_service.require_staff(ctx)
    before = {"name": tag.name, "colour": tag.colour}
    if name is not None:
        name = _clean_name(name)
        other = await repository.get_by_name(session, ctx.workspace.id, name)
        if other is not None and other.id != tag.id:
            raise Conflict("A tag with that name already exists.", fields={"name": "is already used"})
        tag.name = name
    if colour is not None:
        tag.colour = clean_colour(colour)
    await session.flush()
    after = {"name": tag.name, "colour": tag.colour}
    if after != before:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="tag.updated",
            target_type="tag",
            target_id=tag.id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return tag


async def delete_tag(session: AsyncSession, ctx: WorkspaceContext, tag: Tag) -> None:
    """Remove a tag from the workspace and from every idea that carries it."""
    workspace_service.require_staff(ctx)
    snapshot = {"name": tag.name, "colour": tag.colour}
    await session.delete(tag)
    await session.flush()
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="tag.deleted",
        target_type="tag",
        target_id=tag.id,
        before=snapshot,
        after=None,
    )


async def usage(session: AsyncSession, ctx: WorkspaceContext) -> dict[int, int]:
    return await repository.usage(session, ctx.workspace.id)


async def tag_idea(session: AsyncSession, ctx: WorkspaceContext, idea: Idea, tag: Tag) -> bool:
    """Staff put a tag on an idea (idempotent). Returns whether anything changed."""
    workspace_service.require_staff(ctx)
    current = await tags_by_idea(session, workspace_id=ctx.workspace.id, idea_ids=[idea.id])
    if any(t.id == tag.id for t in current.get(idea.id, [])):
        return False
    if len(current.get(idea.id, [])) >= MAX_PER_IDEA:
        raise Invalid.field("tag", f"an idea carries at most {MAX_PER_IDEA} tags")
    changed = await repository.add(session, ctx.workspace.id, idea.id, tag.id)
    if changed:
        await _touch(session, idea)
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="idea.tagged",
            target_type="idea",
            target_id=idea.id,
            before=None,
            after={"tag_id": tag.id, "tag": tag.name},
        )
    return changed


async def _touch(session: AsyncSession, idea: Idea) -> None:
    # Lists show an idea's tags: their change marker (ideas.updated_at) must move.
    idea.updated_at = datetime.now(UTC)
    await session.flush()


async def untag_idea(session: AsyncSession, ctx: WorkspaceContext, idea: Idea, tag: Tag) -> bool:
    workspace_service.require_staff(ctx)
    changed = await repository.remove(session, ctx.workspace.id, idea.id, tag.id)
    if changed:
        await _touch(session, idea)
    if changed:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="idea.untagged",
            target_type="idea",
            target_id=idea.id,
            before={"tag_id": tag.id, "tag": tag.name},
            after=None,
        )
    return changed


async def check_new_idea_tags(
    session: AsyncSession, ctx: WorkspaceContext, *, customers_can_tag: bool, tag_ids: list[int]
) -> list[Tag]:
    """The tags picked on a submission form, checked before anything is written: staff may always pick;
    customers only where the board allows it. Unknown ids are refused on the field "tags"."""
    if not tag_ids:
        return []
    if not (ctx.is_staff or customers_can_tag):
        raise Invalid.field("tags", "this board does not let you pick tags")
    unique = list(dict.fromkeys(tag_ids))
    if len(unique) > MAX_PER_IDEA:
        raise Invalid.field("tags", f"pick at most {MAX_PER_IDEA}")
    known = {t.id: t for t in await repository.list_tags(session, ctx.workspace.id)}
    if any(i not in known for i in unique):
        raise Invalid.field("tags", "includes a tag this workspace does not have")
    return [known[i] for i in unique]


async def attach_new_idea_tags(session: AsyncSession, ctx: WorkspaceContext, idea: Idea, tags: list[Tag]) -> None:
    for tag in tags:
        await repository.add(session, ctx.workspace.id, idea.id, tag.id)

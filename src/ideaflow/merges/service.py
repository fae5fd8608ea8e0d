"""Merging duplicate ideas: merge X into Y (votes, subscribers and tags move; someone who voted on both counts
once) and unmerge (X gets back exactly its own votes, by each vote's provenance).

The rules, exactly:

- **Merge X into Y** (staff). Each vote on X whose voter has no vote on Y moves to Y with
  `origin_idea_id` = its own origin, or X when it was cast on X: it now counts for Y, and remembers where it
  was cast. The votes of people who voted on both stay on X, so each person counts once on Y. X's followers
  follow Y too (a row they already have on Y, follow or explicit unfollow, is left alone); X's tags are put on
  Y. The `idea_merges` row records which followers and tags the merge added, so that unmerge removes exactly
  those. X gets `merged_into_id` = Y and `merged_at`; it leaves every list (`ideas.models.listed`), its page
  redirects to Y, and it accepts no votes. Both ideas' `vote_count` and trending score are recomputed from
  their rows, and their ranking scores refreshed.
- **Unmerge X** (staff). Every vote cast on X or on an idea merged into X (directly or through a chain) that
  now counts for an idea outside X's tree comes back to X: a vote cast on X loses its provenance, one cast on an
  idea merged into X keeps it (so unmerging that idea later gets it back). The followers and tags the merge
  added to its target are removed (explicit unfollows made since stay). Every idea a vote left is recounted.
- **Chains**: X into Y, then Y into Z moves X's votes (still marked "cast on X") on to Z. Unmerging X first
  brings them back from Z; unmerging Y first brings Y's and X's votes back to Y. In every order each idea's
  counter equals its +1 vote rows.
- **Refused**: merging an idea into itself, into an idea of another workspace or a deleted one, into an idea
  that is itself merged (merge into the idea it was merged into), in a way that would make a cycle, merging a
  deleted idea or one already merged (unmerge it first); unmerging an idea that is not merged.

Audited as "idea.merged" / "idea.unmerged" on the source idea, and announced as the outbox events
`idea.merged` / `idea.unmerged` {idea_id, number, board_id, actor_id, target_id, target_number}
(about X, so X's followers hear of it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow import outbox
from ideaflow.audit import service as audit
from ideaflow.errors import Conflict, Invalid, NotFound
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.ideas.schemas import NUMBER_MAX
from ideaflow.ideas.service import IdeaView
from ideaflow.merges import repository
from ideaflow.merges.models import IdeaMerge
from ideaflow.ranking import scoring
from ideaflow.ranking import service as ranking_service
from ideaflow.tags import service as tag_service
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext


def _event(idea: Idea, actor_id: int | None, target: Idea) -> dict:
    return {
        "idea_id": idea.id,
        "number": idea.number,
        "board_id": idea.board_id,
        "actor_id": actor_id,
        "target_id": target.id,
        "target_number": target.number,
    }


async def _recount(session: AsyncSession, workspace_id: int, ideas: dict[int, Idea | None]) -> None:
    """Counters, trending scores and ranking scores of these ideas, from their rows. `ideas` maps ids to the
    loaded objects (kept in step) or None."""
    ids = sorted(ideas)
    now = datetime.now(UTC)
    counts = await repository.recount(session, workspace_id, ids, now)
    half_life = await ranking_service.trending_half_life(session, workspace_id)
    times = await repository.trending_times(session, workspace_id, ids)
    scores = {i: scoring.trending_score(sorted(ts), half_life) for i, ts in times.items()}
    await repository.set_trending(session, workspace_id, scores)
    for idea_id, idea in ideas.items():
        if idea is not None:
            set_committed_value(idea, "vote_count", counts.get(idea_id, idea.vote_count))
            set_committed_value(idea, "trending_score", scores.get(idea_id, idea.trending_score))
            set_committed_value(idea, "updated_at", now)
    await ranking_service.refresh_scores(session, workspace_id=workspace_id, idea_ids=ids)


async def _check_merge(session: AsyncSession, ctx: WorkspaceContext, source: Idea, target: Idea, field: str) -> None:
    workspace_id = ctx.workspace.id
    if source.workspace_id != workspace_id:
        raise NotFound("No such idea.")
    if target.workspace_id != workspace_id:
        raise Invalid.field(field, "is not an idea of this workspace")
    if source.id == target.id:
        raise Invalid.field(field, "must be another idea: an idea cannot be merged into itself")
    if source.deleted_at is not None:
        raise Conflict(f"#{source.number} was deleted: a deleted idea cannot be merged.", code="idea_deleted")
    if source.merged_into_id is not None:
        parent = await repository.get_idea(session, workspace_id, source.merged_into_id)
        where = f" into #{parent.number}" if parent else ""
        raise Conflict(
            f"#{source.number} is already merged{where}: unmerge it first.",
            code="already_merged",
        )
    if target.deleted_at is not None:
        raise Invalid.field(field, f"must not be a deleted idea (#{target.number} was deleted)")
    if target.merged_into_id is not None:
        chain = await repository.merged_into_chain(session, workspace_id, target)
        if any(i.id == source.id for i in chain):
            raise Conflict(
                f"#{target.number} was merged into #{source.number}: merging back would make a cycle.",
                fields={field: "would make a cycle"},
                code="merge_cycle",
            )
        final = chain[-1] if chain else None
        hint = f"; merge into #{final.number} instead" if final is not None and final.merged_into_id is None else ""
        raise Conflict(
            f"#{target.number} is itself merged into another idea{hint}.",
            fields={field: f"must not be merged itself (#{target.number} is merged into another idea)"},
            code="target_merged",
        )


async def merge_ideas(
    session: AsyncSession, ctx: WorkspaceContext, *, source: Idea, target: Idea, field: str = "into"
) -> IdeaMerge:
    """Merge `source` into `target` (staff only). Raises Invalid/Conflict with a clear reason otherwise (`field`
    names the input that chose the target in those errors: "into" for our forms and API)."""
    workspace_service.require_staff(ctx)
    await _check_merge(session, ctx, source, target, field)
    workspace_id, actor_id = ctx.workspace.id, ctx.user.id
    now = datetime.now(UTC)
    moved = await repository.move_votes_to_target(session, workspace_id, source.id, target.id)
    followers = await repository.copy_followers(session, workspace_id, source.id, target.id, now)
    tags = await repository.copy_tags(session, workspace_id, source.id, target.id, now, most=tag_service.MAX_PER_IDEA)
    source.merged_into_id = target.id
    source.merged_at = now
    source.updated_at = now
    record = IdeaMerge(
        workspace_id=workspace_id,
        source_idea_id=source.id,
        target_idea_id=target.id,
        merged_by_id=actor_id,
        added_tag_ids=tags,
        added_subscriber_ids=followers,
        created_at=now,
    )
    session.add(record)
    await session.flush()
    await _recount(session, workspace_id, {source.id: source, target.id: target})
    await audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="idea.merged",
        target_type="idea",
        target_id=source.id,
        before={"number": source.number, "merged_into": None},
        after={
            "number": source.number,
            "merged_into": target.number,
            "merged_into_id": target.id,
            "votes_moved": moved,
            "followers_added": len(followers),
            "tag_ids_added": tags,
        },
    )
    await outbox.emit(session, type="idea.merged", workspace_id=workspace_id, payload=_event(source, actor_id, target))
    return record


async def unmerge(session: AsyncSession, ctx: WorkspaceContext, *, source: Idea) -> Idea:
    """Undo the merge of `source` (staff only): returns the idea it had been merged into."""
    workspace_service.require_staff(ctx)
    workspace_id, actor_id = ctx.workspace.id, ctx.user.id
    if source.workspace_id != workspace_id:
        raise NotFound("No such idea.")
    if source.merged_into_id is None:
        raise Conflict(f"#{source.number} is not merged into another idea.", code="not_merged")
    target = await repository.get_idea(session, workspace_id, source.merged_into_id)
    if target is None:
        raise NotFound("The idea this one was merged into no longer exists.")
    record = await repository.open_merge(session, workspace_id, source.id)
    tree = await repository.subtree_ids(session, workspace_id, source.id)
    holders = await repository.holders_of_votes_from(session, workspace_id, tree)
    moved = await repository.move_votes_back(session, workspace_id, tree, source.id)
    removed_followers = removed_tags = 0
    now = datetime.now(UTC)
    if record is not None:
        removed_followers = await repository.remove_followers(
            session, workspace_id, record.target_idea_id, record.added_subscriber_ids or []
        )
        removed_tags = await repository.remove_tags(
            session, workspace_id, record.target_idea_id, record.added_tag_ids or []
        )
        record.undone_at = now
        record.undone_by_id = actor_id
    source.merged_into_id = None
    source.merged_at = None
    source.updated_at = now
    await session.flush()
    affected: dict[int, Idea | None] = dict(await repository.ideas_by_id(session, workspace_id, holders))
    affected[target.id] = target
    affected[source.id] = source
    await _recount(session, workspace_id, affected)
    await audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=actor_id,
        action="idea.unmerged",
        target_type="idea",
        target_id=source.id,
        before={"number": source.number, "merged_into": target.number, "merged_into_id": target.id},
        after={
            "number": source.number,
            "merged_into": None,
            "votes_restored": moved,
            "followers_removed": removed_followers,
            "tags_removed": removed_tags,
        },
    )
    await outbox.emit(
        session, type="idea.unmerged", workspace_id=workspace_id, payload=_event(source, actor_id, target)
    )
    return target


# ---------------------------------------------------------------- reading: the merge state, picking a target

NUMBER = re.compile(r"^#?\s*(\d{1,10})$")
CANDIDATES_MAX = 8


def parse_number(value: str | int | None, *, name: str = "into") -> int:
    """An idea number typed by staff ("42" or "#42")."""
    if isinstance(value, int):
        number = value
    else:
        match = NUMBER.match((value or "").strip())
        if match is None:
            if not (value or "").strip():
                raise Invalid.field(name, "is required: type its number (e.g. 42) or search for it")
            raise Invalid.field(name, "must be an idea number, e.g. 42 (pick one from the search results)")
        number = int(match.group(1))
    if not 1 <= number <= NUMBER_MAX:
        raise Invalid.field(name, f"must be the number of an existing idea (there is no #{number})")
    return number


async def target_by_number(session: AsyncSession, ctx: WorkspaceContext, value: str | int | None) -> Idea:
    """The idea staff chose to merge into, by its number; an unknown number is an error on the field `into`."""
    workspace_service.require_staff(ctx)
    number = parse_number(value)
    try:
        return (await idea_service.get_idea(session, ctx, number, with_voted=False)).idea
    except NotFound:
        raise Invalid.field("into", f"must be the number of an existing idea (there is no #{number})") from None


@dataclass
class MergeState:
    """What the idea page and the API say about an idea's merges."""

    idea: Idea
    merged_into: Idea | None = None
    final: Idea | None = None
    merged_here: list[Idea] = dataclass_field(default_factory=list)

    @property
    def is_merged(self) -> bool:
        return self.merged_into is not None


async def merge_state(session: AsyncSession, ctx: WorkspaceContext, idea: Idea) -> MergeState:
    """The idea it was merged into (and the end of that chain) and the ideas merged into it: one query, plus
    one per step of a chain when it is merged."""
    workspace_id = ctx.workspace.id
    chain = await repository.merged_into_chain(session, workspace_id, idea) if idea.merged_into_id else []
    return MergeState(
        idea=idea,
        merged_into=chain[0] if chain else None,
        final=chain[-1] if chain else None,
        merged_here=await repository.merged_in(session, workspace_id, idea.id),
    )


async def candidates(session: AsyncSession, ctx: WorkspaceContext, *, source: Idea, query: str) -> list[IdeaView]:
    """Ideas `source` could be merged into, for a search typed by staff: the idea with that number ("42",
    "#42") first, then ideas whose titles share words with it. Never the idea itself, nor merged or deleted
    ideas."""
    workspace_service.require_staff(ctx)
    query = " ".join((query or "").split())[:140]
    if not query:
        return []
    found: list[IdeaView] = []
    match = NUMBER.match(query)
    if match is not None and 1 <= int(match.group(1)) <= NUMBER_MAX:
        try:
            exact = await idea_service.get_idea(session, ctx, int(match.group(1)), with_voted=False)
        except NotFound:
            exact = None
        if exact is not None and exact.idea.merged_into_id is None:
            found.append(exact)
    if len(query) >= 2 and match is None:
        found += await idea_service.similar_ideas(session, ctx, title=query, limit=CANDIDATES_MAX + 1)
    seen: set[int] = set()
    picked = []
    for view in found:
        if view.idea.id in seen or view.idea.id == source.id:
            continue
        seen.add(view.idea.id)
        picked.append(view)
    return picked[:CANDIDATES_MAX]

"""Queries for merges: moving votes by provenance, copying followers and tags, recounting from rows, and the
merge history of an idea. Every query carries the workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.ideas.models import Idea
from ideaflow.merges.models import IdeaMerge
from ideaflow.notifications.models import Subscription
from ideaflow.tags.models import IdeaTag
from ideaflow.votes.models import Vote


def _insert(session: AsyncSession, table):
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    return (sqlite if dialect == "sqlite" else postgresql).insert(table)


# ---------------------------------------------------------------- ideas


async def get_idea(session: AsyncSession, workspace_id: int, idea_id: int) -> Idea | None:
    return await session.scalar(select(Idea).where(Idea.workspace_id == workspace_id, Idea.id == idea_id))


async def ideas_by_id(session: AsyncSession, workspace_id: int, idea_ids: set[int]) -> dict[int, Idea]:
    if not idea_ids:
        return {}
    result = await session.scalars(select(Idea).where(Idea.workspace_id == workspace_id, Idea.id.in_(idea_ids)))
    return {i.id: i for i in result}


async def get_by_number(session: AsyncSession, workspace_id: int, number: int) -> Idea | None:
    return await session.scalar(select(Idea).where(Idea.workspace_id == workspace_id, Idea.number == number))


async def merged_into_chain(session: AsyncSession, workspace_id: int, idea: Idea, *, limit: int = 50) -> list[Idea]:
    """The ideas `idea` was merged into, nearest first, up to the one that is not merged (a short walk: merging
    into a merged idea is refused, so chains only grow when a target is merged on later)."""
    chain: list[Idea] = []
    current = idea
    while current.merged_into_id is not None and len(chain) < limit:
        parent = await get_idea(session, workspace_id, current.merged_into_id)
        if parent is None or parent in chain:
            break
        chain.append(parent)
        current = parent
    return chain


async def subtree_ids(session: AsyncSession, workspace_id: int, root_id: int) -> set[int]:
    """`root_id` and every idea merged into it, directly or through other merged ideas (one recursive query)."""
    tree = select(Idea.id).where(Idea.workspace_id == workspace_id, Idea.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Idea.id).where(Idea.workspace_id == workspace_id, Idea.merged_into_id == tree.c.id))
    return set(await session.scalars(select(tree.c.id)))


async def merged_in(session: AsyncSession, workspace_id: int, target_id: int) -> list[Idea]:
    """The ideas merged directly into `target_id`, most recent first."""
    result = await session.scalars(
        select(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.merged_into_id == target_id, Idea.deleted_at.is_(None))
        .order_by(Idea.merged_at.desc(), Idea.id.desc())
    )
    return list(result)


# ---------------------------------------------------------------- votes


async def move_votes_to_target(session: AsyncSession, workspace_id: int, source_id: int, target_id: int) -> int:
    """Move the votes on `source_id` whose voter has no vote on `target_id`; each keeps its provenance (the idea
    it was cast on). The others stay where they are: their voter counts once on the target already."""
    on_target = select(Vote.user_id).where(Vote.workspace_id == workspace_id, Vote.idea_id == target_id)
    result = await session.execute(
        update(Vote)
        .where(Vote.workspace_id == workspace_id, Vote.idea_id == source_id, Vote.user_id.not_in(on_target))
        .values(idea_id=target_id, origin_idea_id=func.coalesce(Vote.origin_idea_id, source_id))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def holders_of_votes_from(session: AsyncSession, workspace_id: int, origin_ids: set[int]) -> set[int]:
    """The ideas outside `origin_ids` holding votes that were cast on one of `origin_ids`."""
    result = await session.scalars(
        select(Vote.idea_id)
        .where(
            Vote.workspace_id == workspace_id,
            Vote.origin_idea_id.in_(origin_ids),
            Vote.idea_id.not_in(origin_ids),
        )
        .distinct()
    )
    return set(result)


async def move_votes_back(session: AsyncSession, workspace_id: int, origin_ids: set[int], root_id: int) -> int:
    """Bring back to `root_id` every vote cast on one of `origin_ids` (the root and the ideas merged into it)
    that now counts for an idea outside them. A vote cast on the root is its own again (no provenance); one
    cast on an idea merged into the root keeps it, so that unmerging that idea later finds it."""
    on_root = select(Vote.user_id).where(Vote.workspace_id == workspace_id, Vote.idea_id == root_id)
    result = await session.execute(
        update(Vote)
        .where(
            Vote.workspace_id == workspace_id,
            Vote.origin_idea_id.in_(origin_ids),
            Vote.idea_id.not_in(origin_ids),
            Vote.user_id.not_in(on_root),
        )
        .values(
            idea_id=root_id,
            origin_idea_id=case((Vote.origin_idea_id == root_id, None), else_=Vote.origin_idea_id),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def recount(session: AsyncSession, workspace_id: int, idea_ids: Sequence[int], at: datetime) -> dict[int, int]:
    """Set each idea's vote_count to its +1 vote rows, and `updated_at` (lists show the count: their change
    marker must move); returns {idea_id: vote_count}."""
    ids = list(idea_ids)
    if not ids:
        return {}
    count = (
        select(func.count())
        .select_from(Vote)
        .where(Vote.workspace_id == workspace_id, Vote.idea_id == Idea.id, Vote.value == 1)
        .scalar_subquery()
    )
    rows = await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.id.in_(ids))
        .values(vote_count=count, updated_at=at)
        .returning(Idea.id, Idea.vote_count)
        .execution_options(synchronize_session=False)
    )
    return {i: n for i, n in rows}


async def trending_times(
    session: AsyncSession, workspace_id: int, idea_ids: Sequence[int]
) -> dict[int, list[datetime]]:
    """Each idea's creation time followed by its +1 votes' times: what its trending score sums over."""
    ids = list(idea_ids)
    created = await session.execute(
        select(Idea.id, Idea.created_at).where(Idea.workspace_id == workspace_id, Idea.id.in_(ids))
    )
    times: dict[int, list[datetime]] = {i: [at] for i, at in created}
    votes = await session.execute(
        select(Vote.idea_id, Vote.created_at).where(
            Vote.workspace_id == workspace_id, Vote.idea_id.in_(ids), Vote.value == 1
        )
    )
    for idea_id, at in votes:
        times[idea_id].append(at)
    return times


async def set_trending(session: AsyncSession, workspace_id: int, scores: dict[int, float]) -> None:
    for idea_id, score in scores.items():
        await session.execute(
            update(Idea)
            .where(Idea.workspace_id == workspace_id, Idea.id == idea_id)
            .values(trending_score=score)
            .execution_options(synchronize_session=False)
        )


# ---------------------------------------------------------------- followers and tags


async def copy_followers(
    session: AsyncSession, workspace_id: int, source_id: int, target_id: int, at: datetime
) -> list[int]:
    """Make the followers of `source_id` follow `target_id`, unless they have any row on the target (a follow
    stays as it is; an explicit unfollow is never turned into a follow). Returns the users added."""
    rows = (
        await session.execute(
            select(Subscription.user_id, Subscription.reason).where(
                Subscription.workspace_id == workspace_id,
                Subscription.idea_id == source_id,
                Subscription.unsubscribed.is_(False),
                Subscription.user_id.not_in(
                    select(Subscription.user_id).where(
                        Subscription.workspace_id == workspace_id, Subscription.idea_id == target_id
                    )
                ),
            )
        )
    ).all()
    if not rows:
        return []
    values = [
        {
            "workspace_id": workspace_id,
            "user_id": user_id,
            "idea_id": target_id,
            "reason": getattr(reason, "value", reason),
            "unsubscribed": False,
            "created_at": at,
        }
        for user_id, reason in rows
    ]
    stmt = (
        _insert(session, Subscription.__table__)
        .values(values)
        .on_conflict_do_nothing(index_elements=["user_id", "idea_id"])
        .returning(Subscription.__table__.c.user_id)
    )
    return sorted(await session.scalars(stmt))


async def remove_followers(session: AsyncSession, workspace_id: int, target_id: int, user_ids: Sequence[int]) -> int:
    """Remove the follows a merge added, leaving explicit unfollows made since in place."""
    if not user_ids:
        return 0
    result = await session.execute(
        delete(Subscription)
        .where(
            Subscription.workspace_id == workspace_id,
            Subscription.idea_id == target_id,
            Subscription.user_id.in_(list(user_ids)),
            Subscription.unsubscribed.is_(False),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def copy_tags(
    session: AsyncSession, workspace_id: int, source_id: int, target_id: int, at: datetime, *, most: int
) -> list[int]:
    """Put the source's tags on the target where missing, as long as the target carries at most `most` tags;
    returns the tags added."""
    on_target = await session.scalar(
        select(func.count())
        .select_from(IdeaTag)
        .where(IdeaTag.workspace_id == workspace_id, IdeaTag.idea_id == target_id)
    )
    missing = list(
        await session.scalars(
            select(IdeaTag.tag_id)
            .where(
                IdeaTag.workspace_id == workspace_id,
                IdeaTag.idea_id == source_id,
                IdeaTag.tag_id.not_in(
                    select(IdeaTag.tag_id).where(IdeaTag.workspace_id == workspace_id, IdeaTag.idea_id == target_id)
                ),
            )
            .order_by(IdeaTag.tag_id)
        )
    )[: max(0, most - (on_target or 0))]
    if not missing:
        return []
    stmt = (
        _insert(session, IdeaTag.__table__)
        .values(
            [
                {"workspace_id": workspace_id, "idea_id": target_id, "tag_id": tag_id, "created_at": at}
                for tag_id in missing
            ]
        )
        .on_conflict_do_nothing(index_elements=["idea_id", "tag_id"])
        .returning(IdeaTag.__table__.c.tag_id)
    )
    return sorted(await session.scalars(stmt))


async def remove_tags(session: AsyncSession, workspace_id: int, target_id: int, tag_ids: Sequence[int]) -> int:
    if not tag_ids:
        return 0
    result = await session.execute(
        delete(IdeaTag)
        .where(IdeaTag.workspace_id == workspace_id, IdeaTag.idea_id == target_id, IdeaTag.tag_id.in_(list(tag_ids)))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# ---------------------------------------------------------------- merge records


async def open_merge(session: AsyncSession, workspace_id: int, source_id: int) -> IdeaMerge | None:
    """The merge of `source_id` that has not been undone (its latest)."""
    return await session.scalar(
        select(IdeaMerge)
        .where(
            IdeaMerge.workspace_id == workspace_id,
            IdeaMerge.source_idea_id == source_id,
            IdeaMerge.undone_at.is_(None),
        )
        .order_by(IdeaMerge.id.desc())
        .limit(1)
    )

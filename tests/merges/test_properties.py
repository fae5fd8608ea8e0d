"""Property: any sequence of votes, unvotes, merges and unmerges (over four ideas and five people, on the real
database) keeps every idea's vote_count equal to its +1 vote rows and its trending score equal to the one
computed from its rows, and leaves every vote exactly where the documented rules put it; unmerging an idea
gives back exactly the votes whose provenance is that idea."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ideaflow.errors import Conflict, Invalid
from ideaflow.ideas.models import Idea
from ideaflow.merges import service
from ideaflow.ranking import scoring
from ideaflow.ranking import service as ranking_service
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_idea, make_user, make_workspace, owner_context
from tests.merges.helpers import unvote, vote

IDEAS, PEOPLE = 4, 5
ACTIONS = ["vote", "vote", "unvote", "merge", "merge", "unmerge", "unmerge", "anything"]


def draw_step(data, model: Model) -> tuple:
    """One step. Merges and unmerges are drawn among the moves the rules allow most of the time (so chains,
    X into Y then Y into Z, and unmerging them in every order, come up often); "anything" draws any merge or
    unmerge, mostly refused ones."""
    action = data.draw(st.sampled_from(ACTIONS))
    ideas = range(IDEAS)
    roots = [i for i in ideas if model.parent[i] is None]
    merged = [i for i in ideas if model.parent[i] is not None]
    if action in ("vote", "unvote"):
        p, i = data.draw(st.integers(0, PEOPLE - 1)), data.draw(st.integers(0, IDEAS - 1))
        return (action, p, i, data.draw(st.sampled_from([1, 1, -1])))
    if action == "merge" and len(roots) >= 2:
        x = data.draw(st.sampled_from(roots))
        return ("merge", x, data.draw(st.sampled_from([i for i in roots if i != x])))
    if action == "unmerge" and merged:
        return ("unmerge", data.draw(st.sampled_from(merged)))
    if data.draw(st.booleans()):
        return ("merge", data.draw(st.integers(0, IDEAS - 1)), data.draw(st.integers(0, IDEAS - 1)))
    return ("unmerge", data.draw(st.integers(0, IDEAS - 1)))


class Model:
    """The rules of merges.service, written out plainly: votes[(idea, person)] = (value, origin)."""

    def __init__(self) -> None:
        self.votes: dict[tuple[int, int], tuple[int, int | None]] = {}
        self.parent: dict[int, int | None] = dict.fromkeys(range(IDEAS))

    def vote(self, p: int, i: int, value: int) -> None:
        _, origin = self.votes.get((i, p), (value, None))
        self.votes[(i, p)] = (value, origin)

    def unvote(self, p: int, i: int) -> None:
        self.votes.pop((i, p), None)

    def merge(self, x: int, y: int) -> None:
        for (i, p), (value, origin) in list(self.votes.items()):
            if i == x and (y, p) not in self.votes:
                del self.votes[(i, p)]
                self.votes[(y, p)] = (value, x if origin is None else origin)
        self.parent[x] = y

    def tree(self, root: int) -> set[int]:
        found, grew = {root}, True
        while grew:
            more = {i for i, parent in self.parent.items() if parent in found} - found
            found |= more
            grew = bool(more)
        return found

    def unmerge(self, x: int) -> None:
        tree = self.tree(x)
        for (i, p), (value, origin) in list(self.votes.items()):
            if origin in tree and i not in tree and (x, p) not in self.votes:
                del self.votes[(i, p)]
                self.votes[(x, p)] = (value, None if origin == x else origin)
        self.parent[x] = None


async def _check(session, workspace_id: int, ideas: list[Idea], people, model: Model) -> None:
    ids = {i.id: n for n, i in enumerate(ideas)}
    users = {u.id: n for n, u in enumerate(people)}
    rows = (
        await session.execute(
            select(Vote.idea_id, Vote.user_id, Vote.value, Vote.origin_idea_id, Vote.created_at).where(
                Vote.workspace_id == workspace_id
            )
        )
    ).all()
    actual = {(ids[i], users[u]): (v, None if o is None else ids[o]) for i, u, v, o, _ in rows}
    assert actual == model.votes
    half_life = await ranking_service.trending_half_life(session, workspace_id)
    stored = await session.execute(
        select(Idea.id, Idea.vote_count, Idea.trending_score, Idea.created_at, Idea.merged_into_id).where(
            Idea.workspace_id == workspace_id
        )
    )
    for idea_id, count, score, created_at, merged_into in stored:
        n = ids[idea_id]
        times = [at for i, _, v, _, at in rows if i == idea_id and v == 1]
        assert count == len(times), f"idea {n}: vote_count {count} but {len(times)} +1 rows"
        expected = scoring.trending_score(sorted([created_at, *times]), half_life)
        assert math.isclose(score, expected, rel_tol=0, abs_tol=1e-6), f"idea {n}: trending {score} != {expected}"
        assert (None if merged_into is None else ids[merged_into]) == model.parent[n]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first_votes=st.lists(st.tuples(st.integers(0, PEOPLE - 1), st.integers(0, IDEAS - 1)), max_size=12),
    length=st.integers(6, 18),
    data=st.data(),
)
async def test_counters_and_provenance_stay_exact_under_any_sequence(session, first_votes, length, data):
    workspace = await make_workspace(session)
    owner = await owner_context(session, workspace)
    staff_user = await make_user(session)
    await add_member(session, workspace, staff_user, Role.staff)
    staff = await context(session, workspace, staff_user)
    ideas = [await make_idea(session, workspace, title=f"Duplicate request {n}") for n in range(IDEAS)]
    await ranking_service.set_board_options(
        session, owner, board_id=ideas[0].board_id, options=ranking_service.BoardOptions(downvotes_enabled=True)
    )
    people = [await make_user(session) for _ in range(PEOPLE)]
    model = Model()

    for n in range(len(first_votes) + length):
        action, *args = ("vote", *first_votes[n], 1) if n < len(first_votes) else draw_step(data, model)
        if action in ("vote", "unvote"):
            p, i = args[0], args[1]
            try:
                if action == "vote":
                    await vote(session, workspace, people[p], ideas[i], value=args[2])
                else:
                    await unvote(session, workspace, people[p], ideas[i])
            except Conflict:
                assert model.parent[i] is not None, "only a merged idea refuses votes"
            else:
                assert model.parent[i] is None, "a merged idea accepted a vote"
                model.vote(p, i, args[2]) if action == "vote" else model.unvote(p, i)
        elif action == "merge":
            x, y = args
            refused = x == y or model.parent[x] is not None or model.parent[y] is not None
            try:
                await service.merge_ideas(session, staff, source=ideas[x], target=ideas[y])
            except (Invalid, Conflict):
                assert refused, f"merging {x} into {y} was refused"
            else:
                assert not refused, f"merging {x} into {y} was allowed"
                model.merge(x, y)
        else:
            (x,) = args
            cast_here = {
                u
                for u, o in await session.execute(
                    select(Vote.user_id, Vote.origin_idea_id).where(Vote.origin_idea_id == ideas[x].id)
                )
            }
            try:
                await service.unmerge(session, staff, source=ideas[x])
            except Conflict:
                assert model.parent[x] is None
            else:
                assert model.parent[x] is not None
                model.unmerge(x)
                back = await session.execute(
                    select(Vote.user_id, Vote.origin_idea_id).where(Vote.idea_id == ideas[x].id)
                )
                # Every vote cast on X is on X again, as X's own.
                assert cast_here <= {u for u, origin in back if origin is None}
        await _check(session, workspace.id, ideas, people, model)

"""Ranking: JSON API — ranked lists and score breakdowns for staff, ranking settings, customer attributes,
priority inputs, and the pairwise survey (next pair, comparisons, results)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.boards import service as board_service
from ideaflow.config import get_settings
from ideaflow.db import ID_MAX, SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.ranking import pairwise, repository, service
from ideaflow.ranking.schemas import (
    BoardRankingRead,
    BoardRankingWrite,
    BreakdownLineRead,
    ComparisonRead,
    ComparisonWrite,
    CustomerPage,
    CustomerRead,
    CustomerWrite,
    FactorRead,
    PairIdeaRead,
    PairRead,
    PairwiseRead,
    PairwiseRowRead,
    PriorityWrite,
    RankedIdeaRead,
    RankedPageRead,
    Ranking,
    RankingSettingsRead,
    RankingSettingsWrite,
    ScoreRead,
)
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep

router = APIRouter(tags=["ranking"])


@router.get("/{workspace}/ranking", response_model=RankedPageRead, summary="Ideas ranked (staff)")
async def ranked(
    ctx: StaffWorkspaceDep,
    session: SessionDep,
    ranking: Ranking = "top",
    board: Annotated[str | None, Query(max_length=40)] = None,
    status_key: Annotated[str | None, Query(alias="status", max_length=32)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 50,
) -> RankedPageRead:
    page = await service.ranked_ideas(
        session, ctx, ranking=ranking, board_slug=board, status=status_key, cursor=cursor, limit=limit
    )
    return RankedPageRead(
        ranking=page.ranking,
        next_cursor=page.next_cursor,
        items=[
            RankedIdeaRead(
                number=r.idea.number,
                title=r.idea.title,
                board=r.board.slug,
                status=str(r.idea.status),
                votes=r.idea.vote_count,
                downvotes=r.downvotes,
                trending_score=r.idea.trending_score,
                confidence=r.confidence,
                demand=r.demand,
                priority=r.priority,
                pairwise_score=r.pairwise,
                created_at=r.idea.created_at,
            )
            for r in page.rows
        ],
    )


def _score_read(number: int, b: service.ScoreBreakdown) -> ScoreRead:
    return ScoreRead(
        number=number,
        votes=b.votes,
        downvotes=b.downvotes,
        demand=b.demand,
        confidence=b.confidence,
        priority=b.priority,
        priority_method=b.priority_method,
        pairwise_score=b.pairwise_score,
        pairwise_comparisons=b.pairwise_comparisons,
        demand_by_segment=b.segments,
        demand_lines=[BreakdownLineRead(label=x.label, value=x.value, detail=x.detail) for x in b.demand_lines],
        priority_lines=[BreakdownLineRead(label=x.label, value=x.value, detail=x.detail) for x in b.priority_lines],
        inputs=b.inputs,
    )


@router.get("/{workspace}/ideas/{number}/score", response_model=ScoreRead, summary="Why this score (staff)")
async def idea_score(number: int, ctx: StaffWorkspaceDep, session: SessionDep) -> ScoreRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return _score_read(number, await service.breakdown(session, ctx, idea=view.idea))


@router.put("/{workspace}/ideas/{number}/priority", response_model=ScoreRead, summary="Set priority inputs (staff)")
async def set_priority(number: int, body: PriorityWrite, ctx: StaffWorkspaceDep, session: SessionDep) -> ScoreRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    await service.set_priority_inputs(
        session,
        ctx,
        idea=view.idea,
        impact=body.impact,
        confidence=body.confidence,
        effort=body.effort,
        factors=body.factors,
    )
    return _score_read(number, await service.breakdown(session, ctx, idea=view.idea))


def _settings_read(s: service.RankingSettings) -> RankingSettingsRead:
    return RankingSettingsRead(
        trending_half_life_hours=s.half_life_hours,
        custom_half_life=s.custom_half_life,
        importance_weights=dict(s.weights.importance),
        segment_weights=dict(s.weights.segments),
        revenue_weight=s.weights.revenue_weight,
        revenue_reference=s.weights.revenue_reference_cents / 100,
        priority_method=s.priority_method,
        scorecard=[FactorRead(key=f.key, name=f.name, weight=f.weight) for f in s.factors],
    )


@router.get("/{workspace}/ranking/settings", response_model=RankingSettingsRead, summary="Ranking settings (staff)")
async def get_ranking_settings(ctx: StaffWorkspaceDep, session: SessionDep) -> RankingSettingsRead:
    return _settings_read(await service.ranking_settings(session, ctx.workspace.id))


@router.put("/{workspace}/ranking/settings", response_model=RankingSettingsRead, summary="Change ranking settings")
async def put_ranking_settings(
    body: RankingSettingsWrite, ctx: StaffWorkspaceDep, session: SessionDep
) -> RankingSettingsRead:
    """Changing weights recomputes every idea's stored demand and priority; changing the half-life recomputes
    stored trending scores (inline for small workspaces, in bounded background batches beyond)."""
    saved = await service.update_settings(
        session,
        ctx,
        half_life_hours=body.trending_half_life_hours,
        importance_weights=body.importance_weights,
        segment_weights=body.segment_weights,
        revenue_weight=body.revenue_weight,
        revenue_reference_cents=round(body.revenue_reference * 100),
        priority_method=body.priority_method,
        scorecard=[f.model_dump() for f in body.scorecard],
    )
    return _settings_read(saved)


@router.get(
    "/{workspace}/boards/{board}/ranking-settings", response_model=BoardRankingRead, summary="Board voting options"
)
async def get_board_ranking(board: str, ctx: StaffWorkspaceDep, session: SessionDep) -> BoardRankingRead:
    found = await board_service.get_board(session, ctx, board)
    o = await service.board_options(session, found.id)
    return BoardRankingRead(
        importance_enabled=o.importance_enabled,
        downvotes_enabled=o.downvotes_enabled,
        pairwise_enabled=o.pairwise_enabled,
    )


@router.put(
    "/{workspace}/boards/{board}/ranking-settings", response_model=BoardRankingRead, summary="Change board options"
)
async def put_board_ranking(
    board: str, body: BoardRankingWrite, ctx: StaffWorkspaceDep, session: SessionDep
) -> BoardRankingRead:
    found = await board_service.get_board(session, ctx, board)
    await service.set_board_options(session, ctx, board_id=found.id, options=service.BoardOptions(**body.model_dump()))
    return BoardRankingRead(**body.model_dump())


# Customers


def _customer_read(profile, user) -> CustomerRead:
    cents = profile.monthly_revenue_cents
    return CustomerRead(
        user_id=user.id,
        email=user.email,
        name=user.name,
        segment=profile.segment,
        monthly_revenue=None if cents is None else cents / 100,
        company_name=profile.company_name,
        company_external_id=profile.company_external_id,
        source=profile.source,
        updated_at=profile.updated_at,
    )


@router.get("/{workspace}/customers", response_model=CustomerPage, summary="Customer attributes (staff)")
async def list_customers(
    ctx: StaffWorkspaceDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=ID_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> CustomerPage:
    rows = await repository.list_profiles(session, ctx.workspace.id, after_id=after, limit=limit + 1)
    items = [_customer_read(p, u) for p, u in rows[:limit]]
    return CustomerPage(items=items, next_cursor=rows[limit - 1][0].id if len(rows) > limit else None)


@router.put("/{workspace}/customers/{user}", response_model=CustomerRead, summary="Set a customer's attributes")
async def put_customer(user: str, body: CustomerWrite, ctx: StaffWorkspaceDep, session: SessionDep) -> CustomerRead:
    """`user` is a user id or an email address. Recomputes the demand of every idea they voted for."""
    target = await service.find_customer(session, user, workspace_id=ctx.workspace.id)
    profile = await service.record_customer_attributes(
        session,
        workspace_id=ctx.workspace.id,
        user_id=target.id,
        segment=body.segment,
        monthly_revenue=body.monthly_revenue,
        company_name=body.company_name,
        company_external_id=body.company_external_id,
        source="api",
    )
    return _customer_read(profile, target)


# Pairwise survey


@router.get("/{workspace}/boards/{board}/pairs/next", response_model=PairRead | None, summary="The next pair to judge")
async def next_pair(board: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> PairRead | None:
    """Two ideas to compare, or null when the caller has judged every pair on offer."""
    found = await pairwise.get_board_for_survey(session, ctx, board)
    pair = await pairwise.next_pair(session, ctx, found)
    if pair is None:
        return None
    return PairRead(
        left=PairIdeaRead(id=pair.left.id, number=pair.left.number, title=pair.left.title),
        right=PairIdeaRead(id=pair.right.id, number=pair.right.number, title=pair.right.title),
    )


@router.post(
    "/{workspace}/boards/{board}/comparisons",
    response_model=ComparisonRead,
    status_code=status.HTTP_201_CREATED,
    summary="Say which of two ideas matters more",
)
async def compare(
    request: Request, board: str, body: ComparisonWrite, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> ComparisonRead:
    await rate_limit(request, "compare", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
    found = await pairwise.get_board_for_survey(session, ctx, board)
    c = await pairwise.compare(
        session, ctx, found, left_id=body.left_idea_id, right_id=body.right_idea_id, outcome=body.outcome
    )
    return ComparisonRead(
        id=c.id, left_idea_id=c.left_idea_id, right_idea_id=c.right_idea_id, outcome=c.outcome, created_at=c.created_at
    )


@router.get("/{workspace}/boards/{board}/pairwise", response_model=PairwiseRead, summary="Pairwise results")
async def pairwise_results(
    board: str, ctx: WorkspaceDep, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> PairwiseRead:
    found = await pairwise.get_board_for_survey(session, ctx, board)
    res = await pairwise.results(session, ctx, found, limit=limit)
    return PairwiseRead(
        items=[
            PairwiseRowRead(number=r.idea.number, title=r.idea.title, score=r.score, comparisons=r.comparisons)
            for r in res.rows
        ],
        comparisons=res.fit.comparisons if res.fit else 0,
        fitted_at=res.fit.fitted_at if res.fit else None,
        converged=res.fit.converged if res.fit else False,
    )

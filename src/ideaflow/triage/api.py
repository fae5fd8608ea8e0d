"""The staff triage inbox: api. The inbox with its counts and response times, the counts alone, and one action
on one or more ideas (the same service the inbox page calls)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.ideas.schemas import AuthorRead, BoardRef, TagRef
from ideaflow.triage import service
from ideaflow.triage.schemas import (
    CountsRead,
    InboxItemRead,
    InboxRead,
    ResponseTimesRead,
    TriageAction,
    TriageOutcome,
)
from ideaflow.triage.service import InboxView
from ideaflow.workspaces.dependencies import StaffWorkspaceDep

router = APIRouter(tags=["triage"])


def _seconds(delta) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


@router.get(
    "/{workspace}/triage",
    response_model=InboxRead,
    summary="The triage inbox: untriaged ideas (or those awaiting approval), oldest first, with response times (staff)",
)
async def get_inbox(
    ctx: StaffWorkspaceDep,
    session: SessionDep,
    view: InboxView = InboxView.untriaged,
    limit: Annotated[int, Query(ge=1, le=service.BULK_MAX, description="How many of the oldest to return.")] = (
        service.PAGE_SIZE
    ),
) -> InboxRead:
    found = await service.inbox(session, ctx, view=view, limit=limit)
    base = f"{get_settings().base_url.rstrip('/')}/{ctx.workspace.slug}/ideas/"
    return InboxRead(
        view=found.view,
        items=[
            InboxItemRead(
                number=r.idea.number,
                title=r.idea.title,
                board=BoardRef(slug=r.board.slug, name=r.board.name),
                author=AuthorRead(id=r.idea.author_id, name=r.author_name),
                status=r.idea.status,
                vote_count=r.idea.vote_count,
                comment_count=r.idea.comment_count,
                tags=[TagRef(id=t.id, name=t.name, colour=t.colour) for t in r.tags],
                created_at=r.idea.created_at,
                waited_seconds=int(r.waited(found.now).total_seconds()),
                url=f"{base}{r.idea.number}",
            )
            for r in found.rows
        ],
        total=found.total,
        untriaged=found.counts.untriaged,
        awaiting_approval=found.counts.awaiting_approval,
        response_times=ResponseTimesRead(
            window_days=service.WINDOW.days,
            answered=found.times.answered,
            median_seconds=_seconds(found.times.median),
            p90_seconds=_seconds(found.times.p90),
        ),
    )


@router.get("/{workspace}/triage/counts", response_model=CountsRead, summary="The triage inbox's counts (staff)")
async def get_counts(ctx: StaffWorkspaceDep, session: SessionDep) -> CountsRead:
    counts = await service.counts(session, ctx)
    return CountsRead(untriaged=counts.untriaged, awaiting_approval=counts.awaiting_approval)


@router.post(
    "/{workspace}/triage/actions",
    response_model=TriageOutcome,
    summary="Answer, tag, merge or approve one or more ideas at once; all of them or none (staff)",
)
async def act(payload: TriageAction, ctx: StaffWorkspaceDep, session: SessionDep) -> TriageOutcome:
    outcome = await service.apply(
        session,
        ctx,
        action=payload.action,
        numbers=service.clean_numbers(payload.ideas),
        status=payload.status,
        response=payload.response,
        tag_id=payload.tag_id,
        target=payload.target,
    )
    counts = await service.counts(session, ctx)
    return TriageOutcome(
        action=outcome.action, ideas=outcome.numbers, message=outcome.message, untriaged=counts.untriaged
    )

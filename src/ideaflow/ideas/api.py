"""Idea API: list (sort, filter, search, cursor pages), create, read, update, delete, similar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ideaflow.boards import service as board_service
from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.ideas import service
from ideaflow.ideas.models import IdeaStatus
from ideaflow.ideas.schemas import (
    AuthorRead,
    BoardRef,
    IdeaCreate,
    IdeaPageRead,
    IdeaRead,
    IdeaSort,
    IdeaUpdate,
)
from ideaflow.ideas.service import IdeaView
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["ideas"])


def idea_read(view: IdeaView, workspace_slug: str) -> IdeaRead:
    idea = view.idea
    return IdeaRead(
        id=idea.id,
        number=idea.number,
        title=idea.title,
        body=idea.body,
        body_html=idea.body_html,
        status=idea.status,
        board=BoardRef(slug=view.row.board.slug, name=view.row.board.name),
        author=AuthorRead(id=idea.author_id, name=view.row.author_name),
        vote_count=idea.vote_count,
        comment_count=idea.comment_count,
        voted=view.voted,
        url=f"{get_settings().base_url.rstrip('/')}/{workspace_slug}/ideas/{idea.number}",
        created_at=idea.created_at,
        updated_at=idea.updated_at,
    )


@router.get("/{workspace}/ideas", response_model=IdeaPageRead, summary="List ideas")
async def list_ideas(
    ctx: WorkspaceDep,
    session: SessionDep,
    board: Annotated[str | None, Query(max_length=40, description="Only this board (slug).")] = None,
    sort: IdeaSort = IdeaSort.top,
    status_: Annotated[IdeaStatus | None, Query(alias="status")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search.")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> IdeaPageRead:
    found = await board_service.get_board(session, ctx, board) if board else None
    page = await service.list_ideas(
        session, ctx, board=found, sort=sort, status=status_, query=q, cursor=cursor, limit=limit
    )
    return IdeaPageRead(items=[idea_read(v, ctx.workspace.slug) for v in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{workspace}/ideas/similar", response_model=list[IdeaRead], summary="Existing ideas similar to a title being typed"
)
async def similar_ideas(
    ctx: WorkspaceDep,
    session: SessionDep,
    title: Annotated[str, Query(min_length=1, max_length=140)],
    board: Annotated[str | None, Query(max_length=40)] = None,
) -> list[IdeaRead]:
    found = await board_service.get_board(session, ctx, board) if board else None
    views = await service.similar_ideas(session, ctx, title=title, board=found)
    return [idea_read(v, ctx.workspace.slug) for v in views]


@router.post(
    "/{workspace}/ideas", response_model=IdeaRead, status_code=status.HTTP_201_CREATED, summary="Submit an idea"
)
async def create_idea(payload: IdeaCreate, ctx: WorkspaceDep, session: SessionDep) -> IdeaRead:
    board = await board_service.get_board(session, ctx, payload.board)
    idea = await service.create_idea(session, ctx, board=board, title=payload.title, body=payload.body)
    return idea_read(await service.get_idea(session, ctx, idea.number), ctx.workspace.slug)


@router.get("/{workspace}/ideas/{number}", response_model=IdeaRead, summary="An idea")
async def get_idea(number: int, ctx: WorkspaceDep, session: SessionDep) -> IdeaRead:
    return idea_read(await service.get_idea(session, ctx, number), ctx.workspace.slug)


@router.patch(
    "/{workspace}/ideas/{number}",
    response_model=IdeaRead,
    summary="Change an idea (author within the edit window, or staff)",
)
async def update_idea(number: int, payload: IdeaUpdate, ctx: WorkspaceDep, session: SessionDep) -> IdeaRead:
    view = await service.get_idea(session, ctx, number)
    changes = payload.model_dump(exclude_unset=True)
    await service.update_idea(
        session,
        ctx,
        view,
        title=changes.get("title"),
        body=changes.get("body"),
        status=changes.get("status"),
        board_slug=changes.get("board"),
    )
    return idea_read(view, ctx.workspace.slug)


@router.delete("/{workspace}/ideas/{number}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an idea")
async def delete_idea(number: int, ctx: WorkspaceDep, session: SessionDep) -> None:
    view = await service.get_idea(session, ctx, number)
    await service.delete_idea(session, ctx, view)

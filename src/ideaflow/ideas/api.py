"""Idea API: list (sort, filter, search, cursor pages), create, read, update, delete, similar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from ideaflow.boards import service as board_service
from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.errors import Invalid
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import service
from ideaflow.ideas.schemas import (
    AuthorRead,
    BoardRef,
    IdeaCreate,
    IdeaPageRead,
    IdeaRead,
    IdeaSort,
    IdeaUpdate,
    StatusRef,
    TagRef,
)
from ideaflow.ideas.service import IdeaView
from ideaflow.kit import http_cache
from ideaflow.statuses import service as status_service
from ideaflow.statuses.service import StatusSet
from ideaflow.tags import service as tag_service
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["ideas"])


def status_ref(statuses: StatusSet, key: str, category: str) -> StatusRef:
    status = statuses.get(key)
    if status is None:  # only while a status is being removed in the same request
        return StatusRef(key=key, name=key.replace("_", " ").capitalize(), colour="#8a93a8", category=category)
    return StatusRef(key=status.key, name=status.name, colour=status.colour, category=status.category)


def idea_read(view: IdeaView, workspace_slug: str, statuses: StatusSet) -> IdeaRead:
    idea = view.idea
    return IdeaRead(
        id=idea.id,
        number=idea.number,
        title=idea.title,
        body=idea.body,
        body_html=idea.body_html,
        status=idea.status,
        status_detail=status_ref(statuses, idea.status, idea.status_category),
        tags=[TagRef(id=t.id, name=t.name, colour=t.colour) for t in view.tags],
        board=BoardRef(slug=view.row.board.slug, name=view.row.board.name),
        author=AuthorRead(id=idea.author_id, name=view.row.author_name),
        vote_count=idea.vote_count,
        comment_count=idea.comment_count,
        voted=view.voted,
        url=f"{get_settings().base_url.rstrip('/')}/{workspace_slug}/ideas/{idea.number}",
        created_at=idea.created_at,
        updated_at=idea.updated_at,
    )


@router.get(
    "/{workspace}/ideas",
    response_model=IdeaPageRead,
    summary="List ideas",
    responses={304: {"description": "Not modified: the copy named by `If-None-Match` is current."}},
)
async def list_ideas(
    request: Request,
    response: Response,
    ctx: WorkspaceDep,
    session: SessionDep,
    board: Annotated[str | None, Query(max_length=40, description="Only this board (slug).")] = None,
    sort: IdeaSort = IdeaSort.top,
    status_: Annotated[str | None, Query(alias="status", max_length=32, description="A status key.")] = None,
    tag: Annotated[str | None, Query(max_length=40, description="Only ideas with this tag (id or name).")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search.")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> IdeaPageRead | Response:
    """Answered with a weak `ETag`; send it back as `If-None-Match` to get `304 Not Modified` while the list,
    and everything its items show, is unchanged."""
    found = await board_service.get_board(session, ctx, board) if board else None
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    if status_ and statuses.get(status_) is None:
        raise Invalid.field("status", "is not a status of this workspace")
    # The workspace's change marker, and the tags the items may show, in one round trip.
    marker, tags = await idea_repository.list_marker_and_tags(session, ctx.workspace.id)
    tag_id = None
    if tag:
        found_tag = await tag_service.find_tag(session, workspace_id=ctx.workspace.id, value=tag)
        if found_tag is None:
            raise Invalid.field("tag", "is not a tag of this workspace")
        tag_id = found_tag.id
    # The items show their board's name: with no board named, every board the viewer sees is part of the ETag.
    boards = [found] if found else await board_service.list_boards(session, ctx)
    etag = None
    if http_cache.is_settled(marker):
        etag = http_cache.make_etag(
            "api/ideas",
            marker,
            str(request.url.query),
            ctx.user.id if ctx.user else None,
            ctx.role,
            http_cache.fingerprint(ctx.workspace, boards, statuses.statuses, tags),
        )
        if http_cache.matches(request, etag):
            return http_cache.not_modified(etag)
    page = await service.list_ideas(
        session, ctx, board=found, sort=sort, status=status_, query=q, cursor=cursor, limit=limit, tag_id=tag_id
    )
    http_cache.apply(response, etag)
    return IdeaPageRead(
        items=[idea_read(v, ctx.workspace.slug, statuses) for v in page.items], next_cursor=page.next_cursor
    )


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
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    return [idea_read(v, ctx.workspace.slug, statuses) for v in views]


@router.post(
    "/{workspace}/ideas", response_model=IdeaRead, status_code=status.HTTP_201_CREATED, summary="Submit an idea"
)
async def create_idea(payload: IdeaCreate, ctx: WorkspaceDep, session: SessionDep) -> IdeaRead:
    board = await board_service.get_board(session, ctx, payload.board)
    idea = await service.create_idea(
        session, ctx, board=board, title=payload.title, body=payload.body, tag_ids=payload.tags
    )
    return await _read(session, ctx, idea.number)


async def _read(session, ctx, number: int) -> IdeaRead:
    view = await service.get_idea(session, ctx, number)
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    return idea_read(view, ctx.workspace.slug, statuses)


@router.get("/{workspace}/ideas/{number}", response_model=IdeaRead, summary="An idea")
async def get_idea(number: int, ctx: WorkspaceDep, session: SessionDep) -> IdeaRead:
    return await _read(session, ctx, number)


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
        response=changes.get("response"),
    )
    return await _read(session, ctx, number)


@router.delete("/{workspace}/ideas/{number}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an idea")
async def delete_idea(number: int, ctx: WorkspaceDep, session: SessionDep) -> None:
    view = await service.get_idea(session, ctx, number)
    await service.delete_idea(session, ctx, view)

"""Comment API."""

from __future__ import annotations

from fastapi import APIRouter, status

from ideaflow.comments import service
from ideaflow.comments.schemas import CommentCreate, CommentRead, CommentUpdate, NoteCreate
from ideaflow.comments.service import CommentNode
from ideaflow.db import SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.schemas import AuthorRead
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep

router = APIRouter(tags=["comments"])


def comment_read(node: CommentNode) -> CommentRead:
    c = node.comment
    removed = c.deleted_at is not None
    return CommentRead(
        id=c.id,
        parent_id=c.parent_id,
        deleted=removed,
        internal=c.internal,
        created_at=c.created_at,
        updated_at=c.updated_at,
        author=None if removed else AuthorRead(id=c.author_id, name=node.author_name),
        body=None if removed else c.body,
        body_html=None if removed else c.body_html,
        replies=[comment_read(r) for r in node.replies],
    )


@router.get(
    "/{workspace}/ideas/{number}/comments", response_model=list[CommentRead], summary="An idea's comments, threaded"
)
async def list_comments(number: int, ctx: WorkspaceDep, session: SessionDep) -> list[CommentRead]:
    view = await idea_service.get_idea(session, ctx, number)
    return [comment_read(n) for n in await service.thread(session, ctx, view)]


@router.post(
    "/{workspace}/ideas/{number}/comments",
    response_model=CommentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Comment on an idea, or reply to a comment",
)
async def add_comment(number: int, payload: CommentCreate, ctx: WorkspaceDep, session: SessionDep) -> CommentRead:
    view = await idea_service.get_idea(session, ctx, number)
    comment = await service.add_comment(session, ctx, view, body=payload.body, parent_id=payload.parent_id)
    return comment_read(CommentNode(comment=comment, author_name=ctx.user.name))


@router.patch("/{workspace}/comments/{comment_id}", response_model=CommentRead, summary="Edit my comment")
async def edit_comment(comment_id: int, payload: CommentUpdate, ctx: WorkspaceDep, session: SessionDep) -> CommentRead:
    comment = await service.edit_comment(session, ctx, comment_id=comment_id, body=payload.body)
    return comment_read(CommentNode(comment=comment, author_name=ctx.user.name))


@router.delete(
    "/{workspace}/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a comment (its author or staff)",
)
async def delete_comment(comment_id: int, ctx: WorkspaceDep, session: SessionDep) -> None:
    await service.delete_comment(session, ctx, comment_id=comment_id)


@router.get(
    "/{workspace}/ideas/{number}/notes",
    response_model=list[CommentRead],
    summary="An idea's internal notes (staff)",
)
async def list_notes(number: int, ctx: StaffWorkspaceDep, session: SessionDep) -> list[CommentRead]:
    view = await idea_service.get_idea(session, ctx, number)
    return [comment_read(n) for n in await service.notes(session, ctx, view)]


@router.post(
    "/{workspace}/ideas/{number}/notes",
    response_model=CommentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an internal note to an idea (staff; never shown to customers)",
)
async def add_note(number: int, payload: NoteCreate, ctx: StaffWorkspaceDep, session: SessionDep) -> CommentRead:
    view = await idea_service.get_idea(session, ctx, number)
    note = await service.add_note(session, ctx, view, body=payload.body)
    return comment_read(CommentNode(comment=note, author_name=ctx.user.name))

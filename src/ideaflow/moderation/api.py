"""Moderation API (staff; settings for admins): the queue, approve / reject, settings, blocked users."""

from __future__ import annotations

from fastapi import APIRouter, status

from ideaflow.comments.models import Comment
from ideaflow.db import IdPath, SessionDep
from ideaflow.ideas.models import Idea
from ideaflow.ideas.schemas import AuthorRead
from ideaflow.moderation import service
from ideaflow.moderation.repository import BlockRow
from ideaflow.moderation.schemas import (
    BlockCreate,
    BlockRead,
    DecisionRead,
    QueuedCommentRead,
    QueuedIdeaRead,
    QueueRead,
    Rejection,
    SettingsRead,
    SettingsUpdate,
)
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep

router = APIRouter(tags=["moderation"])


def _idea_decision(idea: Idea) -> DecisionRead:
    return DecisionRead(
        kind="idea",
        id=idea.id,
        number=idea.number,
        moderation_state=idea.moderation_state,
        moderation_reason=idea.moderation_reason,
    )


def _comment_decision(comment: Comment) -> DecisionRead:
    return DecisionRead(
        kind="comment",
        id=comment.id,
        moderation_state=comment.moderation_state,
        moderation_reason=comment.moderation_reason,
    )


def _block_read(row: BlockRow) -> BlockRead:
    b = row.block
    return BlockRead(
        user=AuthorRead(id=row.user.id, name=row.user.name),
        reason=b.reason,
        hide_content=b.hide_content,
        blocked_by=AuthorRead(id=b.blocked_by_id, name=row.blocked_by_name) if row.blocked_by_name else None,
        created_at=b.created_at,
    )


@router.get("/{workspace}/moderation/queue", response_model=QueueRead, summary="Content waiting for approval (staff)")
async def get_queue(ctx: StaffWorkspaceDep, session: SessionDep) -> QueueRead:
    found = await service.queue(session, ctx)
    return QueueRead(
        ideas=[
            QueuedIdeaRead(
                number=q.idea.number,
                title=q.idea.title,
                body=q.idea.body,
                board=q.board.slug,
                author=AuthorRead(id=q.author.id, name=q.author.name),
                queued_because=q.idea.moderation_reason,
                created_at=q.idea.created_at,
            )
            for q in found.ideas
        ],
        comments=[
            QueuedCommentRead(
                id=q.comment.id,
                idea_number=q.idea.number,
                idea_title=q.idea.title,
                body=q.comment.body,
                author=AuthorRead(id=q.author.id, name=q.author.name),
                queued_because=q.comment.moderation_reason,
                created_at=q.comment.created_at,
            )
            for q in found.comments
        ],
    )


@router.post(
    "/{workspace}/moderation/ideas/{number}/approve",
    response_model=DecisionRead,
    summary="Publish an idea waiting for approval, or a rejected one (staff)",
)
async def approve_idea(number: int, ctx: StaffWorkspaceDep, session: SessionDep) -> DecisionRead:
    idea = await service.get_idea(session, ctx, number)
    await service.approve_idea(session, ctx, idea=idea)
    return _idea_decision(idea)


@router.post(
    "/{workspace}/moderation/ideas/{number}/reject",
    response_model=DecisionRead,
    summary="Reject an idea waiting for approval; its author sees the reason (staff)",
)
async def reject_idea(number: int, payload: Rejection, ctx: StaffWorkspaceDep, session: SessionDep) -> DecisionRead:
    idea = await service.get_idea(session, ctx, number)
    await service.reject_idea(session, ctx, idea=idea, reason=payload.reason)
    return _idea_decision(idea)


@router.post(
    "/{workspace}/moderation/comments/{comment_id}/approve",
    response_model=DecisionRead,
    summary="Publish a comment waiting for approval, or a rejected one (staff)",
)
async def approve_comment(comment_id: IdPath, ctx: StaffWorkspaceDep, session: SessionDep) -> DecisionRead:
    comment = await service.get_comment(session, ctx, comment_id)
    await service.approve_comment(session, ctx, comment=comment)
    return _comment_decision(comment)


@router.post(
    "/{workspace}/moderation/comments/{comment_id}/reject",
    response_model=DecisionRead,
    summary="Reject a comment waiting for approval; its author sees the reason (staff)",
)
async def reject_comment(
    comment_id: IdPath, payload: Rejection, ctx: StaffWorkspaceDep, session: SessionDep
) -> DecisionRead:
    comment = await service.get_comment(session, ctx, comment_id)
    await service.reject_comment(session, ctx, comment=comment, reason=payload.reason)
    return _comment_decision(comment)


@router.get("/{workspace}/moderation/settings", response_model=SettingsRead, summary="Moderation settings (admins)")
async def get_settings(ctx: WorkspaceDep, session: SessionDep) -> SettingsRead:
    policy = await service.get_policy(session, ctx)
    return SettingsRead(**vars(policy))


@router.put(
    "/{workspace}/moderation/settings",
    response_model=SettingsRead,
    summary="Change the moderation settings; fields left out keep their value (admins)",
)
async def update_settings(payload: SettingsUpdate, ctx: WorkspaceDep, session: SessionDep) -> SettingsRead:
    policy = await service.update_policy(session, ctx, **payload.model_dump())
    return SettingsRead(**vars(policy))


@router.get("/{workspace}/moderation/blocks", response_model=list[BlockRead], summary="Blocked users (staff)")
async def list_blocks(ctx: StaffWorkspaceDep, session: SessionDep) -> list[BlockRead]:
    return [_block_read(row) for row in await service.list_blocks(session, ctx)]


@router.post(
    "/{workspace}/moderation/blocks",
    response_model=BlockRead,
    status_code=status.HTTP_201_CREATED,
    summary="Block someone from posting, commenting and voting, optionally hiding their content (staff)",
)
async def block_user(payload: BlockCreate, ctx: StaffWorkspaceDep, session: SessionDep) -> BlockRead:
    block = await service.block_user(
        session,
        ctx,
        user_id=payload.user_id,
        email=payload.email,
        reason=payload.reason,
        hide_content=payload.hide_content,
    )
    row = next(r for r in await service.list_blocks(session, ctx) if r.block.id == block.id)
    return _block_read(row)


@router.delete(
    "/{workspace}/moderation/blocks/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unblock someone; content hidden by the block is published again (staff)",
)
async def unblock_user(user_id: IdPath, ctx: StaffWorkspaceDep, session: SessionDep) -> None:
    await service.unblock_user(session, ctx, user_id=user_id)

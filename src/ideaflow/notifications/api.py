"""Notifications: JSON API — the inbox, preferences, and following ideas and boards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.boards import service as board_service
from ideaflow.config import get_settings
from ideaflow.db import ID_MAX, IdPath, SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.notifications import service
from ideaflow.notifications.schemas import (
    MarkedRead,
    NotificationPage,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    SubscriptionRead,
    UnreadCount,
)
from ideaflow.notifications.service import NotificationItem
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["notifications"])


def _read(item: NotificationItem) -> NotificationRead:
    return NotificationRead(
        id=item.id,
        type=item.event_type,
        summary=item.summary,
        workspace=item.workspace_slug,
        idea_number=item.idea_number,
        idea_title=item.idea_title,
        actor_name=item.actor_name,
        data=item.data,
        url=get_settings().base_url.rstrip("/") + item.url,
        read=item.read_at is not None,
        created_at=item.created_at,
    )


@router.get("/me/notifications", response_model=NotificationPage, summary="My notifications, newest first")
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_SIZE_MAX)] = 30,
    before: Annotated[int | None, Query(ge=1, le=ID_MAX, description="Only notifications older than this id.")] = None,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
) -> NotificationPage:
    items, next_before = await service.list_notifications(
        session, user=user, limit=limit, before_id=before, unread_only=unread
    )
    return NotificationPage(
        items=[_read(i) for i in items],
        next_before=next_before,
        unread_count=await service.unread_count(session, user=user),
    )


@router.get("/me/notifications/unread-count", response_model=UnreadCount, summary="How many are unread")
async def unread_count(session: SessionDep, user: CurrentUser) -> UnreadCount:
    return UnreadCount(count=await service.unread_count(session, user=user))


@router.post(
    "/me/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT, summary="Mark one as read"
)
async def mark_read(notification_id: IdPath, session: SessionDep, user: CurrentUser) -> None:
    await service.mark_read(session, user=user, notification_id=notification_id)


@router.post("/me/notifications/read-all", response_model=MarkedRead, summary="Mark all as read")
async def mark_all_read(session: SessionDep, user: CurrentUser) -> MarkedRead:
    return MarkedRead(marked=await service.mark_all_read(session, user=user))


@router.get("/me/notification-preferences", response_model=PreferencesRead, summary="My notification preferences")
async def get_preferences(session: SessionDep, user: CurrentUser) -> PreferencesRead:
    return PreferencesRead.model_validate(await service.get_preferences(session, user=user))


@router.put(
    "/me/notification-preferences",
    response_model=PreferencesRead,
    summary="Change notification preferences (fields left out stay as they are)",
)
async def update_preferences(payload: PreferencesUpdate, session: SessionDep, user: CurrentUser) -> PreferencesRead:
    changes = payload.model_dump(exclude_none=True)
    return PreferencesRead.model_validate(await service.update_preferences(session, user=user, changes=changes))


@router.get(
    "/{workspace}/ideas/{number}/subscription", response_model=SubscriptionRead, summary="Am I following this idea?"
)
async def idea_subscription(number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> SubscriptionRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    following = await service.is_following_idea(session, user=user, idea_id=view.idea.id, board_id=view.idea.board_id)
    return SubscriptionRead(following=following)


@router.put("/{workspace}/ideas/{number}/subscription", response_model=SubscriptionRead, summary="Follow an idea")
async def follow_idea(number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> SubscriptionRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return SubscriptionRead(following=await service.set_idea_following(session, ctx, view, following=True))


@router.delete("/{workspace}/ideas/{number}/subscription", response_model=SubscriptionRead, summary="Unfollow an idea")
async def unfollow_idea(number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> SubscriptionRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return SubscriptionRead(following=await service.set_idea_following(session, ctx, view, following=False))


@router.get(
    "/{workspace}/boards/{board}/subscription", response_model=SubscriptionRead, summary="Am I following this board?"
)
async def board_subscription(board: str, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> SubscriptionRead:
    found = await board_service.get_board(session, ctx, board)
    return SubscriptionRead(following=await service.is_following_board(session, user=user, board_id=found.id))


@router.put(
    "/{workspace}/boards/{board}/subscription",
    response_model=SubscriptionRead,
    summary="Follow a board (hear about its new ideas and every change on them)",
)
async def follow_board(board: str, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> SubscriptionRead:
    found = await board_service.get_board(session, ctx, board)
    return SubscriptionRead(following=await service.set_board_following(session, ctx, found, following=True))


@router.delete("/{workspace}/boards/{board}/subscription", response_model=SubscriptionRead, summary="Unfollow a board")
async def unfollow_board(board: str, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> SubscriptionRead:
    found = await board_service.get_board(session, ctx, board)
    return SubscriptionRead(following=await service.set_board_following(session, ctx, found, following=False))

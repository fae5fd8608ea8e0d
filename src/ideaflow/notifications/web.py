"""Notifications: the bell's count, the inbox, follow buttons, preferences and one-click unsubscribe.

The inbox is one per person (`/notifications`), not per workspace: people follow ideas in several
workspaces and should not have to visit each to learn what changed."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser, ViewerDep
from ideaflow.boards import service as board_service
from ideaflow.db import ID_MAX, Database, IdPath, SessionDep
from ideaflow.errors import IdeaflowError
from ideaflow.ideas import service as idea_service
from ideaflow.kit.web import back_url, form_data, is_htmx, redirect, render
from ideaflow.notifications import service
from ideaflow.notifications.models import EmailFrequency
from ideaflow.workspaces.dependencies import WorkspaceDep

log = logging.getLogger("ideaflow.notifications")
router = APIRouter()

# Tells the bell to refresh its count after an action on this page (see templates/notifications/bell.html).
REFRESH = {"HX-Trigger": "notifications-changed"}


@router.get("/notifications")
async def inbox(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    before: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    unread: bool = False,
) -> Response:
    items, next_before = await service.list_notifications(
        session, user=user, limit=30, before_id=before, unread_only=unread
    )
    count = await service.unread_count(session, user=user)
    context = {"items": items, "next_before": next_before, "unread_count": count, "unread_only": unread}
    block = "notification_items" if is_htmx(request) and request.headers.get("HX-Target") == "load-more" else None
    return render(request, "notifications/list.html", context, block=block)


@router.get("/notifications/count")
async def bell(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    """The bell with its badge: loaded and refreshed by htmx, never cached."""
    count = await service.unread_count(session, user=viewer.user) if viewer.user else 0
    return render(
        request, "notifications/bell.html", {"unread_count": count}, block="bell", headers={"Cache-Control": "no-store"}
    )


@router.post("/notifications/{notification_id}/read")
async def mark_read(request: Request, notification_id: IdPath, session: SessionDep, user: CurrentUser) -> Response:
    await service.mark_read(session, user=user, notification_id=notification_id)
    form = await form_data(request)
    if is_htmx(request):
        items, _ = await service.list_notifications(session, user=user, limit=1, before_id=notification_id + 1)
        return render(request, "notifications/list.html", {"item": items[0]}, block="notification", headers=REFRESH)
    return redirect(request, form.get("next") if form.get("next", "").startswith("/") else "/notifications")


@router.post("/notifications/read-all")
async def mark_all_read(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    await service.mark_all_read(session, user=user)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Location": "/notifications", **REFRESH})
    return redirect(request, "/notifications")


# Preferences.

TOPICS = [
    ("on_status", "Status changes", "When an idea you follow is planned, shipped, declined or merged."),
    ("on_response", "Official responses", "When the team answers an idea you follow."),
    ("on_comment", "Comments", "When someone comments on an idea you follow."),
    ("on_new_idea", "New ideas", "When someone posts an idea on a board you follow."),
]


def _preferences_page(request: Request, prefs, *, saved: bool = False, error=None, status_code: int = 200):
    return render(
        request,
        "notifications/preferences.html",
        {"prefs": prefs, "topics": TOPICS, "saved": saved, "error": error, "frequencies": list(EmailFrequency)},
        status_code=status_code,
    )


@router.get("/account/notifications")
async def preferences_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _preferences_page(request, await service.get_preferences(session, user=user))


@router.post("/account/notifications")
async def save_preferences(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await form_data(request)
    changes = {name: form.get(name) == "on" for name in ("email_enabled", "in_app_enabled", *[t[0] for t in TOPICS])}
    changes["email_frequency"] = form.get("email_frequency", "instant")
    try:
        async with session.begin_nested():
            prefs = await service.update_preferences(session, user=user, changes=changes)
    except IdeaflowError as exc:
        prefs = await service.get_preferences(session, user=user)
        return _preferences_page(request, prefs, error=exc, status_code=exc.status_code)
    return _preferences_page(request, prefs, saved=True)


# Following ideas and boards.


async def _follow_target(session, ctx, *, number: int | None = None, board_slug: str | None = None) -> dict:
    user = ctx.user
    if number is not None:
        view = await idea_service.get_idea(session, ctx, number, with_voted=False)
        following = await service.is_following_idea(
            session, user=user, idea_id=view.idea.id, board_id=view.idea.board_id
        )
        return {
            "kind": "idea",
            "view": view,
            "label": view.idea.title,
            "url": f"/{ctx.workspace.slug}/ideas/{number}/subscription",
            "back": f"/{ctx.workspace.slug}/ideas/{number}",
            "following": following,
        }
    board = await board_service.get_board(session, ctx, board_slug or "")
    return {
        "kind": "board",
        "board": board,
        "label": board.name,
        "url": f"/{ctx.workspace.slug}/boards/{board.slug}/subscription",
        "back": f"/{ctx.workspace.slug}/boards/{board.slug}",
        "following": await service.is_following_board(session, user=user, board_id=board.id),
    }


def _follow_response(request: Request, ctx, target: dict) -> Response:
    context = {"ctx": ctx, "target": target}
    if is_htmx(request):
        return render(request, "notifications/follow.html", context, block="follow")
    return render(request, "notifications/follow.html", context)


@router.get("/{workspace}/ideas/{number}/subscription")
async def idea_follow_page(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    return _follow_response(request, ctx, await _follow_target(session, ctx, number=number))


@router.post("/{workspace}/ideas/{number}/subscription")
async def idea_follow(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    form = await form_data(request)
    target = await _follow_target(session, ctx, number=number)
    following = form.get("action") != "unfollow"
    await service.set_idea_following(session, ctx, target["view"], following=following)
    target["following"] = following
    if is_htmx(request):
        return _follow_response(request, ctx, target)
    return redirect(request, back_url(request, target["back"]))


@router.get("/{workspace}/boards/{board}/subscription")
async def board_follow_page(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    return _follow_response(request, ctx, await _follow_target(session, ctx, board_slug=board))


@router.post("/{workspace}/boards/{board}/subscription")
async def board_follow(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    form = await form_data(request)
    target = await _follow_target(session, ctx, board_slug=board)
    following = form.get("action") != "unfollow"
    await service.set_board_following(session, ctx, target["board"], following=following)
    target["following"] = following
    if is_htmx(request):
        return _follow_response(request, ctx, target)
    return redirect(request, back_url(request, target["back"]))


# One-click unsubscribe (RFC 8058). GET shows a confirmation page with a button; POST unsubscribes.


@router.get("/unsubscribe/{token}")
async def unsubscribe_page(request: Request, token: str) -> Response:
    try:
        target = service.read_unsubscribe_token(token)
    except IdeaflowError as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc}, status_code=exc.status_code)
    return render(request, "notifications/unsubscribe.html", {"target": target, "token": token})


async def unsubscribe_one_click(request: Request) -> Response:
    """The POST a mail provider sends from its servers (`List-Unsubscribe=One-Click`): no cookie, no CSRF token,
    no sign-in; the signed token is the authority. Registered as a plain route so the CSRF dependency the
    other web routes share does not apply to this one path alone."""
    token = request.path_params["token"]
    try:
        target = service.read_unsubscribe_token(token)
        database: Database = request.app.state.database
        async with database.write() as session, session.begin():
            await service.unsubscribe(session, target)
    except IdeaflowError as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc}, status_code=exc.status_code)
    return render(request, "notifications/unsubscribe.html", {"target": target, "done": True})


router.add_route("/unsubscribe/{token}", unsubscribe_one_click, methods=["POST"], include_in_schema=False)

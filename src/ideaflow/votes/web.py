"""The vote button: one form that toggles, swapped in place by htmx, a plain post without JavaScript; and
"your vote", a page to choose how important an idea is or to vote against it, on boards that offer those; and the
staff panel's votes on a customer's behalf (recorded, listed, removed inside the idea page's #triage block)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser, ViewerDep
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Unauthorized
from ideaflow.ideas import service as idea_service
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import back_url, form_data, is_htmx, redirect, render
from ideaflow.ranking import service as ranking_service
from ideaflow.votes import service
from ideaflow.votes.models import Importance
from ideaflow.votes.schemas import ProxySource
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter()


@router.post("/{workspace}/ideas/{number}/vote")
async def toggle_vote(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, viewer: ViewerDep
) -> Response:
    user = viewer.user
    if user is None:
        if is_htmx(request):
            raise Unauthorized("Sign in to vote.")
        # Without JavaScript the button is a plain form post: sign in first, then come back here.
        back = back_url(request, f"/{ctx.workspace.slug}/ideas/{number}")
        return redirect(request, "/signin?next=" + quote(back))
    await rate_limit(request, "vote", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
    form = await form_data(request)
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    importance = form.get("importance") or None
    if importance is not None or form.get("value"):
        # The importance chooser and the "your vote" page: cast or change the vote with these options.
        value = -1 if form.get("value") == "-1" else 1
        result = await service.add_vote(session, ctx, view, value=value, importance=importance)
    elif form.get("action") == "remove":
        result = await service.remove_vote(session, ctx, view)
    else:
        result = await service.add_vote(session, ctx, view)
    view.voted = result.voted
    options = await ranking_service.board_options(session, view.idea.board_id)
    if is_htmx(request):
        context = {
            "ctx": ctx,
            "v": view,
            "size": form.get("size", ""),
            "vote_options": options,
            "my_importance": result.importance,
        }
        return render(request, "components/vote_button.html", context)
    if result.changed and result.voted and options.importance_enabled and not result.importance:
        # Without JavaScript the chooser cannot open in place: ask on the vote page, then go back.
        return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}/vote")
    return redirect(request, back_url(request, f"/{ctx.workspace.slug}/ideas/{number}"))


@router.get("/{workspace}/ideas/{number}/vote")
async def vote_page(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return await _vote_page(request, session, ctx, view)


async def _vote_page(request, session, ctx, view, *, error: IdeaflowError | None = None, saved: bool = False):
    mine = await service.my_vote(session, ctx, view.idea)
    options = await ranking_service.board_options(session, view.idea.board_id)
    return render(
        request,
        "votes/vote.html",
        {
            "ctx": ctx,
            "v": view,
            "mine": mine,
            "options": options,
            "importances": list(Importance),
            "error": error,
            "saved": saved,
        },
        status_code=error.status_code if error else 200,
    )


@router.post("/{workspace}/ideas/{number}/vote/options")
async def save_vote_options(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    await rate_limit(request, "vote", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
    form = await form_data(request)
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    try:
        async with session.begin_nested():
            if form.get("value") == "0":
                await service.remove_vote(session, ctx, view)
            else:
                value = -1 if form.get("value") == "-1" else 1
                await service.add_vote(session, ctx, view, value=value, importance=form.get("importance") or None)
    except IdeaflowError as error:
        return await _vote_page(request, session, ctx, view, error=error)
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}")


async def on_behalf_extras(session, ctx, view) -> dict:
    """What the idea page needs for votes recorded on a customer's behalf (staff only; two queries)."""
    if not ctx.is_staff:
        return {}
    options = await ranking_service.board_options(session, view.idea.board_id)
    return {
        "on_behalf_votes": await service.list_on_behalf(session, ctx, view.idea),
        "on_behalf_sources": list(ProxySource),
        "on_behalf_importances": list(Importance) if options.importance_enabled else [],
    }


async def _triage(request: Request, session, ctx, number: int, **extra) -> Response:
    # Imported here: statuses.web builds on ideas.web, which imports this module for the idea page.
    from ideaflow.statuses.web import triage_response

    return await triage_response(request, session, ctx, number, **extra)


@router.post("/{workspace}/ideas/{number}/votes/on-behalf")
async def record_on_behalf(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    await rate_limit(request, "vote", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            outcome = await service.record_on_behalf(
                session,
                ctx,
                view,
                email=form.get("email"),
                name=form.get("name"),
                source=form.get("source"),
                note=form.get("note"),
                link=form.get("link"),
                importance=form.get("importance") or None,
            )
    except IdeaflowError as exc:
        return await _triage(request, session, ctx, number, error=exc, on_behalf_error=exc, on_behalf_form=form)
    return await _triage(request, session, ctx, number, on_behalf_saved=outcome)


@router.post("/{workspace}/ideas/{number}/votes/on-behalf/{user_id}/remove")
async def remove_on_behalf(
    request: Request, number: int, user_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    try:
        async with session.begin_nested():
            await service.remove_on_behalf(session, ctx, view, user_id=user_id)
    except IdeaflowError as exc:
        return await _triage(request, session, ctx, number, error=exc, on_behalf_error=exc)
    return await _triage(request, session, ctx, number)

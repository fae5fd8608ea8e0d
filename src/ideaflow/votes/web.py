"""The vote button: one form that toggles, swapped in place by htmx, a plain post without JavaScript."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import ViewerDep
from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.errors import Unauthorized
from ideaflow.ideas import service as idea_service
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import back_url, form_data, is_htmx, redirect, render
from ideaflow.votes import service
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
    if form.get("action") == "remove":
        result = await service.remove_vote(session, ctx, view)
    else:
        result = await service.add_vote(session, ctx, view)
    view.voted = result.voted
    if is_htmx(request):
        return render(request, "components/vote_button.html", {"ctx": ctx, "v": view, "size": form.get("size", "")})
    return redirect(request, back_url(request, f"/{ctx.workspace.slug}/ideas/{number}"))

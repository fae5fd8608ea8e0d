"""Merging duplicate ideas: the banner on merged ideas and their targets, the redirect from a merged idea to
the idea it was merged into, and staff's merge form (with its search-as-you-type target picker) and unmerge."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import SessionDep
from ideaflow.errors import IdeaflowError, NotFound
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.service import IdeaView
from ideaflow.kit.web import form_data, is_htmx, redirect, render
from ideaflow.merges import service
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()

STAY = ("1", "true", "yes")


def merged_redirect(request: Request, ctx: WorkspaceContext, view: IdeaView) -> Response | None:
    """A redirect from a merged idea's page to the idea it was merged into (None: show the page). Customers and
    visitors are sent on; `?stay=1` keeps them on the merged idea (its comments stay readable), and staff stay
    (the page holds the unmerge button). The target is looked up by the next request, so this needs no query."""
    if view.idea.merged_into_id is None or ctx.is_staff or request.query_params.get("stay") in STAY:
        return None
    return RedirectResponse(f"/{ctx.workspace.slug}/ideas/{view.idea.number}/merged-into", status_code=303)


async def idea_page_extras(session, ctx: WorkspaceContext, view: IdeaView) -> dict:
    """What the idea page needs for merges (the banner, the staff merge form)."""
    state = await service.merge_state(session, ctx, view.idea)
    return {"merge": state}


@router.get("/{workspace}/ideas/{number}/merged-into")
async def merged_into(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep) -> Response:
    """Where a merged idea now lives: the end of its merge chain, if the viewer can see it; otherwise the merged
    idea itself (with `?stay=1`)."""
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    state = await service.merge_state(session, ctx, view.idea)
    base = f"/{ctx.workspace.slug}/ideas"
    for candidate in (state.final, state.merged_into):
        if candidate is None:
            continue
        try:
            found = await idea_service.get_idea(session, ctx, idea_id=candidate.id, with_voted=False)
        except NotFound:
            continue  # deleted, or on a board the viewer cannot see
        # A target that is merged itself (its own target hidden from the viewer) is shown, not followed.
        stay = "?stay=1" if found.idea.merged_into_id is not None else ""
        return RedirectResponse(f"{base}/{found.idea.number}{stay}", status_code=303)
    return RedirectResponse(f"{base}/{number}" + ("?stay=1" if state.is_merged else ""), status_code=303)


async def _after(
    request: Request, session, ctx: WorkspaceContext, number: int, *, error: IdeaflowError | None = None, **extra
) -> Response:
    """After the merge or unmerge form: the #triage block (with the banner swapped out of band) for htmx, the
    page again with the message when refused without JavaScript, or a redirect back to the idea."""
    from ideaflow.ideas.web import idea_page_context

    if not is_htmx(request) and error is None:
        return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}")
    view = await idea_service.get_idea(session, ctx, number)
    context = await idea_page_context(session, ctx, view)
    context.update(extra, merge_oob=is_htmx(request))
    return render(
        request,
        "ideas/idea.html",
        context,
        block="triage" if is_htmx(request) else None,
        status_code=error.status_code if error else 200,
    )


@router.post("/{workspace}/ideas/{number}/merge")
async def merge(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            # `pick`: a search result (a submit button of the form); `into`: the number typed without JavaScript.
            target = await service.target_by_number(session, ctx, form.get("pick") or form.get("into"))
            await service.merge_ideas(session, ctx, source=view.idea, target=target)
    except IdeaflowError as exc:
        return await _after(request, session, ctx, number, error=exc, merge_error=exc, merge_form=form)
    return await _after(request, session, ctx, number, merge_done=True)


@router.post("/{workspace}/ideas/{number}/unmerge")
async def unmerge(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    """Unmerge from the merged idea's page, or from its target's page (the form says `back` = that number)."""
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    back = form.get("back", "")
    page = int(back) if back.isdigit() and 0 < len(back) < 10 and int(back) > 0 else number
    try:
        async with session.begin_nested():
            await service.unmerge(session, ctx, source=view.idea)
    except IdeaflowError as exc:
        return await _after(request, session, ctx, page, error=exc, unmerge_error=exc)
    return await _after(request, session, ctx, page, unmerged=number)


@router.get("/{workspace}/ideas/{number}/merge-candidates")
async def merge_candidates(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    """The search-as-you-type results of the merge form: ideas matching what staff typed (`into`, or `q`)."""
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    query = (request.query_params.get("into") or request.query_params.get("q") or "")[:140]
    found = await service.candidates(session, ctx, source=view.idea, query=query)
    statuses = None
    if found:
        from ideaflow.statuses import service as status_service

        statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    return render(
        request,
        "merges/_candidates.html",
        {"ctx": ctx, "idea": view.idea, "candidates": found, "query": query.strip(), "statuses": statuses},
    )

"""The staff triage inbox: pages. The inbox (untriaged ideas, or those awaiting approval), its actions (each an
htmx swap of the list with the nav count and an announcement out of band; a plain form post and redirect
without JavaScript), the merge-target search and the nav link's count."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import ID_MAX, SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.ideas.schemas import NUMBER_MAX
from ideaflow.kit.web import is_htmx, redirect, render
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from ideaflow.triage import service
from ideaflow.triage.service import Action, InboxView
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()

# The forms that post an action, each with its own error slot (`#<form>-error`) for htmx to swap a message into.
FORMS = ("answer", "tag", "merge", "approve", "bulk", "row")
DONE = {
    Action.answer: "answered",
    Action.tag: "tagged",
    Action.merge: "merged",
    Action.approve: "approved",
}


def _view(value: str | None) -> InboxView:
    try:
        return InboxView(value or InboxView.untriaged)
    except ValueError:
        return InboxView.untriaged


def _path(ctx: WorkspaceContext) -> str:
    return f"/{ctx.workspace.slug}/admin/triage"


async def _context(session, ctx: WorkspaceContext, view: InboxView) -> dict:
    inbox = await service.inbox(session, ctx, view=view)
    statuses = await status_service.list_statuses(session, workspace_id=ctx.workspace.id)
    return {
        "ctx": ctx,
        "inbox": inbox,
        "triage_count": inbox.counts.untriaged,
        "statuses": statuses,
        "tags": await tag_service.list_tags(session, workspace_id=ctx.workspace.id),
        "waited_words": service.waited_words,
        "duration_words": service.duration_words,
        "inbox_path": _path(ctx),
    }


@router.get("/{workspace}/admin/triage")
async def inbox_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    params = request.query_params
    context = await _context(session, ctx, _view(params.get("view")))
    done = params.get("done")
    if done in DONE.values() and (params.get("count") or "").isdigit():
        count = int(params["count"])
        context["notice"] = f"Done: {count} idea{'' if count == 1 else 's'} {done}."
    # Switching tabs with htmx swaps the inbox alone.
    block = "inbox" if is_htmx(request) and request.headers.get("HX-Target") == "inbox" else None
    return render(request, "triage/inbox.html", context, block=block)


def _int(form: FormData, name: str, upper: int) -> int | None:
    value = str(form.get(name) or "").strip().lstrip("#")
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= upper:
        raise Invalid.field(name, "is not a valid number")
    return int(value)


@router.post("/{workspace}/admin/triage/actions")
async def act(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    form = await request.form()
    form_name = form.get("form") if form.get("form") in FORMS else "bulk"
    view = _view(str(form.get("view") or ""))
    try:
        async with session.begin_nested():
            outcome = await service.apply(
                session,
                ctx,
                action=str(form.get("action") or ""),
                numbers=service.clean_numbers([str(v) for v in form.getlist("ideas")]),
                status=str(form.get("status") or ""),
                response=str(form.get("response") or ""),
                tag_id=_int(form, "tag", ID_MAX),
                target=_int(form, "target", NUMBER_MAX),
            )
    except IdeaflowError as exc:
        if is_htmx(request):
            # The list stays as it was; the message goes next to the form that was used.
            return render(
                request,
                "triage/_error.html",
                {"error": exc},
                status_code=exc.status_code,
                headers={"HX-Retarget": f"#{form_name}-error", "HX-Reswap": "innerHTML"},
            )
        context = await _context(session, ctx, view)
        context["error"] = exc
        return render(request, "triage/inbox.html", context, status_code=exc.status_code)
    if is_htmx(request):
        context = await _context(session, ctx, view)
        context.update(message=outcome.message, oob=True, triage_here=True)
        return render(request, "triage/_update.html", context)
    count = len(outcome.numbers)
    query = f"view={view.value}&" if view != InboxView.untriaged else ""
    return redirect(request, f"{_path(ctx)}?{query}done={DONE[outcome.action]}&count={count}")


@router.get("/{workspace}/admin/triage/targets")
async def merge_targets(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    """Ideas to merge into, as staff type in the merge dialog (search-as-you-type)."""
    workspace_service.require_staff(ctx)
    params = request.query_params
    exclude = [int(v) for v in params.getlist("ideas") if v.isdigit() and int(v) <= NUMBER_MAX]
    query = (params.get("q") or "")[:200]
    rows = await service.search_targets(session, ctx, query=query, exclude=exclude)
    return render(request, "triage/_targets.html", {"ctx": ctx, "rows": rows, "query": query})


@router.get("/{workspace}/admin/triage/count")
async def nav_count(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    """The top bar's "Triage" link with its count: loaded and refreshed by htmx, never cached."""
    workspace_service.require_staff(ctx)
    counts = await service.counts(session, ctx)
    here = request.headers.get("HX-Current-URL", "").split("?")[0].endswith(_path(ctx))
    return render(
        request,
        "triage/_nav.html",
        {"ctx": ctx, "triage_count": counts.untriaged, "triage_here": here},
        block="triage_nav",
        headers={"Cache-Control": "no-store"},
    )

"""Portal pages: a workspace's ideas, a board, an idea, submitting and editing ideas, similar ideas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.comments import service as comment_service
from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import service
from ideaflow.ideas.schemas import IdeaSort
from ideaflow.ideas.service import IdeaView
from ideaflow.kit import http_cache
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, redirect, render
from ideaflow.merges import web as merges_web
from ideaflow.moderation import web as moderation_web
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from ideaflow.votes import web as votes_web
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


def _enum_or_none(enum, value: str | None):
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def _viewer_key(request: Request, ctx: WorkspaceContext) -> tuple:
    """What the page shows of the viewer: name and avatar, the verify-email pill, the role, the CSRF token."""
    user = ctx.user
    if user is None:
        return (None, None, getattr(request.state, "csrf", ""))
    verified = user.email_verified_at is not None or user.password_hash is None
    return (user.id, user.name, verified, ctx.role, getattr(request.state, "csrf", ""))


async def _list_page(request: Request, session, ctx: WorkspaceContext, board: Board | None) -> Response:
    params = request.query_params
    sort = _enum_or_none(IdeaSort, params.get("sort")) or IdeaSort.top
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    # An unknown status or tag in a hand-typed URL shows every idea rather than an error page.
    status = statuses.get((params.get("status") or "")[:32])
    # The list's change marker (see the ETag below) and the workspace's tags, in one round trip.
    marker, tags = await idea_repository.list_marker_and_tags(session, ctx.workspace.id)
    tag_param = (params.get("tag") or "").strip()[:40]
    tag = next((t for t in tags if str(t.id) == tag_param or t.name.lower() == tag_param.lower()), None)
    q = (params.get("q") or "").strip()[:200]
    cursor = params.get("cursor")
    filters = {"status": status.key if status else None, "query": q, "tag_id": tag.id if tag else None}
    boards = await board_service.list_boards(session, ctx)
    # Imported here: ranking builds on ideas. The survey link shows only where the board runs the survey.
    from ideaflow.ranking import service as ranking_service

    survey = bool(board) and (await ranking_service.board_options(session, board.id)).pairwise_enabled
    target = request.headers.get("HX-Target")
    block = (
        {"idea-list": "idea_list", "load-more": "idea_items"}.get(target or "")
        if request.headers.get("HX-Request")
        else None
    )
    # Everything the page shows besides the listed ideas is loaded above; the ideas themselves are summed up by
    # the change marker, so a current copy is answered 304 before the list is queried and the page rendered.
    etag = None
    if http_cache.is_settled(marker):
        etag = http_cache.make_etag(
            "ideas/list.html",
            block,
            marker,
            http_cache.minute(),
            str(request.url.path),
            str(request.url.query),
            _viewer_key(request, ctx),
            http_cache.fingerprint(ctx.workspace, board, boards, statuses.statuses, tags),
            survey,
        )
        if http_cache.matches(request, etag):
            return http_cache.not_modified(etag)
    try:
        page = await service.list_ideas(session, ctx, board=board, sort=sort, cursor=cursor, **filters)
    except Invalid:
        page = await service.list_ideas(session, ctx, board=board, sort=sort, **filters)
    base = f"/{ctx.workspace.slug}" + (f"/boards/{board.slug}" if board else "")
    context = {
        "survey": survey,
        "ctx": ctx,
        "board": board,
        "boards": boards,
        "page": page,
        "sort": sort,
        "status": status,
        "q": q,
        "statuses": statuses,
        "tags": tags,
        "tag": tag,
        "sorts": list(IdeaSort),
        "base": base,
    }
    return http_cache.apply(render(request, "ideas/list.html", context, block=block), etag)


@router.get("/{workspace}")
async def portal(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    return await _list_page(request, session, ctx, None)


@router.get("/{workspace}/boards/{board}")
async def board_page(request: Request, board: str, ctx: WorkspaceDep, session: SessionDep) -> Response:
    return await _list_page(request, session, ctx, await board_service.get_board(session, ctx, board))


@router.get("/{workspace}/similar")
async def similar(
    request: Request,
    ctx: WorkspaceDep,
    session: SessionDep,
    title: Annotated[str, Query(max_length=140)] = "",
    board: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    found = await board_service.get_board(session, ctx, board) if board else None
    views = await service.similar_ideas(session, ctx, title=title, board=found) if len(title.strip()) >= 3 else []
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id) if views else None
    return render(request, "ideas/similar.html", {"ctx": ctx, "similar": views, "title": title, "statuses": statuses})


async def _new_idea_page(
    request: Request,
    session,
    ctx: WorkspaceContext,
    board: Board,
    *,
    form=None,
    error=None,
    status_code: int = 200,
    picked: set[int] | None = None,
) -> Response:
    boards = await board_service.list_boards(session, ctx)
    can_tag = ctx.is_staff or board.customers_can_tag
    tags = await tag_service.list_tags(session, workspace_id=ctx.workspace.id) if can_tag else []
    return render(
        request,
        "ideas/new.html",
        {
            "ctx": ctx,
            "board": board,
            "boards": boards,
            "form": form or {},
            "error": error,
            "tags": tags,
            "picked": picked or set(),
        },
        status_code=status_code,
    )


@router.get("/{workspace}/boards/{board}/new")
async def new_idea_page(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    return await _new_idea_page(request, session, ctx, await board_service.get_board(session, ctx, board))


@router.post("/{workspace}/boards/{board}/ideas")
async def create_idea(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    found = await board_service.get_board(session, ctx, board)
    form = await form_data(request)
    raw_tags = (await request.form()).getlist("tags")
    picked = {int(t) for t in raw_tags if isinstance(t, str) and t.isdigit() and len(t) < 19}
    try:
        await rate_limit(request, "post", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
        if len(picked) != len(raw_tags):
            raise Invalid.field("tags", "includes a tag this workspace does not have")
        # A savepoint, not session.rollback(): a full rollback expires the workspace and board the
        # error page still needs, and reloading them lazily is not possible under asyncio.
        async with session.begin_nested():
            idea = await service.create_idea(
                session,
                ctx,
                board=found,
                title=form.get("title", ""),
                body=form.get("body", ""),
                tag_ids=sorted(picked),
            )
    except IdeaflowError as exc:
        return await _new_idea_page(
            request, session, ctx, found, form=form, error=exc, status_code=exc.status_code, picked=picked
        )
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{idea.number}")


async def idea_page_context(session, ctx: WorkspaceContext, view: IdeaView) -> dict:
    """Everything the idea page shows: the pinned official response and the timeline for everyone; the
    triage controls, every tag and the internal notes for staff only."""
    workspace_id, idea_id = ctx.workspace.id, view.idea.id
    return {
        "ctx": ctx,
        "view": view,
        "idea": view.idea,
        "thread": await comment_service.thread(session, ctx, view),
        "can_edit": service.can_edit(ctx, view.idea),
        "statuses": await status_service.status_set(session, workspace_id=workspace_id),
        "pinned": await status_service.pinned_response(session, workspace_id=workspace_id, idea_id=idea_id),
        "timeline": await status_service.timeline(session, workspace_id=workspace_id, idea_id=idea_id),
        "all_tags": await tag_service.list_tags(session, workspace_id=workspace_id) if ctx.is_staff else [],
        "notes": await comment_service.notes(session, ctx, view) if ctx.is_staff else [],
        **await merges_web.idea_page_extras(session, ctx, view),
        **await moderation_web.idea_page_extras(session, ctx, view),
        **await votes_web.on_behalf_extras(session, ctx, view),
    }


@router.get("/{workspace}/ideas/{number}")
async def idea_page(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep) -> Response:
    view = await service.get_idea(session, ctx, number)
    if (moved := merges_web.merged_redirect(request, ctx, view)) is not None:
        return moved
    return render(request, "ideas/idea.html", await idea_page_context(session, ctx, view))


@router.get("/{workspace}/ideas/{number}/edit")
async def edit_idea_page(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    view = await service.get_idea(session, ctx, number)
    service.require_edit(ctx, view.idea)
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    return render(
        request,
        "ideas/edit.html",
        {"ctx": ctx, "view": view, "idea": view.idea, "form": {}, "statuses": statuses},
    )


@router.post("/{workspace}/ideas/{number}/edit")
async def edit_idea(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    view = await service.get_idea(session, ctx, number)
    form = await form_data(request)
    try:
        status = form.get("status") if ctx.is_staff and form.get("status") else None
        async with session.begin_nested():
            await service.update_idea(
                session, ctx, view, title=form.get("title", ""), body=form.get("body", ""), status=status
            )
    except IdeaflowError as exc:
        # Reloading undoes any half-applied change to the idea before the form is shown again.
        view = await service.get_idea(session, ctx, number)
        statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
        return render(
            request,
            "ideas/edit.html",
            {"ctx": ctx, "view": view, "idea": view.idea, "form": form, "error": exc, "statuses": statuses},
            status_code=exc.status_code,
        )
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}")


@router.post("/{workspace}/ideas/{number}/delete")
async def delete_idea(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    view = await service.get_idea(session, ctx, number)
    await service.delete_idea(session, ctx, view)
    return redirect(request, f"/{ctx.workspace.slug}/boards/{view.row.board.slug}")

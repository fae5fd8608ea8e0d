"""Comment forms on the idea page: post, reply, edit and remove, with or without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.comments import repository, service
from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.errors import Forbidden, IdeaflowError, NotFound
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.web import idea_page_context
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, is_htmx, redirect, render
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


async def _after_change(
    request: Request, session, ctx: WorkspaceContext, number: int, anchor: str = "comments", **extra
) -> Response:
    view = await idea_service.get_idea(session, ctx, number)
    if is_htmx(request):
        context = await idea_page_context(session, ctx, view)
        context.update(extra)
        return render(
            request,
            "ideas/idea.html",
            context,
            block="comments",
            status_code=extra.get("error").status_code if extra.get("error") else 200,
        )
    if extra.get("error"):
        context = await idea_page_context(session, ctx, view)
        context.update(extra)
        return render(request, "ideas/idea.html", context, status_code=extra["error"].status_code)
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}#{anchor}")


@router.post("/{workspace}/ideas/{number}/notes")
async def add_note(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    """Staff post an internal note; the notes panel is swapped in place (or the page reloads without JS)."""
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            note = await service.add_note(session, ctx, view, body=form.get("body", ""))
    except IdeaflowError as exc:
        return await _after_note(request, session, ctx, number, note_error=exc, note_form=form)
    return await _after_note(request, session, ctx, number, anchor=f"comment-{note.id}")


async def _after_note(
    request: Request, session, ctx: WorkspaceContext, number: int, anchor: str = "notes", **extra
) -> Response:
    error = extra.get("note_error")
    if is_htmx(request) or error:
        view = await idea_service.get_idea(session, ctx, number)
        context = await idea_page_context(session, ctx, view)
        context.update(extra)
        return render(
            request,
            "ideas/idea.html",
            context,
            block="notes" if is_htmx(request) else None,
            status_code=error.status_code if error else 200,
        )
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}#{anchor}")


@router.post("/{workspace}/ideas/{number}/comments")
async def add_comment(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    parent = form.get("parent_id") or None
    try:
        await rate_limit(request, "comment", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
        parent_id = int(parent) if parent and parent.isdigit() else None
        # A savepoint, not session.rollback(): a full rollback expires the workspace and idea that the
        # page shown with the error still needs, and they cannot be reloaded lazily under asyncio.
        async with session.begin_nested():
            comment = await service.add_comment(session, ctx, view, body=form.get("body", ""), parent_id=parent_id)
    except IdeaflowError as exc:
        return await _after_change(request, session, ctx, number, error=exc, comment_form=form)
    return await _after_change(request, session, ctx, number, anchor=f"comment-{comment.id}")


async def _own_comment(session, ctx: WorkspaceContext, comment_id: int):
    comment = await repository.get(session, ctx.workspace.id, comment_id)
    if comment is None or comment.deleted_at is not None or (comment.internal and not ctx.is_staff):
        raise NotFound("No such comment.")
    view = await idea_service.get_idea(session, ctx, idea_id=comment.idea_id)
    return comment, view


@router.get("/{workspace}/comments/{comment_id}/edit")
async def edit_comment_page(
    request: Request, comment_id: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    comment, view = await _own_comment(session, ctx, comment_id)
    if comment.author_id != user.id:
        raise Forbidden("Only the author can edit a comment.")
    return render(request, "comments/edit.html", {"ctx": ctx, "comment": comment, "idea": view.idea, "form": {}})


@router.post("/{workspace}/comments/{comment_id}/edit")
async def edit_comment(
    request: Request, comment_id: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    form = await form_data(request)
    comment, view = await _own_comment(session, ctx, comment_id)
    try:
        async with session.begin_nested():
            await service.edit_comment(session, ctx, comment_id=comment_id, body=form.get("body", ""))
    except IdeaflowError as exc:
        return render(
            request,
            "comments/edit.html",
            {"ctx": ctx, "comment": comment, "idea": view.idea, "form": form, "error": exc},
            status_code=exc.status_code,
        )
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{view.idea.number}#comment-{comment_id}")


@router.post("/{workspace}/comments/{comment_id}/delete")
async def delete_comment(
    request: Request, comment_id: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    comment, view = await _own_comment(session, ctx, comment_id)
    await service.delete_comment(session, ctx, comment_id=comment_id)
    if comment.internal:
        return await _after_note(request, session, ctx, view.idea.number)
    return await _after_change(request, session, ctx, view.idea.number, anchor=f"comment-{comment_id}")

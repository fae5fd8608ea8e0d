"""Moderation pages: the queue (approve / reject, in place with htmx or as plain forms), the settings (admins),
blocked users, and the idea page's notice and staff controls."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.ideas.service import IdeaView
from ideaflow.kit.web import form_data, is_htmx, redirect, render
from ideaflow.moderation import service
from ideaflow.moderation.models import ModerationState
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


async def idea_page_extras(session, ctx: WorkspaceContext, view: IdeaView) -> dict:
    """What the idea page needs for moderation (the pending / rejected notice, staff's approve and reject).
    No query: everything is on the idea."""
    idea = view.idea
    state = ModerationState(idea.moderation_state)
    return {
        "moderation": {
            "state": state.value,
            "reason": idea.moderation_reason,
            "is_author": ctx.user is not None and ctx.user.id == idea.author_id,
            "published": state == ModerationState.approved,
        }
    }


def _checked(form: dict[str, str], name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def _base(ctx: WorkspaceContext) -> str:
    return f"/{ctx.workspace.slug}/admin/moderation"


async def _queue_page(
    request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, block: str | None = None, **extra
) -> Response:
    workspace_service.require_staff(ctx)
    found = await service.queue(session, ctx)
    policy = await service.get_policy(session, ctx) if ctx.is_admin else None
    return render(
        request,
        "moderation/queue.html",
        {"ctx": ctx, "queue": found, "policy": policy, **extra},
        block=block,
        status_code=status_code,
    )


@router.get("/{workspace}/admin/moderation")
async def queue_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _queue_page(request, session, ctx)


async def _after_decision(
    request: Request, session, ctx: WorkspaceContext, form: dict[str, str], *, number: int | None, error=None, **extra
) -> Response:
    """Back where the decision was taken: the idea page (`next=idea`) or the queue; the queue block in place
    for htmx; the page again with the message when something was refused."""
    if form.get("next") == "idea" and number is not None:
        if error is None:
            return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}")
        from ideaflow.ideas import service as idea_service
        from ideaflow.ideas.web import idea_page_context

        view = await idea_service.get_idea(session, ctx, number)
        context = await idea_page_context(session, ctx, view)
        context.update(moderation_error=error, moderation_form=form)
        return render(request, "ideas/idea.html", context, status_code=error.status_code)
    if is_htmx(request):
        return await _queue_page(
            request,
            session,
            ctx,
            block="queue",
            status_code=error.status_code if error else 200,
            decision_error=error,
            **extra,
        )
    if error is not None:
        return await _queue_page(request, session, ctx, status_code=error.status_code, decision_error=error, **extra)
    return redirect(request, _base(ctx))


@router.post("/{workspace}/admin/moderation/ideas/{number}/approve")
async def approve_idea(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    form = await form_data(request)
    idea = await service.get_idea(session, ctx, number)
    try:
        async with session.begin_nested():
            await service.approve_idea(session, ctx, idea=idea)
    except IdeaflowError as exc:
        return await _after_decision(request, session, ctx, form, number=number, error=exc, error_key=f"idea-{number}")
    return await _after_decision(request, session, ctx, form, number=number, done=f"Approved idea #{number}.")


@router.post("/{workspace}/admin/moderation/ideas/{number}/reject")
async def reject_idea(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    form = await form_data(request)
    idea = await service.get_idea(session, ctx, number)
    try:
        async with session.begin_nested():
            await service.reject_idea(session, ctx, idea=idea, reason=form.get("reason", ""))
    except IdeaflowError as exc:
        return await _after_decision(
            request, session, ctx, form, number=number, error=exc, error_key=f"idea-{number}", reject_form=form
        )
    return await _after_decision(request, session, ctx, form, number=number, done=f"Rejected idea #{number}.")


@router.post("/{workspace}/admin/moderation/comments/{comment_id}/approve")
async def approve_comment(request: Request, comment_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    form = await form_data(request)
    comment = await service.get_comment(session, ctx, comment_id)
    try:
        async with session.begin_nested():
            await service.approve_comment(session, ctx, comment=comment)
    except IdeaflowError as exc:
        return await _after_decision(
            request, session, ctx, form, number=None, error=exc, error_key=f"comment-{comment_id}"
        )
    return await _after_decision(request, session, ctx, form, number=None, done="Approved the comment.")


@router.post("/{workspace}/admin/moderation/comments/{comment_id}/reject")
async def reject_comment(request: Request, comment_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    form = await form_data(request)
    comment = await service.get_comment(session, ctx, comment_id)
    try:
        async with session.begin_nested():
            await service.reject_comment(session, ctx, comment=comment, reason=form.get("reason", ""))
    except IdeaflowError as exc:
        return await _after_decision(
            request,
            session,
            ctx,
            form,
            number=None,
            error=exc,
            error_key=f"comment-{comment_id}",
            reject_form=form,
        )
    return await _after_decision(request, session, ctx, form, number=None, done="Rejected the comment.")


@router.post("/{workspace}/admin/moderation/settings")
async def update_settings(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    form = await form_data(request)
    await service.update_policy(
        session,
        ctx,
        premoderate_ideas=_checked(form, "premoderate_ideas"),
        premoderate_comments=_checked(form, "premoderate_comments"),
        spam_signals=_checked(form, "spam_signals"),
    )
    return redirect(request, f"{_base(ctx)}#settings")


# ---------------------------------------------------------------- blocked users


async def _blocked_page(request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, **extra):
    blocks = await service.list_blocks(session, ctx)
    return render(request, "moderation/blocked.html", {"ctx": ctx, "blocks": blocks, **extra}, status_code=status_code)


@router.get("/{workspace}/admin/moderation/blocked")
async def blocked_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _blocked_page(request, session, ctx)


@router.post("/{workspace}/admin/moderation/blocked")
async def block_user(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    """Block by email (the blocked-users page) or by user id (a queue item)."""
    workspace_service.require_staff(ctx)
    form = await form_data(request)
    raw_id = form.get("user_id", "").strip()
    try:
        if form.get("content") not in ("hide", "keep"):
            raise Invalid.field("content", "choose whether to hide or keep what they posted")
        if raw_id and not raw_id.isdigit():
            raise Invalid.field("user_id", "is not a person")
        async with session.begin_nested():
            await service.block_user(
                session,
                ctx,
                user_id=int(raw_id) if raw_id else None,
                email=form.get("email", ""),
                reason=form.get("reason", ""),
                hide_content=form.get("content") == "hide",
            )
    except IdeaflowError as exc:
        return await _blocked_page(request, session, ctx, status_code=exc.status_code, block_error=exc, block_form=form)
    if form.get("next") == "queue":
        return redirect(request, _base(ctx))
    return redirect(request, f"{_base(ctx)}/blocked")


@router.post("/{workspace}/admin/moderation/blocked/{user_id}/unblock")
async def unblock_user(
    request: Request, user_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    await service.unblock_user(session, ctx, user_id=user_id)
    return redirect(request, f"{_base(ctx)}/blocked")

"""Changelog pages: the public list and entry pages, and the staff forms to write, publish and delete entries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.convertors import StringConvertor, register_url_convertor

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.changelog import service
from ideaflow.changelog.models import ChangelogEntry
from ideaflow.db import SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.kit.web import redirect, render
from ideaflow.statuses import service as status_service
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext


class EntrySlugConvertor(StringConvertor):
    """Entry slugs are lower-case letters, digits and dashes, so /{workspace}/changelog/feed.atom (the feed)
    never matches an entry's route."""

    regex = "[a-z0-9][a-z0-9-]*"


register_url_convertor("entry_slug", EntrySlugConvertor())
router = APIRouter()


@router.get("/{workspace}/changelog")
async def changelog_page(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    cursor = request.query_params.get("cursor")
    try:
        page = await service.list_entries(session, ctx, cursor=cursor, with_drafts=True)
    except Invalid:
        page = await service.list_entries(session, ctx, with_drafts=True)
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    return render(request, "changelog/list.html", {"ctx": ctx, "page": page, "statuses": statuses})


async def _form_page(
    request: Request,
    session,
    ctx: WorkspaceContext,
    *,
    entry: ChangelogEntry | None = None,
    form: dict | None = None,
    error: IdeaflowError | None = None,
    status_code: int = 200,
) -> Response:
    candidates = await service.candidate_ideas(session, ctx)
    done = await service.done_statuses(session, workspace_id=ctx.workspace.id)
    return render(
        request,
        "changelog/form.html",
        {
            "ctx": ctx,
            "entry": entry,
            "form": form or {},
            "error": error,
            "candidates": candidates,
            "done_statuses": done,
        },
        status_code=status_code,
    )


async def _read_form(request: Request) -> dict:
    """The submitted form as strings; `picked` holds the ticked idea checkboxes."""
    raw = await request.form()
    form: dict = {k: v for k, v in raw.items() if isinstance(v, str) and k != "ideas"}
    form["picked"] = [v for v in raw.getlist("ideas") if isinstance(v, str)]
    return form


def _idea_numbers(form: dict) -> list[int]:
    """The ticked ideas and the typed numbers together."""
    return service.parse_idea_numbers(" ".join(form["picked"]) + " " + form.get("idea_numbers", ""))


def _entry_form(view: service.EntryView) -> dict:
    return {
        "title": view.entry.title,
        "body": view.entry.body,
        "ship_status": view.entry.ship_status or "",
        "idea_numbers": ", ".join(str(linked.idea.number) for linked in view.ideas),
        "picked": [],
    }


def _staff(ctx: WorkspaceContext) -> None:
    workspace_service.require_staff(ctx)


@router.get("/{workspace}/changelog/new")
async def new_entry_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    _staff(ctx)
    return await _form_page(request, session, ctx)


@router.post("/{workspace}/changelog")
async def create_entry(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    _staff(ctx)
    form = await _read_form(request)
    try:
        numbers = _idea_numbers(form)
        async with session.begin_nested():
            entry = await service.create_entry(
                session,
                ctx,
                title=form.get("title", ""),
                body=form.get("body", ""),
                idea_numbers=numbers,
                ship_status=form.get("ship_status") or None,
                publish=form.get("action") == "publish",
            )
    except IdeaflowError as exc:
        return await _form_page(request, session, ctx, form=form, error=exc, status_code=exc.status_code)
    return redirect(request, f"/{ctx.workspace.slug}/changelog/{entry.slug}")


@router.get("/{workspace}/changelog/{slug:entry_slug}")
async def entry_page(request: Request, slug: str, ctx: WorkspaceDep, session: SessionDep) -> Response:
    view = await service.get_entry(session, ctx, slug=slug)
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    return render(request, "changelog/entry.html", {"ctx": ctx, "view": view, "statuses": statuses})


@router.get("/{workspace}/changelog/{slug:entry_slug}/edit")
async def edit_entry_page(
    request: Request, slug: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    _staff(ctx)
    view = await service.get_entry(session, ctx, slug=slug)
    return await _form_page(request, session, ctx, entry=view.entry, form=_entry_form(view))


@router.post("/{workspace}/changelog/{slug:entry_slug}/edit")
async def edit_entry(request: Request, slug: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    _staff(ctx)
    view = await service.get_entry(session, ctx, slug=slug)
    form = await _read_form(request)
    try:
        numbers = _idea_numbers(form)
        async with session.begin_nested():
            await service.update_entry(
                session,
                ctx,
                view.entry,
                title=form.get("title", ""),
                body=form.get("body", ""),
                idea_numbers=numbers,
                ship_status=form.get("ship_status", ""),
            )
            if form.get("action") == "publish":
                await service.publish_entry(session, ctx, view.entry)
    except IdeaflowError as exc:
        view = await service.get_entry(session, ctx, slug=slug)
        return await _form_page(
            request, session, ctx, entry=view.entry, form=form, error=exc, status_code=exc.status_code
        )
    return redirect(request, f"/{ctx.workspace.slug}/changelog/{slug}")


@router.post("/{workspace}/changelog/{slug:entry_slug}/publish")
async def publish_entry(
    request: Request, slug: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    _staff(ctx)
    view = await service.get_entry(session, ctx, slug=slug)
    await service.publish_entry(session, ctx, view.entry)
    return redirect(request, f"/{ctx.workspace.slug}/changelog/{slug}")


@router.post("/{workspace}/changelog/{slug:entry_slug}/delete")
async def delete_entry(request: Request, slug: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    _staff(ctx)
    view = await service.get_entry(session, ctx, slug=slug)
    await service.delete_entry(session, ctx, view.entry)
    return redirect(request, f"/{ctx.workspace.slug}/changelog")

"""Widget: the loader script (/widget.js), the framed /embed pages (a compact htmx portal signed in with a
widget session held in the frame's memory), and the admin's widget settings page."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import ViewerDep
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.comments import service as comment_service
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Invalid, Unauthorized
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.schemas import IdeaSort
from ideaflow.ideas.service import IdeaView
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, is_htmx, redirect, render
from ideaflow.statuses import service as status_service
from ideaflow.votes import repository as vote_repository
from ideaflow.votes import service as vote_service
from ideaflow.widget import repository, service
from ideaflow.widget.models import LauncherPosition, WidgetSettings
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()

_CSS_KEY = re.compile(r"^[a-z0-9_-]{1,32}$")
EVENT_HEADER = "X-Ideaflow-Event"
TOKEN_HEADER = "X-Ideaflow-Widget-Token"


# -- the loader ------------------------------------------------------------------------------------------


@dataclass
class _Loader:
    body: bytes
    etag: str


_loader_cache: dict[str, _Loader] = {}


def _loader() -> _Loader:
    path = get_settings().static_dir / "widget" / "widget.js"
    stamp = f"{path}:{path.stat().st_mtime_ns}"
    if stamp not in _loader_cache:
        body = path.read_bytes()
        _loader_cache.clear()
        _loader_cache[stamp] = _Loader(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return _loader_cache[stamp]


@router.get("/widget.js")
async def widget_js(request: Request) -> Response:
    """One script tag on the company's site. Cached briefly (the URL never changes), revalidated by ETag."""
    loader = _loader()
    headers = {
        "Cache-Control": "public, max-age=300, stale-while-revalidate=86400",
        "ETag": loader.etag,
        # Other sites load it with a plain <script> tag; it reads nothing of theirs and needs no CORS.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == loader.etag:
        return Response(status_code=304, headers=headers)
    return Response(loader.body, media_type="application/javascript; charset=utf-8", headers=headers)


# -- the embedded panel ----------------------------------------------------------------------------------


@dataclass
class Embed:
    """An /embed request: the workspace seen as a customer (never staff), the widget's settings, and the
    host page's origin when the loader named an allowed one."""

    ctx: WorkspaceContext
    settings: WidgetSettings
    parent_origin: str | None
    origin_refused: bool
    board: Board | None = None

    @property
    def base(self) -> str:
        return f"/embed/{self.ctx.workspace.slug}"

    def frame_policy(self) -> str:
        ancestors = " ".join(self.settings.allowed_origins) or "'none'"
        return (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            f"frame-ancestors {ancestors}"
        )


async def get_embed(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    workspace: Annotated[str, Path(max_length=40)],
    origin: Annotated[str, Query(max_length=300)] = "",
    board: Annotated[str, Query(max_length=40)] = "",
) -> Embed:
    loaded = await workspace_service.load_context(session, slug=workspace.lower(), user=None)
    # Only a widget session signs anyone in here: a portal cookie that reaches the frame is ignored, so the
    # frame never acts with a staff member's rights on another site.
    user = viewer.user if viewer.via == "widget" else None
    ctx = WorkspaceContext(workspace=loaded.workspace, user=user, role=None)
    settings = await service.load_settings(session, ctx.workspace.id)
    refused = bool(origin) and not service.origin_allowed(settings, origin)
    parent = service.normalise_origin(origin) if origin and not refused else None
    embed = Embed(ctx=ctx, settings=settings, parent_origin=parent, origin_refused=refused)
    if board:
        embed.board = await board_service.get_board(session, ctx, board)
    return embed


EmbedDep = Annotated[Embed, Depends(get_embed)]


def _render(
    request: Request,
    embed: Embed,
    template: str,
    context: dict | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    event: dict | None = None,
    token: str | None = None,
) -> Response:
    headers = {"Content-Security-Policy": embed.frame_policy()}
    if event is not None:
        headers[EVENT_HEADER] = json.dumps(event, ensure_ascii=True)
    if token is not None:
        headers[TOKEN_HEADER] = token
        headers["Cache-Control"] = "no-store"
    page = {
        "embed": embed,
        "ctx": embed.ctx,
        "settings": embed.settings,
        "board": embed.board,
        "portal_url": f"{get_settings().base_url}/{embed.ctx.workspace.slug}",
    }
    page.update(context or {})
    return render(request, template, page, block=block, status_code=status_code, headers=headers)


def _q(embed: Embed) -> str:
    """The query string that keeps an inline board's scope on links inside the frame."""
    return f"?board={embed.board.slug}" if embed.board else ""


def _idea_event(embed: Embed, view: IdeaView, kind: str, **extra) -> dict:
    idea = view.idea
    portal = f"{get_settings().base_url}/{embed.ctx.workspace.slug}/ideas/{idea.number}"
    return {"type": f"ideaflow:{kind}", "idea": {"number": idea.number, "title": idea.title, "url": portal}, **extra}


@router.get("/embed/{workspace}/theme.css")
async def theme_css(embed: EmbedDep, session: SessionDep) -> Response:
    """The workspace's brand colour and status colours as CSS (a stylesheet, so the frame's CSP needs no
    inline styles)."""
    colour = embed.settings.brand_color
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    on = "#111827" if luminance > 160 else "#ffffff"
    css = (
        f":root{{--brand:{colour};--on-brand:{on};--accent:{colour};"
        f"--accent-hover:color-mix(in srgb,{colour} 85%,#000);--on-accent:{on};--focus:{colour}}}\n"
    )
    for status in await status_service.list_statuses(session, workspace_id=embed.ctx.workspace.id):
        if _CSS_KEY.match(status.key) and service.HEX_COLOUR.match(status.colour):
            css += f'.badge--status[data-status="{status.key}"]{{--status-colour:{status.colour}}}\n'

    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=60"})


async def _list(request: Request, session, embed: Embed, *, mine: bool = False) -> Response:
    params = request.query_params
    try:
        sort = IdeaSort(params.get("sort") or "top")
    except ValueError:
        sort = IdeaSort.top
    q = (params.get("q") or "").strip()[:200]
    items: list[IdeaView] = []
    next_cursor = None
    if mine:
        if embed.ctx.user is not None:
            boards = await board_service.list_boards(session, embed.ctx)
            rows = await repository.ideas_by_author(
                session, embed.ctx.workspace.id, embed.ctx.user.id, [b.id for b in boards], 50
            )
            voted = await vote_repository.voted_idea_ids(
                session, embed.ctx.workspace.id, embed.ctx.user.id, [r.idea.id for r in rows]
            )
            items = [IdeaView(row=r, voted=r.idea.id in voted) for r in rows]
    else:
        try:
            page = await idea_service.list_ideas(
                session, embed.ctx, board=embed.board, sort=sort, query=q, cursor=params.get("cursor"), limit=15
            )
        except Invalid:
            page = await idea_service.list_ideas(session, embed.ctx, board=embed.board, sort=sort, query=q, limit=15)
        items, next_cursor = page.items, page.next_cursor
    context = {
        "items": items,
        "sort": sort,
        "sorts": list(IdeaSort),
        "q": q,
        "next_cursor": next_cursor,
        "mine": mine,
        "statuses": await status_service.status_set(session, workspace_id=embed.ctx.workspace.id) if items else None,
    }
    block = "idea_list" if request.headers.get("HX-Target") == "embed-list" else None
    return _render(request, embed, "embed/list.html", context, block=block)


@router.get("/embed/{workspace}")
async def embed_home(request: Request, embed: EmbedDep, session: SessionDep) -> Response:
    if embed.origin_refused:
        return _render(request, embed, "embed/refused.html", status_code=403)
    return await _list(request, session, embed)


@router.get("/embed/{workspace}/mine")
async def embed_mine(request: Request, embed: EmbedDep, session: SessionDep) -> Response:
    return await _list(request, session, embed, mine=True)


async def _detail(request: Request, session, embed: Embed, view: IdeaView, **kwargs) -> Response:
    context = {
        "view": view,
        "idea": view.idea,
        "thread": await comment_service.thread(session, embed.ctx, view),
        "statuses": await status_service.status_set(session, workspace_id=embed.ctx.workspace.id),
        "pinned": await status_service.pinned_response(
            session, workspace_id=embed.ctx.workspace.id, idea_id=view.idea.id
        ),
        "portal_url": f"{get_settings().base_url}/{embed.ctx.workspace.slug}/ideas/{view.idea.number}",
        **kwargs.pop("context", {}),
    }
    return _render(request, embed, "embed/idea.html", context, **kwargs)


@router.get("/embed/{workspace}/ideas/{number}")
async def embed_idea(request: Request, number: IdPath, embed: EmbedDep, session: SessionDep) -> Response:
    view = await idea_service.get_idea(session, embed.ctx, number)
    return await _detail(request, session, embed, view)


def _require_identified(embed: Embed) -> None:
    if embed.ctx.user is None:
        raise Unauthorized("Sign in on this site to do that.")


def _prompt(request: Request, embed: Embed, *, number: int | None, action: str) -> Response:
    """An anonymous visitor tried to act: ask for an email (when the workspace allows votes by email) or
    explain that signing in happens on the host site. Shown in the frame's prompt area."""
    response = _render(request, embed, "embed/prompt.html", {"number": number, "action": action, "form": {}})
    if is_htmx(request):
        response.headers["HX-Retarget"] = "#embed-prompt"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


@router.post("/embed/{workspace}/ideas/{number}/vote")
async def embed_vote(request: Request, number: IdPath, embed: EmbedDep, session: SessionDep) -> Response:
    if embed.ctx.user is None:
        return _prompt(request, embed, number=number, action="vote")
    await rate_limit(request, "vote", limit=get_settings().rate_limit_write_per_minute, subject=str(embed.ctx.user.id))
    form = await form_data(request)
    view = await idea_service.get_idea(session, embed.ctx, number, with_voted=False)
    if form.get("action") == "remove":
        result = await vote_service.remove_vote(session, embed.ctx, view)
    else:
        result = await vote_service.add_vote(session, embed.ctx, view)
    view.voted = result.voted
    event = _idea_event(embed, view, "vote", voted=result.voted, vote_count=result.vote_count)
    return _render(request, embed, "embed/vote.html", {"v": view}, event=event)


@router.post("/embed/{workspace}/ideas/{number}/email-vote")
async def embed_email_vote(request: Request, number: IdPath, embed: EmbedDep, session: SessionDep) -> Response:
    await rate_limit(request, "widget-email", limit=20)
    form = await form_data(request)
    view = await idea_service.get_idea(session, embed.ctx, number, with_voted=False)
    try:
        async with session.begin_nested():
            started = await service.start_email_session(session, embed.ctx.workspace, form.get("email", ""))
    except IdeaflowError as exc:
        response = _render(
            request, embed, "embed/prompt.html", {"number": number, "action": "vote", "form": form, "error": exc},
            status_code=exc.status_code,
        )  # fmt: skip
        if is_htmx(request):
            response.headers["HX-Retarget"] = "#embed-prompt"
            response.headers["HX-Reswap"] = "innerHTML"
        return response
    embed.ctx = WorkspaceContext(workspace=embed.ctx.workspace, user=started.user, role=None)
    result = await vote_service.add_vote(session, embed.ctx, view)
    view.voted = result.voted
    event = _idea_event(embed, view, "vote", voted=True, vote_count=result.vote_count)
    response = _render(
        request, embed, "embed/vote.html", {"v": view, "clear_prompt": True}, event=event, token=started.token
    )
    if is_htmx(request):
        response.headers["HX-Retarget"] = f"#vote-{number}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@router.post("/embed/{workspace}/ideas/{number}/comments")
async def embed_comment(request: Request, number: IdPath, embed: EmbedDep, session: SessionDep) -> Response:
    view = await idea_service.get_idea(session, embed.ctx, number)
    if embed.ctx.user is None:
        return _prompt(request, embed, number=number, action="comment")
    form = await form_data(request)
    try:
        await _limit_posts(request, embed)
        async with session.begin_nested():
            await comment_service.add_comment(session, embed.ctx, view, body=form.get("body", ""))
    except IdeaflowError as exc:
        return await _detail(
            request, session, embed, view, context={"comment_form": form, "comment_error": exc},
            status_code=exc.status_code,
        )  # fmt: skip
    return await _detail(request, session, embed, view, event=_idea_event(embed, view, "comment"))


async def _limit_posts(request: Request, embed: Embed) -> None:
    limit = get_settings().rate_limit_write_per_minute
    await rate_limit(request, "post", limit=limit, subject=str(embed.ctx.user.id))


async def _submittable_boards(session, embed: Embed) -> list[Board]:
    if embed.board is not None:
        return [embed.board] if embed.board.is_open else []
    return [b for b in await board_service.list_boards(session, embed.ctx) if b.is_open]


@router.get("/embed/{workspace}/new")
async def embed_new(request: Request, embed: EmbedDep, session: SessionDep) -> Response:
    boards = await _submittable_boards(session, embed)
    return _render(request, embed, "embed/new.html", {"boards": boards, "form": {}})


@router.get("/embed/{workspace}/similar")
async def embed_similar(
    request: Request, embed: EmbedDep, session: SessionDep, title: Annotated[str, Query(max_length=140)] = ""
) -> Response:
    views = []
    if len(title.strip()) >= 3:
        views = await idea_service.similar_ideas(session, embed.ctx, title=title, board=embed.board, limit=4)
    return _render(request, embed, "embed/similar.html", {"similar": views})


@router.post("/embed/{workspace}/ideas")
async def embed_create(request: Request, embed: EmbedDep, session: SessionDep) -> Response:
    boards = await _submittable_boards(session, embed)
    if embed.ctx.user is None:
        return _prompt(request, embed, number=None, action="submit")
    form = await form_data(request)
    try:
        await _limit_posts(request, embed)
        target = next((b for b in boards if b.slug == form.get("board")), None)
        if target is None:
            raise Invalid.field("board", "choose a board that takes new ideas")
        async with session.begin_nested():
            idea = await idea_service.create_idea(
                session, embed.ctx, board=target, title=form.get("title", ""), body=form.get("body", "")
            )
    except IdeaflowError as exc:
        return _render(
            request, embed, "embed/new.html", {"boards": boards, "form": form, "error": exc},
            status_code=exc.status_code,
        )  # fmt: skip
    view = await idea_service.get_idea(session, embed.ctx, idea_id=idea.id)
    return await _detail(
        request, session, embed, view, event=_idea_event(embed, view, "submit"), context={"just_posted": True}
    )


# -- admin settings --------------------------------------------------------------------------------------


async def _settings_page(
    request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, **context
) -> Response:
    workspace_service.require_admin(ctx)
    settings = await service.load_settings(session, ctx.workspace.id)
    secrets = await service.list_secrets(session, ctx)
    base = get_settings().base_url
    page = {
        "ctx": ctx,
        "settings": settings,
        "secrets": secrets,
        "positions": list(LauncherPosition),
        "app_origin": base,
        "form": {},
        **context,
    }
    return render(request, "widget/settings.html", page, status_code=status_code)


@router.get("/{workspace}/settings/widget")
async def settings_page(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    return await _settings_page(request, session, ctx)


@router.post("/{workspace}/settings/widget")
async def save_settings(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    workspace_service.require_admin(ctx)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.update_settings(
                session,
                ctx,
                allowed_origins=form.get("allowed_origins", ""),
                allow_email_votes=form.get("allow_email_votes") == "on",
                brand_color=form.get("brand_color", ""),
                logo_url=form.get("logo_url", ""),
                launcher_label=form.get("launcher_label", ""),
                launcher_position=form.get("launcher_position", ""),
            )
    except IdeaflowError as exc:
        return await _settings_page(request, session, ctx, status_code=exc.status_code, error=exc, form=form)
    return redirect(request, f"/{ctx.workspace.slug}/settings/widget?saved=1")


@router.post("/{workspace}/settings/widget/secrets")
async def create_secret(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    try:
        async with session.begin_nested():
            secret, raw = await service.create_secret(session, ctx)
    except IdeaflowError as exc:
        return await _settings_page(request, session, ctx, status_code=exc.status_code, secret_error=exc)
    return await _settings_page(request, session, ctx, new_secret=raw, new_secret_id=secret.id)


@router.post("/{workspace}/settings/widget/secrets/{secret_id}/rotate")
async def rotate_secret(request: Request, secret_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> Response:
    secret, raw = await service.rotate_secret(session, ctx, secret_id=secret_id)
    return await _settings_page(request, session, ctx, new_secret=raw, new_secret_id=secret.id)


@router.post("/{workspace}/settings/widget/secrets/{secret_id}/revoke")
async def revoke_secret(request: Request, secret_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> Response:
    await service.revoke_secret(session, ctx, secret_id=secret_id)
    return redirect(request, f"/{ctx.workspace.slug}/settings/widget#secrets")


@router.post("/{workspace}/settings/widget/test")
async def test_token(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    form = await form_data(request)
    token = form.get("token", "")
    try:
        verdict = await service.test_token(session, ctx, token)
    except IdeaflowError as exc:
        return await _settings_page(request, session, ctx, status_code=exc.status_code, test_error=exc, tested=token)
    return await _settings_page(request, session, ctx, verdict=verdict, tested=token)

"""create_app(): the ASGI application — lifespan, middleware, routers, static files, error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from ideaflow import __version__
from ideaflow.accounts import api as accounts_api
from ideaflow.accounts import web as accounts_web
from ideaflow.accounts.dependencies import ViewerDep, verify_api_csrf, verify_csrf
from ideaflow.audit import api as audit_api
from ideaflow.audit import web as audit_web
from ideaflow.backlog import api as backlog_api
from ideaflow.backlog import web as backlog_web
from ideaflow.boards import api as boards_api
from ideaflow.changelog import api as changelog_api
from ideaflow.changelog import web as changelog_web
from ideaflow.comments import api as comments_api
from ideaflow.comments import web as comments_web
from ideaflow.config import Settings, get_settings
from ideaflow.db import SAFE_METHODS, Database, create_engine
from ideaflow.errors import IdeaflowError, RateLimited, Unauthorized
from ideaflow.feeds import web as feeds_web
from ideaflow.ideas import api as ideas_api
from ideaflow.ideas import web as ideas_web
from ideaflow.invitations import api as invitations_api
from ideaflow.invitations import web as invitations_web
from ideaflow.kit.head import HeadAsGetMiddleware
from ideaflow.kit.middleware import SecurityMiddleware
from ideaflow.kit.nul import refuse_nul_characters
from ideaflow.kit.ratelimit import RateLimiter, has_own_rate_limit, rate_limit
from ideaflow.kit.redact import install_access_log_redaction
from ideaflow.kit.web import is_htmx, render
from ideaflow.merges import api as merges_api
from ideaflow.merges import web as merges_web
from ideaflow.moderation import api as moderation_api
from ideaflow.moderation import web as moderation_web
from ideaflow.notifications import api as notifications_api
from ideaflow.notifications import web as notifications_web
from ideaflow.outbox import web as outbox_web
from ideaflow.outbox.worker import start_in_process_worker
from ideaflow.ranking import api as ranking_api
from ideaflow.ranking import web as ranking_web
from ideaflow.roadmap import api as roadmap_api
from ideaflow.roadmap import web as roadmap_web
from ideaflow.statuses import api as statuses_api
from ideaflow.statuses import web as statuses_web
from ideaflow.tags import api as tags_api
from ideaflow.tags import web as tags_web
from ideaflow.triage import api as triage_api
from ideaflow.triage import web as triage_web
from ideaflow.votes import api as votes_api
from ideaflow.votes import web as votes_web
from ideaflow.webhooks import api as webhooks_api
from ideaflow.webhooks import web as webhooks_web
from ideaflow.widget import api as widget_api
from ideaflow.widget import web as widget_web
from ideaflow.workspaces import api as workspaces_api
from ideaflow.workspaces import web as workspaces_web

log = logging.getLogger("ideaflow")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(
    request: Request, status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {"error": code, "detail": message, "fields": fields or {}}, status_code=status, headers=headers
        )
    if status == 401:
        target = request.headers.get("HX-Current-URL") or str(request.url.path)
        url = "/signin?next=" + quote(target if target.startswith("/") else request.url.path)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=200, headers={"HX-Redirect": url})
        if request.method == "GET":
            return RedirectResponse(url, status_code=303)
    if is_htmx(request):
        return render(
            request,
            "components/toast.html",
            {"message": message, "level": "error"},
            status_code=status,
            headers={"HX-Retarget": "#toasts", "HX-Reswap": "beforeend", **(headers or {})},
        )
    return render(request, "error.html", {"status": status, "message": message}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IdeaflowError)
    async def ideaflow_error(request: Request, exc: IdeaflowError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if isinstance(exc, Unauthorized) and _wants_json(request):
            headers = {"WWW-Authenticate": "Bearer"}
        return _error_response(request, exc.status_code, exc.code, exc.message, exc.fields, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields: dict[str, str] = {}
        for error in exc.errors():
            loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
            fields[".".join(loc) or "body"] = error.get("msg", "is invalid")
        detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return _error_response(request, 422, "invalid", f"Invalid request — {detail}", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = {404: "Not found."}.get(exc.status_code, str(exc.detail))
        return _error_response(request, exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(request, 500, "internal", "Something went wrong on our side. Please try again.")


async def limit_api_writes(request: Request, viewer: ViewerDep) -> None:
    """Unsafe API calls count against the same per-user write budget as the web forms."""
    if request.method not in SAFE_METHODS and not has_own_rate_limit(request):
        subject = f"user:{viewer.user.id}" if viewer.user else None
        await rate_limit(request, "write", limit=get_settings().rate_limit_write_per_minute, subject=subject)


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_access_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or Database.from_engine(create_engine(settings))
        # A database handed in by tests is bound to one rolled-back transaction: no worker on it.
        outbox_worker = start_in_process_worker(app.state.database, settings) if owned else None
        yield
        if outbox_worker is not None:
            await outbox_worker.stop()
        if owned:
            await app.state.database.engine.dispose()

    app = FastAPI(
        title="ideaflow",
        version=__version__,
        description="Collect ideas, vote, answer and close the loop. Authenticate with "
        "`Authorization: Bearer <token>` (create tokens on your account page or with `ideaflow create-user`). "
        'Errors share one shape: `{"error": code, "detail": message, "fields": {field: reason}}`.',
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    if database is not None:
        app.state.database = database
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.redis_url)

    api = APIRouter(
        prefix="/api/v1",
        dependencies=[Depends(refuse_nul_characters), Depends(verify_api_csrf), Depends(limit_api_writes)],
    )
    for module in (
        accounts_api,
        workspaces_api,
        boards_api,
        ideas_api,
        votes_api,
        comments_api,
        statuses_api,
        tags_api,
        audit_api,
        notifications_api,
        invitations_api,
        webhooks_api,
        widget_api,
        ranking_api,
        backlog_api,
        roadmap_api,
        changelog_api,
        merges_api,
        moderation_api,
        triage_api,
    ):
        api.include_router(module.router)
    app.include_router(api)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ideaflow API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"ok": True}

    web = APIRouter(dependencies=[Depends(refuse_nul_characters), Depends(verify_csrf)], include_in_schema=False)
    # Fixed paths first; the workspace routes (/{workspace}/...) come last.
    for module in (
        accounts_web,
        widget_web,
        invitations_web,
        notifications_web,
        statuses_web,
        tags_web,
        audit_web,
        merges_web,
        moderation_web,
        triage_web,
        outbox_web,
        webhooks_web,
        ranking_web,
        backlog_web,
        roadmap_web,
        changelog_web,
        feeds_web,
        workspaces_web,
        ideas_web,
        votes_web,
        comments_web,
    ):
        web.include_router(module.router)
    app.include_router(web)

    node_modules = settings.node_modules_dir
    app.mount(
        "/static/vendor/htmx", StaticFiles(directory=node_modules / "htmx.org" / "dist", check_dir=False), name="htmx"
    )
    app.mount(
        "/static/vendor/swagger-ui",
        StaticFiles(directory=node_modules / "swagger-ui-dist", check_dir=False),
        name="swagger-ui",
    )
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")

    _install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(SecurityMiddleware, secure_cookies=settings.cookie_secure, hsts=settings.cookie_secure)
    return app

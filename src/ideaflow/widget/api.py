"""Widget: JSON API — trading an identity token for a widget session, the launcher's public config, and
the admin's settings, signing secrets and token tester."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import NotFound
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.widget import service
from ideaflow.widget.schemas import (
    TokenCheckRead,
    TokenTest,
    TokenTestRead,
    WidgetConfigRead,
    WidgetSecretCreated,
    WidgetSecretRead,
    WidgetSessionCreate,
    WidgetSessionRead,
    WidgetSettingsRead,
    WidgetSettingsUpdate,
)
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["widget"])


@router.post("/{workspace}/widget/session", response_model=WidgetSessionRead, status_code=201)
async def start_session(
    request: Request, workspace: str, body: WidgetSessionCreate, session: SessionDep
) -> WidgetSessionRead:
    """Trade your server's signed identity token for a short-lived widget session. The widget's frame calls
    this (same origin); the session token lives in the frame's memory, never in a cookie."""
    # Per address: every page view of the company's app may start a session, so more than sign-ins allow.
    await rate_limit(request, "widget-session", limit=get_settings().rate_limit_auth_per_minute * 6)
    found = await workspace_repository.get_by_slug(session, workspace.lower())
    if found is None:
        raise NotFound("No such workspace.")
    started = await service.start_session(session, found, body.token)
    return WidgetSessionRead(token=started.token, expires_at=started.expires_at, name=started.user.name)


@router.get("/{workspace}/widget/config", response_model=WidgetConfigRead)
async def widget_config(request: Request, workspace: str, session: SessionDep, response: Response) -> WidgetConfigRead:
    """The launcher's look. Readable cross-origin by the workspace's allowed origins only (the loader fetches
    it from the company's page)."""
    found = await workspace_repository.get_by_slug(session, workspace.lower())
    if found is None:
        raise NotFound("No such workspace.")
    settings = await service.load_settings(session, found.id)
    origin = request.headers.get("origin")
    if service.origin_allowed(settings, origin):
        response.headers["Access-Control-Allow-Origin"] = service.normalise_origin(origin)
        response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "public, max-age=60"
    return WidgetConfigRead(
        brand_color=settings.brand_color,
        launcher_label=settings.launcher_label,
        launcher_position=settings.launcher_position,
        logo_url=settings.logo_url,
    )


@router.get("/{workspace}/widget/settings", response_model=WidgetSettingsRead)
async def read_settings(ctx: WorkspaceDep, session: SessionDep):
    workspace_service.require_admin(ctx)
    return await service.load_settings(session, ctx.workspace.id)


@router.patch("/{workspace}/widget/settings", response_model=WidgetSettingsRead)
async def update_settings(ctx: WorkspaceDep, session: SessionDep, body: WidgetSettingsUpdate):
    return await service.update_settings(session, ctx, **body.model_dump(exclude_unset=True))


@router.get("/{workspace}/widget/secrets", response_model=list[WidgetSecretRead])
async def list_secrets(ctx: WorkspaceDep, session: SessionDep):
    return await service.list_secrets(session, ctx)


@router.post("/{workspace}/widget/secrets", response_model=WidgetSecretCreated, status_code=201)
async def create_secret(ctx: WorkspaceDep, session: SessionDep) -> WidgetSecretCreated:
    """A new signing secret (at most two are active). The secret is in this response only."""
    secret, raw = await service.create_secret(session, ctx)
    return WidgetSecretCreated(**WidgetSecretRead.model_validate(secret).model_dump(), secret=raw)


@router.post("/{workspace}/widget/secrets/{secret_id}/rotate", response_model=WidgetSecretCreated, status_code=201)
async def rotate_secret(secret_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> WidgetSecretCreated:
    """Revoke this secret and create its replacement."""
    secret, raw = await service.rotate_secret(session, ctx, secret_id=secret_id)
    return WidgetSecretCreated(**WidgetSecretRead.model_validate(secret).model_dump(), secret=raw)


@router.post("/{workspace}/widget/secrets/{secret_id}/revoke", response_model=WidgetSecretRead)
async def revoke_secret(secret_id: IdPath, ctx: WorkspaceDep, session: SessionDep):
    """Tokens signed with it, and widget sessions started with them, stop working at once."""
    return await service.revoke_secret(session, ctx, secret_id=secret_id)


@router.post("/{workspace}/widget/token-test", response_model=TokenTestRead)
async def token_test(ctx: WorkspaceDep, session: SessionDep, body: TokenTest) -> TokenTestRead:
    """Check an identity token the way the widget would, and say exactly what is wrong with it."""
    verdict = await service.test_token(session, ctx, body.token)
    return TokenTestRead(
        ok=verdict.ok,
        checks=[TokenCheckRead(name=c.name, ok=c.ok, detail=c.detail) for c in verdict.checks],
        claims=verdict.claims,
        header=verdict.header,
    )

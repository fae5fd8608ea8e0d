"""Who is asking: the viewer from the session cookie, a personal API token or a widget session token,
and the CSRF check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from ideaflow.accounts import service
from ideaflow.accounts.models import User
from ideaflow.config import get_settings
from ideaflow.db import SAFE_METHODS, Database, SessionDep
from ideaflow.errors import CsrfError, Forbidden, Unauthorized
from ideaflow.kit.middleware import EMBED_PREFIX, SESSION_COOKIE
from ideaflow.kit.security import csrf_matches, csrf_token

WIDGET_TOKEN_PREFIX = "ifw_"  # the widget's session tokens (see ideaflow.widget.service)


@dataclass
class Viewer:
    user: User | None
    # "cookie" for browsers, "token" for API clients, "widget" for the embedded widget (a company's user,
    # never staff, only inside `widget_workspace_id`), None for anonymous visitors.
    via: str | None = None
    session_token: str | None = None
    widget_workspace_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None


async def get_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = Viewer(user=None)
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer ") and auth[7:].strip().startswith(WIDGET_TOKEN_PREFIX):
        viewer = await _widget_viewer(request, session, auth[7:].strip())
    elif auth.lower().startswith("bearer "):
        found = await service.user_for_api_token(session, auth[7:].strip())
        if found is None:
            raise Unauthorized("The API token is invalid or has been revoked.")
        user, token = found
        if service.token_use_is_stale(token, datetime.now(UTC)):
            if request.method in SAFE_METHODS:
                # Reads run in a read transaction; note the use in a short write of its own.
                database: Database = request.app.state.database
                async with database.write.begin() as write:
                    await service.record_token_use(write, token.id)
            else:
                await service.record_token_use(session, token.id)
        viewer = Viewer(user=user, via="token")
    else:
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            user = await service.user_for_session_token(session, raw)
            if user is not None:
                viewer = Viewer(user=user, via="cookie", session_token=raw)
    if viewer.user is not None:
        # The viewer outlives the request's transaction: error pages are rendered after the rollback,
        # which would otherwise expire the user and fail the page that names them in its header.
        session.expunge(viewer.user)
    request.state.viewer = viewer
    request.state.csrf = csrf_token(get_settings().effective_secret_key(), csrf_binding(request, viewer))
    return viewer


async def _widget_viewer(request: Request, session, raw: str) -> Viewer:
    """A widget session speaks for one company user in one workspace: any other workspace, and every route
    outside a workspace (account pages, tokens), refuses it."""
    from ideaflow.widget import service as widget_service

    found = await widget_service.viewer_for_token(session, raw)
    if found is None:
        raise Unauthorized("The widget session has expired or been revoked.", code="widget_session_expired")
    if str(request.path_params.get("workspace", "")).lower() != found.workspace.slug:
        raise Unauthorized("A widget session only works in its own workspace.", code="widget_session_scope")
    if found.vote_only and request.method not in SAFE_METHODS and not request.url.path.endswith("/vote"):
        # An email typed into the widget is not verified: it buys a vote, not a voice.
        raise Forbidden("Sign in on this site to comment or suggest ideas; an email only lets you vote.")
    return Viewer(user=found.user, via="widget", widget_workspace_id=found.workspace.id)


def csrf_binding(request: Request, viewer: Viewer) -> str:
    return viewer.session_token or request.state.anon_csrf


async def verify_csrf(request: Request, viewer: Annotated[Viewer, Depends(get_viewer)]) -> None:
    """Every unsafe request that rides on cookies must carry the page's CSRF token, as the
    `csrf_token` form field or the X-CSRF-Token header (htmx sends it from the body's hx-headers)."""
    # Bearer tokens (API and widget) are not sent by browsers on their own, so they cannot be forged cross-site.
    if request.method in SAFE_METHODS or viewer.via in ("token", "widget"):
        return
    if viewer.via is None and request.url.path.startswith(EMBED_PREFIX):
        # Anonymous widget requests (the vote-by-email form) carry no credentials to borrow, and inside a
        # third-party frame the anonymous CSRF cookie may be blocked.
        return
    presented = request.headers.get("X-CSRF-Token")
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else None
    if not csrf_matches(get_settings().effective_secret_key(), csrf_binding(request, viewer), presented):
        raise CsrfError("This form has expired or did not come from this site. Reload the page and try again.")


async def require_user(viewer: Annotated[Viewer, Depends(get_viewer)]) -> User:
    if viewer.user is None:
        raise Unauthorized("Sign in to do that.")
    return viewer.user


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
CurrentUser = Annotated[User, Depends(require_user)]
CsrfChecked = Depends(verify_csrf)


async def verify_api_csrf(request: Request, viewer: Annotated[Viewer, Depends(get_viewer)]) -> None:
    """The API needs a CSRF header only when a browser's session cookie authenticates the call."""
    if viewer.via == "cookie":
        await verify_csrf(request, viewer)

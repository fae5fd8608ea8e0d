"""Widget test helpers: a workspace with an allowed origin and an active secret, and identity tokens minted
the way a company's server mints them (PyJWT, HS256)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.widget import service
from ideaflow.workspaces.models import Workspace
from tests.factories import make_workspace, owner_context

HOST_ORIGIN = "https://app.customer.example"


@dataclass
class WidgetSetup:
    workspace: Workspace
    secret: str
    secret_id: int
    key_id: str


async def make_widget_workspace(
    session: AsyncSession, *, origins: list[str] | None = None, email_votes: bool = False
) -> WidgetSetup:
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    await service.update_settings(
        session, ctx, allowed_origins=origins if origins is not None else [HOST_ORIGIN], allow_email_votes=email_votes
    )
    secret, raw = await service.create_secret(session, ctx)
    return WidgetSetup(workspace=workspace, secret=raw, secret_id=secret.id, key_id=secret.key_id)


def mint(
    secret: str,
    *,
    aud: str | None,
    sub: str | None = "cust-42",
    exp_in: int | None = 600,
    algorithm: str = "HS256",
    **claims,
) -> str:
    now = int(time.time())
    payload: dict = {"iat": now, **claims}
    if sub is not None:
        payload["sub"] = sub
    if aud is not None:
        payload["aud"] = aud
    if exp_in is not None:
        payload["exp"] = now + exp_in
    return jwt.encode(payload, secret if algorithm != "none" else None, algorithm=algorithm)

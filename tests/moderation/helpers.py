"""Shared set-up for the moderation tests: a workspace with one person per role (tests/statuses/scene.py),
pre-moderation switches, outbox look-ups and contexts."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.audit.models import AuditEvent
from ideaflow.moderation import service as moderation_service
from ideaflow.outbox.models import OutboxEvent
from ideaflow.workspaces.models import Workspace
from tests.factories import context, owner_context


async def premoderate(session, workspace: Workspace, *, ideas: bool = True, comments: bool = True) -> None:
    ctx = await owner_context(session, workspace)
    await moderation_service.update_policy(session, ctx, premoderate_ideas=ideas, premoderate_comments=comments)


async def events(session, workspace: Workspace, type: str) -> list[OutboxEvent]:
    return list(
        await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.workspace_id == workspace.id, OutboxEvent.type == type)
            .order_by(OutboxEvent.id)
        )
    )


async def audit_actions(session, workspace: Workspace) -> list[tuple[str, int | None]]:
    rows = await session.execute(
        select(AuditEvent.action, AuditEvent.target_id)
        .where(AuditEvent.workspace_id == workspace.id)
        .order_by(AuditEvent.id)
    )
    return [(a, t) for a, t in rows]


async def ctx_of(session, workspace: Workspace, user):
    return await context(session, workspace, user)

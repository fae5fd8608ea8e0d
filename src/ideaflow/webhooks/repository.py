"""Queries for webhook endpoints and deliveries; every one is scoped to its workspace."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.webhooks.models import WebhookDelivery, WebhookEndpoint


async def list_endpoints(session: AsyncSession, *, workspace_id: int) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id).order_by(WebhookEndpoint.id)
    return list(await session.scalars(query))


async def list_enabled_endpoints(session: AsyncSession, *, workspace_id: int) -> list[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)
    )
    return list(await session.scalars(query))


async def get_endpoint(session: AsyncSession, *, workspace_id: int, endpoint_id: int) -> WebhookEndpoint | None:
    return await session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.id == endpoint_id)
    )


async def get_endpoint_for_update(session: AsyncSession, *, endpoint_id: int) -> WebhookEndpoint | None:
    """For the delivery recorder: the row locked on PostgreSQL, so concurrent outcomes count the streak right."""
    return await session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).with_for_update())


async def list_deliveries(
    session: AsyncSession, *, workspace_id: int, endpoint_id: int, limit: int, before_id: int | None = None
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(
        WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.endpoint_id == endpoint_id
    )
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return list(await session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


async def get_delivery(session: AsyncSession, *, workspace_id: int, delivery_id: int) -> WebhookDelivery | None:
    return await session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.id == delivery_id)
    )


async def attempts_of(session: AsyncSession, *, workspace_id: int, msg_ids: list[str]) -> list[WebhookDelivery]:
    """Every earlier attempt of these messages, oldest first: the idempotency record of the handler."""
    if not msg_ids:
        return []
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.msg_id.in_(msg_ids))
        .order_by(WebhookDelivery.id)
    )
    return list(await session.scalars(query))


async def last_delivery_by_endpoint(session: AsyncSession, *, workspace_id: int) -> dict[int, WebhookDelivery]:
    """The latest attempt of each endpoint of a workspace, in one query (for the list page)."""
    latest = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.workspace_id == workspace_id)
        .group_by(WebhookDelivery.endpoint_id)
    )
    rows = await session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(latest)))
    return {row.endpoint_id: row for row in rows}

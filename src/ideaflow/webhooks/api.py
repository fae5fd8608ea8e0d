"""Webhooks: JSON API for workspace admins — endpoints, their secrets, the delivery log, redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import ID_MAX, IdPath, SessionDep
from ideaflow.webhooks import service
from ideaflow.webhooks.schemas import (
    DeliveryRead,
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    EventTypeRead,
    Queued,
)
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["webhooks"])


def _settings(request: Request):
    return request.app.state.settings


@router.get("/{workspace}/webhooks/event-types", response_model=list[EventTypeRead], summary="Event types (admins)")
async def event_types(ctx: WorkspaceDep, _: CurrentUser) -> list[EventTypeRead]:
    service.require_admin(ctx)
    return [EventTypeRead(type=t, description=d) for t, d in service.EVENT_TYPES.items()]


@router.get("/{workspace}/webhooks", response_model=list[EndpointRead], summary="Webhook endpoints (admins)")
async def list_endpoints(ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> list[EndpointRead]:
    return [EndpointRead.model_validate(e) for e, _last in await service.list_endpoints(session, ctx)]


@router.post(
    "/{workspace}/webhooks",
    response_model=EndpointWithSecret,
    status_code=status.HTTP_201_CREATED,
    summary="Register an endpoint (admins); the answer holds its secret, shown this once",
)
async def create_endpoint(
    payload: EndpointCreate, request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> EndpointWithSecret:
    endpoint = await service.create_endpoint(
        session,
        ctx,
        url=payload.url,
        description=payload.description,
        event_types=payload.event_types,
        settings=_settings(request),
    )
    return EndpointWithSecret.model_validate(endpoint)


@router.get("/{workspace}/webhooks/{endpoint_id}", response_model=EndpointRead, summary="An endpoint (admins)")
async def get_endpoint(endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> EndpointRead:
    return EndpointRead.model_validate(await service.get_endpoint(session, ctx, endpoint_id))


@router.patch(
    "/{workspace}/webhooks/{endpoint_id}", response_model=EndpointRead, summary="Change or re-enable an endpoint"
)
async def update_endpoint(
    endpoint_id: IdPath,
    payload: EndpointUpdate,
    request: Request,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
) -> EndpointRead:
    endpoint = await service.update_endpoint(
        session,
        ctx,
        endpoint_id,
        settings=_settings(request),
        url=payload.url,
        description=payload.description,
        event_types=payload.event_types,
        enabled=payload.enabled,
    )
    return EndpointRead.model_validate(endpoint)


@router.delete(
    "/{workspace}/webhooks/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an endpoint"
)
async def delete_endpoint(endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    await service.delete_endpoint(session, ctx, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{workspace}/webhooks/{endpoint_id}/rotate-secret",
    response_model=EndpointWithSecret,
    summary="Replace the signing secret; the old one keeps signing for 24 hours",
)
async def rotate_secret(
    endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> EndpointWithSecret:
    return EndpointWithSecret.model_validate(await service.rotate_secret(session, ctx, endpoint_id))


@router.post(
    "/{workspace}/webhooks/{endpoint_id}/test",
    response_model=Queued,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a `webhook.test` message; its outcome appears in the delivery log",
)
async def send_test(endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Queued:
    await service.request_test(session, ctx, endpoint_id)
    return Queued(detail="A test message is on its way; its outcome will appear in the delivery log.")


@router.get(
    "/{workspace}/webhooks/{endpoint_id}/deliveries",
    response_model=list[DeliveryRead],
    summary="The delivery log, newest first (admins)",
)
async def list_deliveries(
    endpoint_id: IdPath,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=ID_MAX, description="Page on: the last id seen.")] = None,
) -> list[DeliveryRead]:
    rows = await service.list_deliveries(session, ctx, endpoint_id, limit=limit, before_id=before_id)
    return [DeliveryRead.model_validate(d) for d in rows]


@router.post(
    "/{workspace}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response_model=Queued,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a past message again (same webhook-id, fresh signature)",
)
async def redeliver(
    endpoint_id: IdPath, delivery_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Queued:
    await service.request_redelivery(session, ctx, endpoint_id, delivery_id)
    return Queued(detail="The message is on its way again; the new attempt will appear in the delivery log.")

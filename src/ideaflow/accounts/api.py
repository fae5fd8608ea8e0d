"""Account API: who am I, and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from ideaflow.accounts import service
from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.accounts.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenRead, UserRead
from ideaflow.db import IdPath, SessionDep

router = APIRouter(tags=["account"])


@router.get("/me", response_model=UserRead, summary="The signed-in user")
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.get("/me/tokens", response_model=list[ApiTokenRead], summary="My API tokens")
async def list_tokens(session: SessionDep, user: CurrentUser) -> list[ApiTokenRead]:
    return [ApiTokenRead.model_validate(t) for t in await service.list_api_tokens(session, user=user)]


@router.post(
    "/me/tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token (the secret is returned once)",
)
async def create_token(payload: ApiTokenCreate, session: SessionDep, user: CurrentUser) -> ApiTokenCreated:
    token, raw = await service.create_api_token(session, user=user, name=payload.name)
    return ApiTokenCreated(**ApiTokenRead.model_validate(token).model_dump(), token=raw)


@router.delete("/me/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an API token")
async def revoke_token(token_id: IdPath, session: SessionDep, user: CurrentUser) -> None:
    await service.revoke_api_token(session, user=user, token_id=token_id)

"""Account API: who am I, personal API tokens, password resets and email verification."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from ideaflow.accounts import service
from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.accounts.schemas import (
    Accepted,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    PasswordResetConfirm,
    PasswordResetRequest,
    UserRead,
)
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.kit.ratelimit import rate_limit

router = APIRouter(tags=["account"])


def user_read(user) -> UserRead:
    return UserRead(
        id=user.id,
        name=user.name,
        email=user.email,
        email_verified=user.email_verified_at is not None,
        created_at=user.created_at,
    )


@router.get("/me", response_model=UserRead, summary="The signed-in user")
async def me(user: CurrentUser) -> UserRead:
    return user_read(user)


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


RESET_ANSWER = "If an account uses this address, a link to reset its password has been sent."


@router.post(
    "/password-reset",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Email a password reset link (the answer is the same whether or not the address has an account)",
)
async def request_password_reset(payload: PasswordResetRequest, request: Request, session: SessionDep) -> Accepted:
    await rate_limit(request, "password-reset", limit=get_settings().rate_limit_auth_per_minute)
    await rate_limit(request, "password-reset-email", limit=3, subject=str(payload.email).lower())
    await service.request_password_reset(session, email=str(payload.email))
    return Accepted(detail=RESET_ANSWER)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with the emailed token; every session of the account is signed out",
)
async def confirm_password_reset(payload: PasswordResetConfirm, request: Request, session: SessionDep) -> None:
    await rate_limit(request, "password-reset", limit=get_settings().rate_limit_auth_per_minute)
    await service.reset_password(session, raw=payload.token, password=payload.password)


@router.post(
    "/me/verification-email",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send the email verification link again",
)
async def resend_verification(request: Request, session: SessionDep, user: CurrentUser) -> Accepted:
    await rate_limit(request, "verify-email", limit=5, subject=str(user.id))
    await service.request_verification(session, user=user)
    return Accepted(detail="A verification link has been sent, unless the address is already verified.")

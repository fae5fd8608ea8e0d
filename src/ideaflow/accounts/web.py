"""Account pages: sign up, sign in, sign out, and the account page with API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts import service
from ideaflow.accounts.dependencies import CurrentUser, ViewerDep
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Invalid, RateLimited
from ideaflow.kit.middleware import SESSION_COOKIE
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, redirect, render, safe_next

router = APIRouter()


def _retry_after(exc: IdeaflowError) -> dict[str, str] | None:
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None


def _set_session_cookie(response: Response, raw: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=settings.session_days * 86_400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


async def _begin_session(request: Request, session, viewer, user) -> Response:
    # Rotate: whatever session this browser had is ended, and a new secret is issued.
    if viewer.session_token:
        await service.end_session(session, viewer.session_token)
    raw = await service.start_session(
        session, user, days=get_settings().session_days, user_agent=request.headers.get("user-agent", "")
    )
    response = redirect(request, safe_next(request.query_params.get("next")))
    _set_session_cookie(response, raw)
    return response


@router.get("/signin")
async def signin_page(request: Request) -> Response:
    return render(request, "accounts/signin.html", {"next": safe_next(request.query_params.get("next"), "")})


@router.post("/signin")
async def signin(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    form = await form_data(request)
    try:
        await rate_limit(request, "signin", limit=get_settings().rate_limit_auth_per_minute)
        await rate_limit(
            request,
            "signin-email",
            limit=get_settings().rate_limit_auth_per_minute,
            subject=form.get("email", "").strip().lower(),
        )
        if not form.get("email", "").strip():
            raise Invalid.field("email", "is required")
        async with session.begin_nested():
            user = await service.authenticate(session, email=form.get("email", ""), password=form.get("password", ""))
    except IdeaflowError as exc:
        return render(
            request,
            "accounts/signin.html",
            {"error": exc, "form": form, "next": safe_next(request.query_params.get("next"), "")},
            status_code=exc.status_code,
            headers=_retry_after(exc),
        )
    return await _begin_session(request, session, viewer, user)


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    return render(request, "accounts/signup.html", {"next": safe_next(request.query_params.get("next"), "")})


@router.post("/signup")
async def signup(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    form = await form_data(request)
    try:
        await rate_limit(request, "signup", limit=get_settings().rate_limit_auth_per_minute)
        email = form.get("email", "").strip()
        if not email or "@" not in email or len(email) > 254:
            raise Invalid.field("email", "enter a valid email address")
        async with session.begin_nested():
            user = await service.sign_up(
                session, email=email, name=form.get("name", ""), password=form.get("password", "")
            )
    except IdeaflowError as exc:
        return render(
            request,
            "accounts/signup.html",
            {"error": exc, "form": form, "next": safe_next(request.query_params.get("next"), "")},
            status_code=exc.status_code,
            headers=_retry_after(exc),
        )
    return await _begin_session(request, session, viewer, user)


@router.post("/signout")
async def signout(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.session_token:
        await service.end_session(session, viewer.session_token)
    response = redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
async def account(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    tokens = await service.list_api_tokens(session, user=user)
    return render(request, "accounts/account.html", {"tokens": tokens})


@router.post("/account/tokens")
async def create_token(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await form_data(request)
    try:
        async with session.begin_nested():
            token, raw = await service.create_api_token(session, user=user, name=form.get("name", ""))
    except IdeaflowError as exc:
        tokens = await service.list_api_tokens(session, user=user)
        return render(
            request,
            "accounts/account.html",
            {"tokens": tokens, "error": exc, "form": form},
            status_code=exc.status_code,
        )
    tokens = await service.list_api_tokens(session, user=user)
    return render(
        request,
        "accounts/account.html",
        {"tokens": tokens, "new_token": raw, "new_token_id": token.id},
        status_code=201,
    )


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: IdPath, session: SessionDep, user: CurrentUser) -> Response:
    await service.revoke_api_token(session, user=user, token_id=token_id)
    return redirect(request, "/account")

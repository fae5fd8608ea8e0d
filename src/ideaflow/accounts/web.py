"""Account pages: sign up, sign in, sign out, email verification, password reset, and the account page with
API tokens."""

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


async def begin_session(request: Request, session, viewer, user, target: str | None = None) -> Response:
    """Sign the browser in as `user` and go on to `target` (or the page named by ?next=)."""
    # Rotate: whatever session this browser had is ended, and a new secret is issued.
    if viewer.session_token:
        await service.end_session(session, viewer.session_token)
    raw = await service.start_session(
        session, user, days=get_settings().session_days, user_agent=request.headers.get("user-agent", "")
    )
    response = redirect(request, target or safe_next(request.query_params.get("next")))
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
    return await begin_session(request, session, viewer, user)


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
            registration = await service.register(
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
    if registration.claim_pending:
        # The address already has an account someone made for its owner: only its inbox can claim it.
        return render(request, "accounts/check_email.html", {"email": registration.user.email, "claim": True})
    return await begin_session(request, session, viewer, registration.user)


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
    notice = {
        "verified": "Your email address is confirmed.",
        "reset": "Your new password is set. Every other session was signed out.",
    }
    shown = next((text for key, text in notice.items() if request.query_params.get(key)), None)
    return render(request, "accounts/account.html", {"tokens": tokens, "notice": shown})


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


@router.post("/account/verify-email")
async def resend_verification(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    await rate_limit(request, "verify-email", limit=5, subject=str(user.id))
    await service.request_verification(session, user=user)
    return render(request, "accounts/check_email.html", {"email": user.email, "claim": False})


@router.get("/verify-email/{token}")
async def verify_email_page(request: Request, token: str, session: SessionDep) -> Response:
    """A page with a button, not the verification itself: mail scanners open links, people press buttons."""
    try:
        user = await service.check_verification_token(session, token)
    except IdeaflowError as exc:
        return render(request, "accounts/verify_email.html", {"error": exc}, status_code=exc.status_code)
    return render(request, "accounts/verify_email.html", {"token": token, "email": user.email})


@router.post("/verify-email/{token}")
async def verify_email(request: Request, token: str, session: SessionDep, viewer: ViewerDep) -> Response:
    try:
        async with session.begin_nested():
            user = await service.verify_email(session, raw=token)
    except IdeaflowError as exc:
        return render(request, "accounts/verify_email.html", {"error": exc}, status_code=exc.status_code)
    if viewer.user is not None and viewer.user.id == user.id:
        return redirect(request, "/account?verified=1")
    return await begin_session(request, session, viewer, user, "/account?verified=1")


# Password reset: the same answer whether or not the address has an account.


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    return render(request, "accounts/forgot_password.html", {})


@router.post("/forgot-password")
async def forgot_password(request: Request, session: SessionDep) -> Response:
    form = await form_data(request)
    email = form.get("email", "").strip()
    try:
        await rate_limit(request, "password-reset", limit=get_settings().rate_limit_auth_per_minute)
        await rate_limit(request, "password-reset-email", limit=3, subject=email.lower())
        if not email or "@" not in email or len(email) > 254:
            raise Invalid.field("email", "enter a valid email address")
    except IdeaflowError as exc:
        return render(
            request,
            "accounts/forgot_password.html",
            {"error": exc, "form": form},
            status_code=exc.status_code,
            headers=_retry_after(exc),
        )
    await service.request_password_reset(session, email=email)
    return render(request, "accounts/forgot_password.html", {"sent": email})


@router.get("/reset-password/{token}")
async def reset_password_page(request: Request, token: str, session: SessionDep) -> Response:
    try:
        await service.check_reset_token(session, token)
    except IdeaflowError as exc:
        return render(request, "accounts/reset_password.html", {"link_error": exc}, status_code=exc.status_code)
    return render(request, "accounts/reset_password.html", {"token": token})


@router.post("/reset-password/{token}")
async def reset_password(request: Request, token: str, session: SessionDep, viewer: ViewerDep) -> Response:
    form = await form_data(request)
    try:
        await rate_limit(request, "password-reset", limit=get_settings().rate_limit_auth_per_minute)
        if form.get("password", "") != form.get("password_again", ""):
            raise Invalid.field("password_again", "does not match the password")
        async with session.begin_nested():
            user = await service.reset_password(session, raw=token, password=form.get("password", ""))
    except IdeaflowError as exc:
        key = "error" if exc.fields else "link_error"
        return render(
            request,
            "accounts/reset_password.html",
            {key: exc, "token": token, "form": form},
            status_code=exc.status_code,
            headers=_retry_after(exc),
        )
    # Every session was revoked; this browser starts a fresh one.
    return await begin_session(request, session, viewer, user, "/account?reset=1")

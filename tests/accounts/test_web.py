"""Signing up, in and out through the HTML forms: cookies, session rotation and revocation, inline
errors, safe `next` redirects, and API tokens on the account page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ideaflow.accounts.models import ApiToken, User, UserSession
from ideaflow.kit.middleware import SESSION_COOKIE
from ideaflow.kit.security import token_hash
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, make_user


async def _sign_in(client, email: str, password: str, *, next_url: str | None = None):
    page = await client.get("/signin")
    params = {"next": next_url} if next_url is not None else None
    return await client.post(
        "/signin", params=params, data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    )


def _session_set_cookie(response) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1, response.headers.get_list("set-cookie")
    return cookies[0]


async def _session_rows(session, user_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id))


async def test_sign_up_form_creates_the_account_and_signs_in(session, client):
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={"name": "Ada", "email": "Ada@Example.com", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303
    user = await session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None and user.password_hash.startswith("$argon2")
    me = await client.get("/account")
    assert me.status_code == 200 and "ada@example.com" in me.text


async def test_sign_up_with_a_taken_email_rerenders_the_form_with_the_error_on_email(session, client):
    existing = await make_user(session)
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "name": "Again",
            "email": existing.email.upper(),
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 409
    assert 'id="f-email-error"' in response.text
    assert "already registered" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_sign_up_with_a_short_password_names_the_password_field(session, client):
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={"name": "Shorty", "email": "shorty@example.com", "password": "short", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 422
    assert 'id="f-password-error"' in response.text
    assert "at least 10 characters" in response.text
    # What was typed is kept, except the password.
    assert 'value="shorty@example.com"' in response.text
    assert 'value="short"' not in response.text
    assert await session.scalar(select(User).where(User.email == "shorty@example.com")) is None


async def test_sign_in_sets_an_httponly_samesite_lax_session_cookie(session, client):
    user = await make_user(session)
    response = await _sign_in(client, user.email, PASSWORD)
    assert response.status_code == 303
    cookie = _session_set_cookie(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie


async def test_sign_in_issues_a_new_session_and_ends_the_old_one(session, client):
    user = await make_user(session)
    await web_sign_in(client, user.email, PASSWORD)
    before = client.cookies[SESSION_COOKIE]
    assert await _session_rows(session, user.id) == 1

    await web_sign_in(client, user.email, PASSWORD)
    after = client.cookies[SESSION_COOKIE]
    assert after != before
    assert await session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(before))) is None
    assert await _session_rows(session, user.id) == 1

    # The browser that still holds the old value is signed out.
    stale = await client.get("/api/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={before}"})
    assert stale.status_code == 401


async def test_a_planted_session_cookie_is_replaced_at_sign_in(session, client):
    """Session fixation: a value chosen before sign-in never becomes the signed-in session."""
    user = await make_user(session)
    planted = "attacker-chosen-session-value"
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    response = await _sign_in(client, user.email, PASSWORD)
    issued = _session_set_cookie(response).split(";", 1)[0].split("=", 1)[1]
    assert issued and issued != planted
    assert await session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(planted))) is None


async def test_sign_out_revokes_the_session_on_the_server(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    raw = client.cookies[SESSION_COOKIE]

    response = await client.post("/signout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert await _session_rows(session, user.id) == 0

    # Replaying the old cookie (as a thief would) no longer authenticates.
    client.cookies.clear()
    replay = await client.get("/account", headers={"Cookie": f"{SESSION_COOKIE}={raw}"})
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/signin")
    assert (await client.get("/api/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={raw}"})).status_code == 401


async def test_wrong_password_rerenders_the_form_with_the_message_next_to_the_field(session, client):
    user = await make_user(session)
    response = await _sign_in(client, user.email, "definitely wrong")
    assert response.status_code == 401
    assert 'id="f-password-error"' in response.text
    assert "email or password is incorrect" in response.text
    assert f'value="{user.email}"' in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert await _session_rows(session, user.id) == 0


@pytest.mark.parametrize("target", ["/acme/ideas/7", "/account?tab=tokens"])
async def test_sign_in_returns_to_a_local_next_path(session, client, target):
    user = await make_user(session)
    response = await _sign_in(client, user.email, PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.headers["location"] == target


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "//evil.example/path", "/\\evil.example", "javascript:x"]
)
async def test_sign_in_ignores_a_next_that_leaves_the_site(session, client, target):
    user = await make_user(session)
    response = await _sign_in(client, user.email, PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_signin_page_keeps_a_local_next_in_the_form_but_drops_a_foreign_one(client):
    local = await client.get("/signin", params={"next": "/acme"})
    assert 'action="/signin?next=/acme"' in local.text or 'action="/signin?next=%2Facme"' in local.text
    foreign = await client.get("/signin", params={"next": "//evil.example"})
    assert "evil.example" not in foreign.text


async def test_account_page_requires_sign_in(client):
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/account"


async def test_account_page_creates_a_token_shown_once_and_hashed_at_rest(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    created = await client.post("/account/tokens", data={"name": "Backlog export", "csrf_token": csrf})
    assert created.status_code == 201
    raw = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)
    assert raw.startswith("ifk_")

    assert raw not in list(await session.scalars(select(ApiToken.token_hash)))
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json()["id"] == user.id

    again = await client.get("/account")
    assert "Backlog export" in again.text
    assert raw not in again.text


async def test_account_page_token_without_a_name_shows_the_error_next_to_the_field(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/account/tokens", data={"name": " ", "csrf_token": csrf})
    assert response.status_code == 422
    assert 'id="f-name-error"' in response.text
    count = await session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id))
    assert count == 0


async def test_revoking_a_token_on_the_account_page_stops_it_working(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    created = await client.post("/account/tokens", data={"name": "short-lived", "csrf_token": csrf})
    raw = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)
    token_id = await session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))

    revoked = await client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401

"""The account API: Bearer authentication on /api/v1/me, personal tokens created once, listed without
secrets and dead once revoked."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.accounts.models import ApiToken
from tests.factories import make_token, make_user


async def test_bearer_token_authenticates_me(session, client):
    user = await make_user(session, name="Ada Lovelace")
    response = await client.get("/api/v1/me", headers=await make_token(session, user))
    assert response.status_code == 200
    assert response.json()["id"] == user.id
    assert response.json()["email"] == user.email
    assert "password_hash" not in response.json()


async def test_me_without_credentials_is_401(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_bad_token_is_401_with_www_authenticate(session, client):
    for bad in ("ifk_not-a-real-token", "something-else", ""):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert set(response.json()) == {"error", "detail", "fields"}


async def test_created_token_is_shown_once_and_works(session, client):
    user = await make_user(session)
    headers = await make_token(session, user)
    created = await client.post("/api/v1/me/tokens", json={"name": "Backlog export"}, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Backlog export"
    assert body["token"].startswith(body["prefix"])

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["id"] == user.id

    stored = list(await session.scalars(select(ApiToken.token_hash)))
    assert body["token"] not in stored


async def test_token_list_never_contains_secrets(session, client):
    user = await make_user(session)
    headers = await make_token(session, user)
    created = (await client.post("/api/v1/me/tokens", json={"name": "Zapier"}, headers=headers)).json()

    listed = await client.get("/api/v1/me/tokens", headers=headers)
    assert listed.status_code == 200
    names = {t["name"] for t in listed.json()}
    assert names == {"tests", "Zapier"}
    assert all("token" not in t and "token_hash" not in t for t in listed.json())
    assert created["token"] not in listed.text


async def test_token_list_shows_only_my_tokens(session, client):
    me = await make_user(session)
    someone = await make_user(session)
    await make_token(session, someone)
    listed = await client.get("/api/v1/me/tokens", headers=await make_token(session, me))
    assert [t["name"] for t in listed.json()] == ["tests"]


async def test_revoked_token_stops_working(session, client):
    user = await make_user(session)
    headers = await make_token(session, user)
    created = (await client.post("/api/v1/me/tokens", json={"name": "temporary"}, headers=headers)).json()
    secret = {"Authorization": f"Bearer {created['token']}"}
    assert (await client.get("/api/v1/me", headers=secret)).status_code == 200

    revoked = await client.delete(f"/api/v1/me/tokens/{created['id']}", headers=headers)
    assert revoked.status_code == 204
    after = await client.get("/api/v1/me", headers=secret)
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"] == "Bearer"
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200


async def test_revoking_another_users_token_is_404_and_leaves_it_working(session, client):
    owner = await make_user(session)
    owner_headers = await make_token(session, owner)
    created = (await client.post("/api/v1/me/tokens", json={"name": "mine"}, headers=owner_headers)).json()
    intruder = await make_token(session, await make_user(session))

    response = await client.delete(f"/api/v1/me/tokens/{created['id']}", headers=intruder)
    assert response.status_code == 404
    still = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert still.status_code == 200


async def test_token_without_a_name_is_422_naming_name(session, client):
    headers = await make_token(session, await make_user(session))
    response = await client.post("/api/v1/me/tokens", json={"name": ""}, headers=headers)
    assert response.status_code == 422
    assert "name" in response.json()["fields"]


async def test_using_a_token_records_when_it_was_last_used(session, client):
    user = await make_user(session)
    headers = await make_token(session, user)
    listed = (await client.get("/api/v1/me/tokens", headers=headers)).json()
    # The listing request itself is a use of the token.
    assert listed[0]["last_used_at"] is not None

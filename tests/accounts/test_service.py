"""Account rules: sign-up stores only an argon2 hash, emails are normalised, sessions and API tokens
are kept as hashes and stop working once ended or revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaflow.accounts import service
from ideaflow.accounts.models import ApiToken, User, UserSession
from ideaflow.errors import Conflict, Invalid, NotFound, Unauthorized
from tests.factories import PASSWORD, make_user


async def test_sign_up_stores_an_argon2_hash_and_never_the_password(session):
    user = await service.sign_up(session, email="ada@example.com", name="Ada", password=PASSWORD)
    stored = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_sign_up_normalises_the_email_to_lower_case(session):
    user = await service.sign_up(session, email="  Ada.Lovelace@Example.COM ", name="Ada", password=PASSWORD)
    assert user.email == "ada.lovelace@example.com"
    signed_in = await service.authenticate(session, email="ADA.LOVELACE@example.com", password=PASSWORD)
    assert signed_in.id == user.id


async def test_second_sign_up_with_the_same_email_in_any_case_is_a_conflict_on_email(session):
    await service.sign_up(session, email="grace@example.com", name="Grace", password=PASSWORD)
    with pytest.raises(Conflict) as caught:
        await service.sign_up(session, email="Grace@Example.com", name="Impostor", password="another password")
    assert caught.value.status_code == 409
    assert "email" in caught.value.fields


async def test_short_password_is_refused_naming_the_password(session):
    with pytest.raises(Invalid) as caught:
        await service.sign_up(session, email="short@example.com", name="Short", password="123456789")
    assert caught.value.status_code == 422
    assert set(caught.value.fields) == {"password"}
    assert await session.scalar(select(User).where(User.email == "short@example.com")) is None


async def test_wrong_password_and_unknown_email_fail_the_same_way(session):
    user = await make_user(session)
    with pytest.raises(Unauthorized) as wrong:
        await service.authenticate(session, email=user.email, password="not the password")
    with pytest.raises(Unauthorized) as unknown:
        await service.authenticate(session, email="nobody@example.com", password=PASSWORD)
    assert wrong.value.message == unknown.value.message
    assert wrong.value.fields == unknown.value.fields == {"password": "email or password is incorrect"}


async def test_deactivated_user_cannot_sign_in(session):
    user = await make_user(session)
    user.is_active = False
    await session.flush()
    with pytest.raises(Unauthorized):
        await service.authenticate(session, email=user.email, password=PASSWORD)


async def test_session_secret_is_stored_hashed_and_stops_working_when_ended(session):
    user = await make_user(session)
    raw = await service.start_session(session, user, days=30)
    hashes = list(await session.scalars(select(UserSession.token_hash).where(UserSession.user_id == user.id)))
    assert raw not in hashes and len(hashes) == 1
    assert (await service.user_for_session_token(session, raw)).id == user.id

    await service.end_session(session, raw)
    assert await service.user_for_session_token(session, raw) is None


async def test_expired_session_does_not_authenticate(session):
    user = await make_user(session)
    raw = await service.start_session(session, user, days=-1)
    assert await service.user_for_session_token(session, raw) is None


async def test_api_token_is_hashed_at_rest_and_works_until_revoked(session):
    user = await make_user(session)
    token, raw = await service.create_api_token(session, user=user, name="CI export")
    assert raw.startswith("ifk_")
    row = await session.scalar(select(ApiToken).where(ApiToken.id == token.id))
    assert raw not in (row.token_hash, row.prefix, row.name)
    assert raw.startswith(row.prefix) and len(row.prefix) < len(raw) // 2

    found = await service.user_for_api_token(session, raw)
    assert found is not None and found[0].id == user.id

    await service.revoke_api_token(session, user=user, token_id=token.id)
    assert await service.user_for_api_token(session, raw) is None


async def test_nobody_can_revoke_someone_elses_token(session):
    owner = await make_user(session)
    other = await make_user(session)
    token, raw = await service.create_api_token(session, user=owner, name="mine")
    with pytest.raises(NotFound):
        await service.revoke_api_token(session, user=other, token_id=token.id)
    assert await service.user_for_api_token(session, raw) is not None


async def test_token_name_is_required(session):
    user = await make_user(session)
    with pytest.raises(Invalid) as caught:
        await service.create_api_token(session, user=user, name="   ")
    assert set(caught.value.fields) == {"name"}

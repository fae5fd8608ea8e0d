"""Identity tokens: every way a token can be wrong is refused, with the reason named."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from ideaflow.errors import Unauthorized
from ideaflow.widget import service
from ideaflow.widget.models import WidgetIdentity
from tests.factories import owner_context
from tests.widget.helpers import make_widget_workspace, mint


def _unsigned(claims: dict) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def _refusal(session, setup, token: str) -> tuple[str, str]:
    with pytest.raises(Unauthorized) as caught:
        await service.start_session(session, setup.workspace, token)
    return caught.value.code, caught.value.fields["token"]


async def test_a_good_token_starts_a_session_for_its_subject(session):
    setup = await make_widget_workspace(session)
    token = mint(
        setup.secret,
        aud=setup.workspace.slug,
        email="dana@customer.example",
        name="Dana Customer",
        company={"id": 7, "name": "Customer Inc", "monthly_spend": 1250.5},
        segment="enterprise",
    )
    started = await service.start_session(session, setup.workspace, token)
    assert started.token.startswith("ifw_")
    identity: WidgetIdentity = started.identity
    assert (identity.subject, identity.email, identity.name) == ("cust-42", "dana@customer.example", "Dana Customer")
    assert (identity.company_id, identity.company_name, identity.company_monthly_spend, identity.segment) == (
        "7",
        "Customer Inc",
        1250.5,
        "enterprise",
    )
    assert started.user.name == "Dana Customer" and started.user.password_hash is None


async def test_expired_token_is_refused(session):
    setup = await make_widget_workspace(session)
    code, reason = await _refusal(session, setup, mint(setup.secret, aud=setup.workspace.slug, exp_in=-600))
    assert code == "invalid_identity_token" and reason.startswith("exp: expired")


async def test_token_without_exp_is_refused(session):
    setup = await make_widget_workspace(session)
    _, reason = await _refusal(session, setup, mint(setup.secret, aud=setup.workspace.slug, exp_in=None))
    assert reason.startswith("exp: missing claim")


async def test_token_living_longer_than_a_day_is_refused(session):
    setup = await make_widget_workspace(session)
    _, reason = await _refusal(session, setup, mint(setup.secret, aud=setup.workspace.slug, exp_in=3 * 86400))
    assert "more than one day" in reason


async def test_token_for_another_workspace_is_refused(session):
    setup = await make_widget_workspace(session)
    _, reason = await _refusal(session, setup, mint(setup.secret, aud="someone-else"))
    assert reason.startswith("aud: wrong audience")


async def test_alg_none_is_refused(session):
    setup = await make_widget_workspace(session)
    token = _unsigned({"sub": "cust-42", "aud": setup.workspace.slug, "exp": 4102444800})
    _, reason = await _refusal(session, setup, token)
    assert reason.startswith("algorithm:") and "none" in reason


async def test_token_signed_with_another_secret_is_refused(session):
    setup = await make_widget_workspace(session)
    forged = mint("ifs_not-the-workspace-secret-at-all-000000", aud=setup.workspace.slug)
    _, reason = await _refusal(session, setup, forged)
    assert reason.startswith("signature:") and "does not match" in reason


async def test_other_algorithms_are_refused(session):
    setup = await make_widget_workspace(session)
    claims = {"sub": "x", "aud": setup.workspace.slug, "exp": 4102444800}
    token = jwt.encode(claims, setup.secret + "-long-enough-for-hs512-" * 3, algorithm="HS512")
    _, reason = await _refusal(session, setup, token)
    assert reason.startswith("algorithm:") and "HS512" in reason


async def test_token_signed_with_a_revoked_secret_is_refused(session):
    setup = await make_widget_workspace(session)
    token = mint(setup.secret, aud=setup.workspace.slug)
    await service.start_session(session, setup.workspace, token)
    await service.revoke_secret(session, await owner_context(session, setup.workspace), secret_id=setup.secret_id)
    _, reason = await _refusal(session, setup, token)
    assert reason.startswith("signature:") and "revoked" in reason


async def test_token_without_sub_is_refused(session):
    setup = await make_widget_workspace(session)
    _, reason = await _refusal(session, setup, mint(setup.secret, aud=setup.workspace.slug, sub=None))
    assert reason.startswith("sub: missing claim")


async def test_malformed_claims_are_named(session):
    setup = await make_widget_workspace(session)
    token = mint(setup.secret, aud=setup.workspace.slug, email="not-an-email", company={"monthly_spend": "lots"})
    verdict = await service.check_token(session, setup.workspace, token)
    failed = [c.detail for c in verdict.checks if not c.ok]
    assert "“email” is not an email address" in failed
    assert "“company.monthly_spend” must be a number ≥ 0" in failed


async def test_garbage_is_not_a_jwt(session):
    setup = await make_widget_workspace(session)
    _, reason = await _refusal(session, setup, "hello.world")
    assert reason.startswith("format: not a JWT")


async def test_tester_names_every_problem_at_once(session):
    setup = await make_widget_workspace(session)
    ctx = await owner_context(session, setup.workspace)
    verdict = await service.test_token(session, ctx, mint(setup.secret, aud="wrong", exp_in=-120, sub=None))
    by_name = {c.name: c for c in verdict.checks}
    assert by_name["signature"].ok
    assert not by_name["exp"].ok and not by_name["aud"].ok and not by_name["sub"].ok
    assert not verdict.ok

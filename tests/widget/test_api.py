"""The widget's API: trading a token for a session, what that session may do (and where), secrets and
settings for admins, and the launcher's cross-origin config."""

from __future__ import annotations

import gzip

from sqlalchemy import select

from ideaflow.accounts.models import User
from ideaflow.config import get_settings
from ideaflow.votes.models import Vote
from ideaflow.widget.models import WidgetIdentity, WidgetSecret
from tests.factories import make_idea, make_token, make_user, make_workspace, owner_context
from tests.widget.helpers import HOST_ORIGIN, make_widget_workspace, mint


async def _session(client, setup, **claims) -> dict[str, str]:
    token = mint(setup.secret, aud=setup.workspace.slug, **claims)
    response = await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": token})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_session_token_votes_as_the_mapped_user_through_the_api(session, client):
    setup = await make_widget_workspace(session)
    idea = await make_idea(session, setup.workspace)
    headers = await _session(client, setup, sub="u-1", email="lee@customer.example", name="Lee")
    response = await client.put(f"/api/v1/{setup.workspace.slug}/ideas/{idea.number}/vote", headers=headers)
    assert response.status_code == 200 and response.json()["vote_count"] == 1
    identity = await session.scalar(select(WidgetIdentity).where(WidgetIdentity.subject == "u-1"))
    vote = await session.scalar(select(Vote).where(Vote.idea_id == idea.id))
    assert vote.user_id == identity.user_id


async def test_the_same_subject_maps_to_the_same_user_and_claims_are_refreshed(session, client):
    setup = await make_widget_workspace(session)
    await _session(client, setup, sub="u-2", name="Old Name", segment="smb")
    await _session(client, setup, sub="u-2", name="New Name", segment="enterprise")
    identities = list(await session.scalars(select(WidgetIdentity).where(WidgetIdentity.subject == "u-2")))
    assert len(identities) == 1
    user = await session.get(User, identities[0].user_id)
    assert (user.name, identities[0].segment) == ("New Name", "enterprise")


async def test_a_claimed_email_never_takes_over_an_existing_account(session, client):
    victim = await make_user(session, email="victim@example.com")
    setup = await make_widget_workspace(session)
    await _session(client, setup, sub="liar", email="victim@example.com", name="Victim")
    identity = await session.scalar(select(WidgetIdentity).where(WidgetIdentity.subject == "liar"))
    assert identity.user_id != victim.id and identity.email == "victim@example.com"
    mapped = await session.get(User, identity.user_id)
    assert mapped.password_hash is None and mapped.email.endswith("@widget.ideaflow.invalid")


async def test_session_only_works_in_its_own_workspace(session, client):
    setup = await make_widget_workspace(session)
    other = await make_workspace(session)
    idea = await make_idea(session, other)
    headers = await _session(client, setup)
    elsewhere = await client.put(f"/api/v1/{other.slug}/ideas/{idea.number}/vote", headers=headers)
    assert elsewhere.status_code == 401 and elsewhere.json()["error"] == "widget_session_scope"
    account = await client.get("/api/v1/me", headers=headers)
    assert account.status_code == 401


async def test_session_never_has_staff_rights(session, client):
    setup = await make_widget_workspace(session)
    headers = await _session(client, setup, sub="owner-lookalike")
    response = await client.get(f"/api/v1/{setup.workspace.slug}/widget/secrets", headers=headers)
    assert response.status_code == 403
    settings = await client.patch(
        f"/api/v1/{setup.workspace.slug}/widget/settings", headers=headers, json={"allowed_origins": []}
    )
    assert settings.status_code == 403


async def test_revoking_a_secret_ends_its_sessions(session, client):
    setup = await make_widget_workspace(session)
    idea = await make_idea(session, setup.workspace)
    headers = await _session(client, setup)
    owner = await make_token(session, (await owner_context(session, setup.workspace)).user)
    revoked = await client.post(
        f"/api/v1/{setup.workspace.slug}/widget/secrets/{setup.secret_id}/revoke", headers=owner
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    response = await client.put(f"/api/v1/{setup.workspace.slug}/ideas/{idea.number}/vote", headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "widget_session_expired"


async def test_refused_token_says_why(session, client):
    setup = await make_widget_workspace(session)
    token = mint(setup.secret, aud="elsewhere")
    response = await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": token})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_identity_token" and body["fields"]["token"].startswith("aud: wrong audience")


async def test_at_most_two_secrets_are_active_and_rotation_replaces_one(session, client):
    setup = await make_widget_workspace(session)
    owner = await make_token(session, (await owner_context(session, setup.workspace)).user)
    base = f"/api/v1/{setup.workspace.slug}/widget/secrets"
    second = await client.post(base, headers=owner)
    assert second.status_code == 201 and second.json()["secret"].startswith("ifs_")
    third = await client.post(base, headers=owner)
    assert third.status_code == 409 and "secret" in third.json()["fields"]
    rotated = await client.post(f"{base}/{setup.secret_id}/rotate", headers=owner)
    assert rotated.status_code == 201
    listed = (await client.get(base, headers=owner)).json()
    assert sorted(s["status"] for s in listed) == ["active", "active", "revoked"]
    assert all("secret" not in s for s in listed)
    # Only the new secret signs now; the rotated-out one is refused.
    new_token = mint(rotated.json()["secret"], aud=setup.workspace.slug)
    assert (
        await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": new_token})
    ).status_code == 201
    old = mint(setup.secret, aud=setup.workspace.slug)
    assert (await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": old})).status_code == 401


async def test_secrets_are_encrypted_at_rest(session):
    setup = await make_widget_workspace(session)
    stored = await session.get(WidgetSecret, setup.secret_id)
    assert setup.secret not in stored.secret_encrypted and stored.prefix == setup.secret[:10]


async def test_settings_validate_origins(session, client):
    setup = await make_widget_workspace(session)
    owner = await make_token(session, (await owner_context(session, setup.workspace)).user)
    url = f"/api/v1/{setup.workspace.slug}/widget/settings"
    bad = await client.patch(url, headers=owner, json={"allowed_origins": ["https://app.example.com/path"]})
    assert bad.status_code == 422 and "without a path" in bad.json()["fields"]["allowed_origins"]
    good = await client.patch(
        url, headers=owner, json={"allowed_origins": ["HTTPS://App.Example.com:443", "http://localhost:3000"]}
    )
    assert good.status_code == 200
    assert good.json()["allowed_origins"] == ["https://app.example.com", "http://localhost:3000"]
    colour = await client.patch(url, headers=owner, json={"brand_color": "red"})
    assert colour.status_code == 422 and "brand_color" in colour.json()["fields"]


async def test_token_tester_reports_each_check(session, client):
    setup = await make_widget_workspace(session)
    owner = await make_token(session, (await owner_context(session, setup.workspace)).user)
    token = mint(setup.secret, aud=setup.workspace.slug, exp_in=-300)
    response = await client.post(
        f"/api/v1/{setup.workspace.slug}/widget/token-test", headers=owner, json={"token": token}
    )
    body = response.json()
    assert response.status_code == 200 and body["ok"] is False
    checks = {c["name"]: c for c in body["checks"]}
    assert checks["signature"]["ok"] and checks["aud"]["ok"] and not checks["exp"]["ok"]
    assert "expired" in checks["exp"]["detail"]


async def test_config_is_readable_cross_origin_only_by_allowed_origins(session, client):
    setup = await make_widget_workspace(session)
    url = f"/api/v1/{setup.workspace.slug}/widget/config"
    allowed = await client.get(url, headers={"Origin": HOST_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == HOST_ORIGIN
    assert allowed.json()["launcher_label"] == "Feedback"
    other = await client.get(url, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_email_votes_only_where_allowed(session, client):
    setup = await make_widget_workspace(session, email_votes=False)
    idea = await make_idea(session, setup.workspace)
    url = f"/embed/{setup.workspace.slug}/ideas/{idea.number}/email-vote"
    refused = await client.post(url, data={"email": "sam@example.com"}, headers={"HX-Request": "true"})
    assert refused.status_code == 403 and "Sign in to vote" in refused.text


async def test_loader_is_small_and_served_as_javascript(client):
    response = await client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert "max-age" in response.headers["cache-control"]
    size = len(gzip.compress(response.content, compresslevel=9))
    assert size <= 8 * 1024, f"widget.js is {size} bytes gzipped; the budget is 8 KB"
    again = await client.get("/widget.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    source = (get_settings().static_dir / "widget" / "widget.js").read_text()
    assert "postMessage(message, host)" in source and '"*"' not in source.replace('"*": a token', "")


async def test_company_claims_become_customer_attributes_that_weigh_votes(session, client):
    from ideaflow.ranking import service as ranking_service
    from ideaflow.ranking.models import CustomerProfile

    setup = await make_widget_workspace(session)
    idea = await make_idea(session, setup.workspace)
    company = {"id": "acct-9", "name": "Globex", "monthly_spend": 4200}
    headers = await _session(client, setup, sub="u-9", name="Hank", segment="enterprise", company=company)
    assert (await client.put(f"/api/v1/{setup.workspace.slug}/ideas/{idea.number}/vote", headers=headers)).is_success

    identity = await session.scalar(select(WidgetIdentity).where(WidgetIdentity.subject == "u-9"))
    profile = await session.scalar(select(CustomerProfile).where(CustomerProfile.user_id == identity.user_id))
    assert (profile.source, profile.segment, profile.monthly_revenue_cents) == ("sso", "enterprise", 420_000)
    assert (profile.company_name, profile.company_external_id) == ("Globex", "acct-9")
    scores = await ranking_service.score_ideas(session, workspace_id=setup.workspace.id, idea_ids=[idea.id])
    assert scores[idea.id].top_segments == ("enterprise",)

    bad = mint(setup.secret, aud=setup.workspace.slug, sub="u-10", company={"monthly_spend": -5})
    response = await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": bad})
    # A negative spend is refused with the token itself, before anything is stored.
    assert response.status_code == 401 and "monthly_spend" in response.json()["detail"]
    assert await session.scalar(select(WidgetIdentity).where(WidgetIdentity.subject == "u-10")) is None

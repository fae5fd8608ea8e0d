"""The /embed pages and the admin's widget page: who may frame them, signing in with a widget session,
voting, commenting and posting through the frame, and the settings forms."""

from __future__ import annotations

import re

from sqlalchemy import select

from ideaflow.comments.models import Comment
from ideaflow.ideas.models import Idea
from ideaflow.votes.models import Vote
from ideaflow.widget.models import WidgetIdentity
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, make_idea, make_user, owner_context
from tests.widget.helpers import HOST_ORIGIN, make_widget_workspace, mint

HX = {"HX-Request": "true"}


async def _bearer(client, setup, **claims) -> dict[str, str]:
    token = mint(setup.secret, aud=setup.workspace.slug, **claims)
    response = await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": token})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_embed_may_be_framed_only_by_allowed_origins(session, client):
    setup = await make_widget_workspace(session, origins=[HOST_ORIGIN, "http://127.0.0.1:5000"])
    embed = await client.get(f"/embed/{setup.workspace.slug}?origin={HOST_ORIGIN}")
    assert embed.status_code == 200
    policy = embed.headers["content-security-policy"]
    assert f"frame-ancestors {HOST_ORIGIN} http://127.0.0.1:5000" in policy
    assert "x-frame-options" not in embed.headers
    assert f'data-parent-origin="{HOST_ORIGIN}"' in embed.text
    portal = await client.get(f"/{setup.workspace.slug}")
    assert "frame-ancestors 'none'" in portal.headers["content-security-policy"]
    assert portal.headers["x-frame-options"] == "DENY"


async def test_embed_without_allowed_origins_cannot_be_framed(session, client):
    setup = await make_widget_workspace(session, origins=[])
    embed = await client.get(f"/embed/{setup.workspace.slug}")
    assert "frame-ancestors 'none'" in embed.headers["content-security-policy"]


async def test_embed_refuses_to_start_for_an_origin_not_allowed(session, client):
    setup = await make_widget_workspace(session)
    refused = await client.get(f"/embed/{setup.workspace.slug}?origin=https://evil.example")
    assert refused.status_code == 403
    assert "not allowed" in refused.text and "data-parent-origin" not in refused.text


async def test_embed_lists_ideas_without_javascript_or_sign_in(session, client):
    setup = await make_widget_workspace(session)
    await make_idea(session, setup.workspace, title="Offline mode for the mobile app")
    page = await client.get(f"/embed/{setup.workspace.slug}?sort=new")
    assert "Offline mode for the mobile app" in page.text and "Browsing as a guest" in page.text
    assert "set-cookie" not in page.headers


async def test_embed_search_finds_matching_ideas(session, client):
    setup = await make_widget_workspace(session)
    await make_idea(session, setup.workspace, title="Offline mode for the mobile app")
    await make_idea(session, setup.workspace, title="Export invoices as PDF")
    page = await client.get(f"/embed/{setup.workspace.slug}?q=invoices", headers={**HX, "HX-Target": "embed-list"})
    assert "Export invoices as PDF" in page.text and "Offline mode" not in page.text


async def test_vote_in_the_embed_is_recorded_for_the_mapped_user_and_reported(session, client):
    setup = await make_widget_workspace(session)
    idea = await make_idea(session, setup.workspace, title="Bulk edit tags")
    headers = await _bearer(client, setup, sub="cust-9", name="Robin")
    response = await client.post(
        f"/embed/{setup.workspace.slug}/ideas/{idea.number}/vote", data={"action": "add"}, headers={**HX, **headers}
    )
    assert response.status_code == 200 and 'aria-pressed="true"' in response.text
    assert '"type": "ideaflow:vote"' in response.headers["x-ideaflow-event"]
    identity = await session.scalar(select(WidgetIdentity).where(WidgetIdentity.subject == "cust-9"))
    assert await session.scalar(select(Vote.user_id).where(Vote.idea_id == idea.id)) == identity.user_id
    page = await client.get(f"/embed/{setup.workspace.slug}", headers=headers)
    assert "Signed in as Robin" in page.text


async def test_anonymous_vote_asks_for_an_email_where_allowed_and_then_counts(session, client):
    setup = await make_widget_workspace(session, email_votes=True)
    idea = await make_idea(session, setup.workspace)
    ask = await client.post(f"/embed/{setup.workspace.slug}/ideas/{idea.number}/vote", headers=HX)
    assert ask.headers["hx-retarget"] == "#embed-prompt" and "Vote with your email" in ask.text
    url = f"/embed/{setup.workspace.slug}/ideas/{idea.number}/email-vote"
    bad = await client.post(url, data={"email": "nope"}, headers=HX)
    assert bad.status_code == 422 and "enter an email address" in bad.text
    # No cookie and no CSRF token: a third-party frame may have neither.
    client.cookies.clear()
    voted = await client.post(url, data={"email": "Sam@Example.com"}, headers=HX)
    assert voted.status_code == 200 and voted.headers["x-ideaflow-widget-token"].startswith("ifw_")
    assert await session.scalar(select(Idea.vote_count).where(Idea.id == idea.id)) == 1
    identity = await session.scalar(select(WidgetIdentity).where(WidgetIdentity.subject == "email:sam@example.com"))
    assert identity is not None and identity.kind == "email"


async def test_comment_and_submit_through_the_embed(session, client):
    setup = await make_widget_workspace(session)
    idea = await make_idea(session, setup.workspace)
    headers = {**HX, **await _bearer(client, setup, sub="cust-5", name="Kim")}
    base = f"/embed/{setup.workspace.slug}"
    commented = await client.post(f"{base}/ideas/{idea.number}/comments", data={"body": "Yes please"}, headers=headers)
    assert commented.status_code == 200 and "Yes please" in commented.text
    assert await session.scalar(select(Comment.body).where(Comment.idea_id == idea.id)) == "Yes please"
    form = await client.get(f"{base}/new", headers=headers)
    board = re.search(r'name="board" value="([^"]+)"', form.text).group(1)
    empty = await client.post(f"{base}/ideas", data={"board": board, "title": "x"}, headers=headers)
    assert empty.status_code == 422 and "at least" in empty.text
    posted = await client.post(
        f"{base}/ideas", data={"board": board, "title": "Dark mode for reports", "body": "Please"}, headers=headers
    )
    assert posted.status_code == 200 and "Thanks! Your idea is posted." in posted.text
    assert '"type": "ideaflow:submit"' in posted.headers["x-ideaflow-event"]
    mine = await client.get(f"{base}/mine", headers=headers)
    assert "Dark mode for reports" in mine.text


async def test_similar_ideas_are_suggested_while_typing(session, client):
    setup = await make_widget_workspace(session)
    await make_idea(session, setup.workspace, title="Export reports to CSV")
    page = await client.get(f"/embed/{setup.workspace.slug}/similar?title=export rep", headers=HX)
    assert "Export reports to CSV" in page.text


async def test_a_portal_cookie_never_signs_anyone_into_the_embed(session, client):
    setup = await make_widget_workspace(session)
    owner = (await owner_context(session, setup.workspace)).user
    await web_sign_in(client, owner.email, PASSWORD)
    page = await client.get(f"/embed/{setup.workspace.slug}")
    assert "Browsing as a guest" in page.text and owner.name not in page.text


async def test_admin_manages_the_widget_from_settings(session, client):
    setup = await make_widget_workspace(session)
    owner = (await owner_context(session, setup.workspace)).user
    await web_sign_in(client, owner.email, PASSWORD)
    url = f"/{setup.workspace.slug}/settings/widget"
    page = await client.get(url)
    assert page.status_code == 200 and f'data-workspace="{setup.workspace.slug}"' in page.text
    assert "jwt.encode(" in page.text and "jwt.sign(" in page.text
    csrf = csrf_from(page.text)
    bad = await client.post(
        url,
        data={"csrf_token": csrf, "allowed_origins": "https://ok.example\nftp://nope", "brand_color": "#112233",
              "launcher_label": "Ideas", "launcher_position": "bottom-left"},
    )  # fmt: skip
    assert bad.status_code == 422 and "ftp://nope" in bad.text and "https://ok.example" in bad.text
    created = await client.post(f"{url}/secrets", data={"csrf_token": csrf})
    secret = re.search(r'data-testid="new-secret">([^<]+)<', created.text).group(1)
    assert secret.startswith("ifs_")
    assert secret not in (await client.get(url)).text
    tested = await client.post(f"{url}/test", data={"csrf_token": csrf, "token": mint(secret, aud="nope")})
    assert "The widget would refuse this token." in tested.text and "wrong audience" in tested.text


async def test_widget_settings_are_for_admins_only(session, client):
    setup = await make_widget_workspace(session)
    member = await make_user(session)
    await web_sign_in(client, member.email, PASSWORD)
    assert (await client.get(f"/{setup.workspace.slug}/settings/widget")).status_code == 403


async def test_an_email_identity_may_vote_but_not_comment_or_post(session, client):
    setup = await make_widget_workspace(session, email_votes=True)
    idea = await make_idea(session, setup.workspace)
    voted = await client.post(
        f"/embed/{setup.workspace.slug}/ideas/{idea.number}/email-vote", data={"email": "pat@example.com"}, headers=HX
    )
    headers = {**HX, "Authorization": f"Bearer {voted.headers['x-ideaflow-widget-token']}"}
    base = f"/embed/{setup.workspace.slug}"
    removed = await client.post(f"{base}/ideas/{idea.number}/vote", data={"action": "remove"}, headers=headers)
    assert removed.status_code == 200 and 'aria-pressed="false"' in removed.text
    comment = await client.post(f"{base}/ideas/{idea.number}/comments", data={"body": "Hi"}, headers=headers)
    assert comment.status_code == 403 and "an email only lets you vote" in comment.text
    assert await session.scalar(select(Comment.id).where(Comment.idea_id == idea.id)) is None

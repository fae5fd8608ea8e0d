"""The embed's idea list and "my ideas" cost a fixed number of SQL statements however many ideas there are."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.accounts.models import User
from ideaflow.ideas import service as idea_service
from ideaflow.widget.models import WidgetIdentity
from tests.factories import context, default_board
from tests.test_query_counts import counting
from tests.widget.helpers import make_widget_workspace, mint


async def _statements(database, client, setup, url: str) -> int:
    token = mint(setup.secret, aud=setup.workspace.slug, sub="counted", name="Counted")
    started = await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": token})
    headers = {"Authorization": f"Bearer {started.json()['token']}"}
    assert (await client.get(url, headers=headers)).status_code == 200
    with counting(database) as statements:
        response = await client.get(url, headers=headers)
    assert response.status_code == 200
    return len(statements)


async def _fill(session, client, setup, ideas: int) -> None:
    # The identity exists after its first session: ideas posted "by" it show under "My ideas".
    token = mint(setup.secret, aud=setup.workspace.slug, sub="counted", name="Counted")
    await client.post(f"/api/v1/{setup.workspace.slug}/widget/session", json={"token": token})
    identity = await session.scalar(select(WidgetIdentity).where(WidgetIdentity.workspace_id == setup.workspace.id))
    author = await session.get(User, identity.user_id)
    board = await default_board(session, setup.workspace)
    ctx = await context(session, setup.workspace, author)
    for n in range(ideas):
        await idea_service.create_idea(session, ctx, board=board, title=f"Idea {n}", body="")


async def test_embed_pages_cost_the_same_for_few_and_many_ideas(session, database, client):
    small = await make_widget_workspace(session)
    large = await make_widget_workspace(session)
    await _fill(session, client, small, 3)
    await _fill(session, client, large, 40)
    for path in ("", "/mine", "?sort=new", "?q=idea"):
        few = await _statements(database, client, small, f"/embed/{small.workspace.slug}{path}")
        many = await _statements(database, client, large, f"/embed/{large.workspace.slug}{path}")
        assert few == many, f"/embed{path}: {few} statements for 3 ideas, {many} for 40"

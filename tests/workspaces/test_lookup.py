"""Every workspace request first resolves the workspace and the viewer's role; a route that names a board gets the
board in that same round trip, and still only if the viewer may see it."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from ideaflow.boards.models import Visibility
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_board, make_idea, make_token, make_user, make_workspace


@contextmanager
def counting(database):
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()).lower())

    event.listen(database.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", before_cursor_execute)


def _from_boards(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("select") and " from boards" in s]


async def test_the_board_page_and_the_json_list_look_up_workspace_role_and_board_together(database, session, client):
    workspace = await make_workspace(session)
    await make_idea(session, workspace, title="Dark mode please")
    for url in (
        f"/{workspace.slug}/boards/feature-requests",
        f"/api/v1/{workspace.slug}/ideas?board=feature-requests&sort=top&limit=20",
    ):
        with counting(database) as statements:
            response = await client.get(url)
        assert response.status_code == 200
        first = next(s for s in statements if s.startswith("select"))
        assert " from workspaces" in first and "join memberships" in first and "join boards" in first, first
        # The page lists the boards for its navigation; no other query reads a board by its slug.
        assert not [s for s in _from_boards(statements) if "boards.slug =" in s], statements


async def test_a_private_board_named_in_the_url_stays_hidden_from_outsiders(session, client):
    workspace = await make_workspace(session)
    await make_board(session, workspace, slug="secret", name="Secret", visibility=Visibility.private)
    member = await make_user(session)
    await add_member(session, workspace, member, Role.member)
    outsider = await make_user(session)

    assert (await client.get(f"/{workspace.slug}/boards/secret")).status_code == 404
    url = f"/api/v1/{workspace.slug}/ideas?board=secret"
    assert (await client.get(url, headers=await make_token(session, outsider))).status_code == 404
    assert (await client.get(url, headers=await make_token(session, member))).status_code == 200


async def test_a_board_of_another_workspace_is_not_found_by_its_slug(session, client):
    ours = await make_workspace(session)
    theirs = await make_workspace(session)
    await make_board(session, theirs, slug="roadmap-ideas", name="Theirs")
    assert (await client.get(f"/{ours.slug}/boards/roadmap-ideas")).status_code == 404
    assert (await client.get(f"/{theirs.slug}/boards/roadmap-ideas")).status_code == 200
    assert (await client.get(f"/{ours.slug}/boards/ROADMAP-IDEAS")).status_code == 404
    assert (await client.get(f"/{theirs.slug}/boards/ROADMAP-IDEAS")).status_code == 200

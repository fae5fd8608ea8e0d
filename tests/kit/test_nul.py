"""NUL characters are refused with a 422 naming where they were, on the API and the web pages alike:
PostgreSQL cannot store them, so they must never reach a query."""

from __future__ import annotations

from tests.factories import default_board, make_token, make_user, make_workspace


async def test_the_api_refuses_nul_in_a_json_body_query_or_path(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    auth = await make_token(session, owner)

    created = await client.post(
        f"/api/v1/{workspace.slug}/boards", json={"name": "Bugs\u0000", "slug": "bugs"}, headers=auth
    )
    assert created.status_code == 422
    assert created.json()["fields"] == {"body": "must not contain NUL characters"}

    listed = await client.get(f"/api/v1/{workspace.slug}/ideas?q=dark%00mode", headers=auth)
    assert listed.status_code == 422 and listed.json()["fields"] == {"query": "must not contain NUL characters"}

    path = await client.get(f"/api/v1/{workspace.slug}%00/ideas", headers=auth)
    assert path.status_code == 422 and path.json()["fields"] == {"path": "must not contain NUL characters"}


async def test_text_that_merely_shows_the_escape_is_accepted(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    board = await default_board(session, workspace)
    auth = await make_token(session, owner)
    # A backslash followed by "u0000" is ordinary text (say, someone quoting a JSON escape).
    title = "Escape \\u0000 in exports"
    response = await client.post(
        f"/api/v1/{workspace.slug}/ideas", json={"board": board.slug, "title": title}, headers=auth
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


async def test_a_web_form_with_nul_gets_a_clear_error(client):
    response = await client.post("/signin", content=b"email=a%00b%40example.com&password=x", headers={
        "content-type": "application/x-www-form-urlencoded"
    })  # fmt: skip
    assert response.status_code == 422
    assert "must not contain NUL characters" in response.text

"""Comments through the API: posting, one level of replies, edits by the author only, removal by the
author or staff, removed comments that keep their replies, and an exact comment count."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.boards.models import Visibility
from ideaflow.comments.models import Comment
from ideaflow.ideas.models import Idea
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_board, make_idea, make_token, make_user, make_workspace


async def _comment_count(client, slug: str, number: int) -> int:
    return (await client.get(f"/api/v1/{slug}/ideas/{number}")).json()["comment_count"]


async def _post(client, slug: str, number: int, headers, body: str, parent_id: int | None = None):
    payload = {"body": body} | ({"parent_id": parent_id} if parent_id else {})
    response = await client.post(f"/api/v1/{slug}/ideas/{number}/comments", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_posting_a_comment_returns_it_and_counts_it(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author = await make_user(session, name="Linus")
    headers = await make_token(session, author)
    created = await _post(client, workspace.slug, idea.number, headers, "Works for me, *too*")
    assert created["author"]["name"] == "Linus"
    assert created["body"] == "Works for me, *too*"
    assert "<em>too</em>" in created["body_html"]
    assert (created["deleted"], created["parent_id"], created["replies"]) == (False, None, [])

    listed = (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json()
    assert [c["id"] for c in listed] == [created["id"]]
    assert await _comment_count(client, workspace.slug, idea.number) == 1


async def test_replying_to_a_reply_attaches_to_the_top_level_comment(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    top = await _post(client, workspace.slug, idea.number, headers, "Top-level")
    reply = await _post(client, workspace.slug, idea.number, headers, "A reply", parent_id=top["id"])
    nested = await _post(client, workspace.slug, idea.number, headers, "Reply to the reply", parent_id=reply["id"])
    assert reply["parent_id"] == top["id"]
    assert nested["parent_id"] == top["id"]

    thread = (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json()
    assert len(thread) == 1
    assert [r["body"] for r in thread[0]["replies"]] == ["A reply", "Reply to the reply"]
    assert all(r["replies"] == [] for r in thread[0]["replies"])
    assert await _comment_count(client, workspace.slug, idea.number) == 3


async def test_a_reply_must_answer_a_comment_on_the_same_idea(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    elsewhere = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    foreign = await _post(client, workspace.slug, elsewhere.number, headers, "On another idea")
    for parent_id in (foreign["id"], 999_999):
        response = await client.post(
            f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments",
            json={"body": "Lost reply", "parent_id": parent_id},
            headers=headers,
        )
        assert response.status_code == 422
        assert list(response.json()["fields"]) == ["parent_id"]
    assert await _comment_count(client, workspace.slug, idea.number) == 0


async def test_a_blank_or_overlong_comment_is_422_naming_body(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    for body in ("   \n  ", "", "x" * 10_001):
        response = await client.post(
            f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments", json={"body": body}, headers=headers
        )
        assert response.status_code == 422, body
        assert list(response.json()["fields"]) == ["body"]


async def test_anonymous_comment_is_401(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    response = await client.post(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments", json={"body": "Hi"})
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"


async def test_only_the_author_may_edit_a_comment(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author = await make_user(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.admin)
    author_headers = await make_token(session, author)
    comment = await _post(client, workspace.slug, idea.number, author_headers, "Typo hree")
    url = f"/api/v1/{workspace.slug}/comments/{comment['id']}"

    for headers in (await make_token(session, await make_user(session)), await make_token(session, staff)):
        refused = await client.patch(url, json={"body": "Hijacked"}, headers=headers)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"

    edited = await client.patch(url, json={"body": "Typo here"}, headers=author_headers)
    assert edited.status_code == 200 and edited.json()["body"] == "Typo here"
    thread = (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json()
    assert thread[0]["body"] == "Typo here"


async def test_the_author_or_staff_may_remove_a_comment_but_nobody_else(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author = await make_user(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    author_headers = await make_token(session, author)
    first = await _post(client, workspace.slug, idea.number, author_headers, "First")
    second = await _post(client, workspace.slug, idea.number, author_headers, "Second")

    other = await make_token(session, await make_user(session))
    refused = await client.delete(f"/api/v1/{workspace.slug}/comments/{first['id']}", headers=other)
    assert refused.status_code == 403
    assert (
        await client.delete(f"/api/v1/{workspace.slug}/comments/{first['id']}", headers=author_headers)
    ).status_code == 204
    staff_headers = await make_token(session, staff)
    assert (
        await client.delete(f"/api/v1/{workspace.slug}/comments/{second['id']}", headers=staff_headers)
    ).status_code == 204
    assert (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json() == []
    assert await _comment_count(client, workspace.slug, idea.number) == 0
    again = await client.delete(f"/api/v1/{workspace.slug}/comments/{first['id']}", headers=author_headers)
    assert again.status_code == 404


async def test_a_removed_comment_with_replies_keeps_its_place_without_its_text(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author_headers = await make_token(session, await make_user(session))
    replier_headers = await make_token(session, await make_user(session))
    top = await _post(client, workspace.slug, idea.number, author_headers, "Something I regret")
    reply = await _post(client, workspace.slug, idea.number, replier_headers, "Kind answer", parent_id=top["id"])
    assert (
        await client.delete(f"/api/v1/{workspace.slug}/comments/{top['id']}", headers=author_headers)
    ).status_code == 204

    thread = (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json()
    assert len(thread) == 1
    removed = thread[0]
    assert (removed["id"], removed["deleted"], removed["body"], removed["body_html"], removed["author"]) == (
        top["id"],
        True,
        None,
        None,
        None,
    )
    assert [r["id"] for r in removed["replies"]] == [reply["id"]]
    assert removed["replies"][0]["body"] == "Kind answer"
    assert await _comment_count(client, workspace.slug, idea.number) == 1

    # Nobody can answer or edit the removed comment; its replies can still be answered.
    refused = await client.post(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments",
        json={"body": "Too late", "parent_id": top["id"]},
        headers=replier_headers,
    )
    assert refused.status_code == 422
    gone = await client.patch(
        f"/api/v1/{workspace.slug}/comments/{top['id']}", json={"body": "Back"}, headers=author_headers
    )
    assert gone.status_code == 404


async def test_removing_the_last_reply_of_a_removed_comment_clears_the_thread(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    top = await _post(client, workspace.slug, idea.number, headers, "Top")
    reply = await _post(client, workspace.slug, idea.number, headers, "Reply", parent_id=top["id"])
    kept = await _post(client, workspace.slug, idea.number, headers, "Kept reply", parent_id=top["id"])
    await client.delete(f"/api/v1/{workspace.slug}/comments/{reply['id']}", headers=headers)
    thread = (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json()
    assert [r["id"] for r in thread[0]["replies"]] == [kept["id"]]

    await client.delete(f"/api/v1/{workspace.slug}/comments/{top['id']}", headers=headers)
    await client.delete(f"/api/v1/{workspace.slug}/comments/{kept['id']}", headers=headers)
    assert (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments")).json() == []
    assert await _comment_count(client, workspace.slug, idea.number) == 0
    rows = await session.scalars(select(Comment).where(Comment.idea_id == idea.id))
    assert len(list(rows)) == 3


async def test_comment_count_stays_exact_through_posts_replies_and_removals(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    ids = []
    for n in range(4):
        ids.append((await _post(client, workspace.slug, idea.number, headers, f"Comment {n}"))["id"])
    ids.append((await _post(client, workspace.slug, idea.number, headers, "Reply", parent_id=ids[0]))["id"])
    await client.delete(f"/api/v1/{workspace.slug}/comments/{ids[1]}", headers=headers)
    await client.delete(f"/api/v1/{workspace.slug}/comments/{ids[0]}", headers=headers)
    await client.delete(f"/api/v1/{workspace.slug}/comments/{ids[0]}", headers=headers)  # already gone: 404
    stored = await session.scalar(
        select(Idea.comment_count).where(Idea.id == idea.id).execution_options(populate_existing=True)
    )
    assert stored == 3 == await _comment_count(client, workspace.slug, idea.number)


async def test_comments_on_a_private_board_are_hidden_from_outsiders(session, client):
    workspace = await make_workspace(session)
    board = await make_board(session, workspace, slug="internal", visibility=Visibility.private)
    member = await make_user(session)
    await add_member(session, workspace, member)
    idea = await make_idea(session, workspace, author=member, board=board)
    member_headers = await make_token(session, member)
    comment = await _post(client, workspace.slug, idea.number, member_headers, "Internal note")

    outsider = await make_token(session, await make_user(session))
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments"
    assert (await client.get(url, headers=outsider)).status_code == 404
    assert (await client.post(url, json={"body": "Peek"}, headers=outsider)).status_code == 404
    assert (
        await client.delete(f"/api/v1/{workspace.slug}/comments/{comment['id']}", headers=outsider)
    ).status_code == 404


async def test_comment_ids_too_large_for_the_database_name_no_comment(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    huge = 10**20
    assert (
        await client.patch(f"/api/v1/{workspace.slug}/comments/{huge}", json={"body": "x"}, headers=headers)
    ).status_code == 404
    assert (await client.delete(f"/api/v1/{workspace.slug}/comments/{huge}", headers=headers)).status_code == 404
    reply = await client.post(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}/comments", json={"body": "x", "parent_id": huge}, headers=headers
    )
    assert reply.status_code == 422 and list(reply.json()["fields"]) == ["parent_id"]

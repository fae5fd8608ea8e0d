"""Comment forms on the idea page: posting with and without htmx, replies, inline errors, editing your own
comment, removing one, and the "Comment removed" placeholder that keeps replies in place."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.comments import service as comment_service
from ideaflow.comments.models import Comment
from ideaflow.ideas import service as idea_service
from ideaflow.workspaces.models import Role
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, add_member, context, make_idea, make_user, make_workspace

HTMX = {"HX-Request": "true"}


async def _comment(session, workspace, idea, user, body: str, parent_id: int | None = None) -> Comment:
    ctx = await context(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number)
    return await comment_service.add_comment(session, ctx, view, body=body, parent_id=parent_id)


async def test_posting_a_comment_without_javascript_redirects_to_it(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    user = await make_user(session, name="Barbara")
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/comments", data={"body": "I need this **too**", "csrf_token": csrf}
    )
    assert response.status_code == 303
    comment = await session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    assert response.headers["location"] == f"/{workspace.slug}/ideas/{idea.number}#comment-{comment.id}"
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert f'id="comment-{comment.id}"' in page.text
    assert "I need this <strong>too</strong>" in page.text and "Barbara" in page.text
    assert "1 comment<" in page.text


async def test_htmx_comment_post_returns_the_comments_block(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/comments",
        data={"body": "Swapped in place"},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    fragment = response.text.strip()
    assert fragment.startswith('<section id="comments"')
    assert fragment.endswith("</section>")
    assert "<html" not in fragment and "idea__title" not in fragment
    assert "Swapped in place" in fragment and "1 comment<" in fragment


async def test_a_blank_htmx_comment_comes_back_with_the_error_in_the_block(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/comments",
        data={"body": "   "},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )
    assert response.status_code == 422
    assert response.text.strip().startswith('<section id="comments"')
    assert 'id="f-body-error"' in response.text
    assert await session.scalar(select(Comment.id).where(Comment.idea_id == idea.id)) is None


async def test_a_blank_comment_without_javascript_shows_the_idea_page_with_the_error(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace, title="Needs discussion")
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/comments", data={"body": "", "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert "Needs discussion" in response.text and 'id="f-body-error"' in response.text


async def test_a_reply_form_answers_the_thread(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    first = await make_user(session)
    top = await _comment(session, workspace, idea, first, "Top-level question")
    reply = await _comment(session, workspace, idea, first, "First answer", parent_id=top.id)
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert f'name="parent_id" value="{top.id}"' in page.text
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/comments",
        data={"body": "Answering the answer", "parent_id": str(reply.id), "csrf_token": csrf},
    )
    assert response.status_code == 303
    stored = await session.scalar(select(Comment).where(Comment.body == "Answering the answer"))
    assert stored.parent_id == top.id


async def test_a_removed_comment_with_replies_shows_comment_removed_and_keeps_the_replies(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author = await make_user(session)
    top = await _comment(session, workspace, idea, author, "Embarrassing first take")
    await _comment(session, workspace, idea, await make_user(session), "A thoughtful reply", parent_id=top.id)
    csrf = await web_sign_in(client, author.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/comments/{top.id}/delete", data={}, headers={**HTMX, "X-CSRF-Token": csrf}
    )
    assert response.status_code == 200
    assert response.text.strip().startswith('<section id="comments"')
    assert "Comment removed" in response.text and "1 comment<" in response.text
    page = (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text
    assert "Comment removed" in page
    assert "Embarrassing first take" not in page
    assert "A thoughtful reply" in page
    assert "1 comment<" in page


async def test_a_removed_comment_without_replies_disappears(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author = await make_user(session)
    comment = await _comment(session, workspace, idea, author, "Never mind")
    csrf = await web_sign_in(client, author.email, PASSWORD)
    response = await client.post(f"/{workspace.slug}/comments/{comment.id}/delete", data={"csrf_token": csrf})
    assert response.status_code == 303
    page = (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text
    assert "Never mind" not in page and "Comment removed" not in page and "0 comments" in page


async def test_staff_can_remove_anyones_comment_and_other_members_cannot(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    comment = await _comment(session, workspace, idea, await make_user(session), "Spam spam spam")
    member = await make_user(session)
    await add_member(session, workspace, member)
    csrf = await web_sign_in(client, member.email, PASSWORD)
    page = (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text
    assert f"/{workspace.slug}/comments/{comment.id}/delete" not in page
    refused = await client.post(f"/{workspace.slug}/comments/{comment.id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 403

    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    csrf = await web_sign_in(client, staff.email, PASSWORD)
    page = (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text
    assert f"/{workspace.slug}/comments/{comment.id}/delete" in page
    assert f"/{workspace.slug}/comments/{comment.id}/edit" not in page
    removed = await client.post(f"/{workspace.slug}/comments/{comment.id}/delete", data={"csrf_token": csrf})
    assert removed.status_code == 303
    assert "Spam spam spam" not in (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text


async def test_the_author_edits_a_comment_and_others_get_403(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    author = await make_user(session)
    comment = await _comment(session, workspace, idea, author, "Speling mistake")

    other = await make_user(session)
    csrf = await web_sign_in(client, other.email, PASSWORD)
    assert (await client.get(f"/{workspace.slug}/comments/{comment.id}/edit")).status_code == 403
    refused = await client.post(
        f"/{workspace.slug}/comments/{comment.id}/edit", data={"body": "Vandalised", "csrf_token": csrf}
    )
    assert refused.status_code == 403

    csrf = await web_sign_in(client, author.email, PASSWORD)
    form = await client.get(f"/{workspace.slug}/comments/{comment.id}/edit")
    assert form.status_code == 200 and "Speling mistake" in form.text
    blank = await client.post(f"/{workspace.slug}/comments/{comment.id}/edit", data={"body": " ", "csrf_token": csrf})
    assert blank.status_code == 422 and 'id="f-body-error"' in blank.text
    saved = await client.post(
        f"/{workspace.slug}/comments/{comment.id}/edit", data={"body": "Spelling mistake", "csrf_token": csrf}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/{workspace.slug}/ideas/{idea.number}#comment-{comment.id}"
    page = (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text
    assert "Spelling mistake" in page and "Vandalised" not in page


async def test_anonymous_visitors_see_a_sign_in_prompt_instead_of_the_form(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    await _comment(session, workspace, idea, await make_user(session), "Visible to everyone")
    page = (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text
    assert "Visible to everyone" in page
    assert f'href="/signin?next=/{workspace.slug}/ideas/{idea.number}"' in page
    assert 'class="form comment-form"' not in page

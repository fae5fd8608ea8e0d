"""Idea pages: the submit form (redirect on success, inline errors with the typed text kept), the portal
and board lists, the similar-ideas fragment, editing and deleting from the idea page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ideaflow.boards.models import Visibility
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.votes import service as vote_service
from ideaflow.workspaces.models import Role
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, context, make_board, make_idea, make_user, make_workspace


async def _idea_count(session, workspace_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(Idea).where(Idea.workspace_id == workspace_id))


async def test_posting_the_form_creates_the_idea_and_redirects_to_its_page(session, client):
    workspace = await make_workspace(session)
    user = await make_user(session, name="Grace")
    await web_sign_in(client, user.email, PASSWORD)
    form_page = await client.get(f"/{workspace.slug}/boards/feature-requests/new")
    assert form_page.status_code == 200
    response = await client.post(
        f"/{workspace.slug}/boards/feature-requests/ideas",
        data={"title": "Keyboard shortcuts", "body": "Press **j** and **k**", "csrf_token": csrf_from(form_page.text)},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/{workspace.slug}/ideas/1"
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Keyboard shortcuts" in page.text and "<strong>j</strong>" in page.text and "Grace" in page.text


async def test_a_bad_title_shows_the_error_next_to_the_title_and_keeps_what_was_typed(session, client):
    workspace = await make_workspace(session)
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/boards/feature-requests/ideas",
        data={"title": "ab", "body": "My carefully written details", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.text
    assert "at least 3 characters" in response.text
    assert 'aria-invalid="true" aria-describedby="f-title-error"' in response.text
    assert 'value="ab"' in response.text
    assert "My carefully written details" in response.text
    assert await _idea_count(session, workspace.id) == 0


async def test_an_overlong_body_shows_the_error_next_to_the_details_field(session, client):
    workspace = await make_workspace(session)
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/boards/feature-requests/ideas",
        data={"title": "A perfectly fine title", "body": "x" * 20_001, "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="f-body-error"' in response.text and 'id="f-title-error"' not in response.text
    assert 'value="A perfectly fine title"' in response.text
    assert await _idea_count(session, workspace.id) == 0


async def test_typed_text_is_escaped_when_the_form_comes_back(session, client):
    workspace = await make_workspace(session)
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/boards/feature-requests/ideas",
        data={"title": '"<', "body": "</textarea><script>alert(1)</script>", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in response.text
    assert 'value="&#34;&lt;"' in response.text


async def test_the_new_idea_form_asks_anonymous_visitors_to_sign_in(session, client):
    workspace = await make_workspace(session)
    response = await client.get(f"/{workspace.slug}/boards/feature-requests/new")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")


async def test_board_page_lists_ideas_sorted_and_searchable(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    older = await make_idea(session, workspace, author=owner, title="Exporting reports to PDF")
    newer = await make_idea(session, workspace, author=owner, title="Calendar sync")
    ctx = await context(session, workspace, await make_user(session))
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, older.number))

    top = (await client.get(f"/{workspace.slug}/boards/feature-requests")).text
    assert top.index("Exporting reports to PDF") < top.index("Calendar sync")
    new = (await client.get(f"/{workspace.slug}/boards/feature-requests", params={"sort": "new"})).text
    assert new.index("Calendar sync") < new.index("Exporting reports to PDF")

    found = (await client.get(f"/{workspace.slug}", params={"q": "export"})).text
    assert "Exporting reports to PDF" in found and "Calendar sync" not in found
    nothing = (await client.get(f"/{workspace.slug}", params={"q": "zeppelin"})).text
    assert "No ideas match" in nothing
    assert f"/{workspace.slug}/ideas/{newer.number}" not in nothing


async def test_htmx_filter_request_gets_only_the_list_fragment(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    await make_idea(session, workspace, author=owner, title="Calendar sync")
    response = await client.get(
        f"/{workspace.slug}", params={"sort": "new"}, headers={"HX-Request": "true", "HX-Target": "idea-list"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="idea-list"')
    assert "<html" not in response.text and "Calendar sync" in response.text


async def test_a_forged_cursor_on_the_board_page_shows_the_first_page(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    await make_idea(session, workspace, author=owner, title="Calendar sync")
    response = await client.get(f"/{workspace.slug}/boards/feature-requests", params={"cursor": "garbage"})
    assert response.status_code == 200 and "Calendar sync" in response.text


async def test_show_more_link_pages_through_the_board(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    for n in range(25):
        await make_idea(session, workspace, author=owner, title=f"Numbered idea {n:02d}")
    first = await client.get(f"/{workspace.slug}", params={"sort": "new"})
    assert first.text.count('class="idea-card"') == 20
    assert "Numbered idea 24" in first.text and "Numbered idea 04" not in first.text
    link = first.text.split('id="load-more"', 1)[1].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = await client.get(link, headers={"HX-Request": "true", "HX-Target": "load-more"})
    assert second.text.count('class="idea-card"') == 5
    assert "Numbered idea 04" in second.text and "Numbered idea 05" not in second.text
    assert 'id="load-more"' not in second.text


async def test_similar_fragment_suggests_existing_ideas_while_typing(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    dark = await make_idea(session, workspace, author=owner, title="Dark mode for the editor")
    await make_idea(session, workspace, author=owner, title="Two-factor sign-in")
    response = await client.get(f"/{workspace.slug}/similar", params={"title": "dark mo"})
    assert response.status_code == 200
    assert f'href="/{workspace.slug}/ideas/{dark.number}"' in response.text
    assert "Dark mode for the editor" in response.text and "Two-factor" not in response.text
    assert "<html" not in response.text
    too_short = await client.get(f"/{workspace.slug}/similar", params={"title": "da"})
    assert too_short.status_code == 200 and too_short.text.strip() == ""
    unrelated = await client.get(f"/{workspace.slug}/similar", params={"title": "zeppelin rides"})
    assert unrelated.text.strip() == ""


async def test_private_board_and_its_ideas_are_404_to_outsiders(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    board = await make_board(session, workspace, slug="internal", name="Internal", visibility=Visibility.private)
    idea = await make_idea(session, workspace, author=owner, board=board, title="Secret plan")
    assert (await client.get(f"/{workspace.slug}/boards/internal")).status_code == 404
    assert (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).status_code == 404
    assert "Secret plan" not in (await client.get(f"/{workspace.slug}")).text

    member = await make_user(session)
    await add_member(session, workspace, member)
    await web_sign_in(client, member.email, PASSWORD)
    assert "Secret plan" in (await client.get(f"/{workspace.slug}/boards/internal")).text
    assert (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).status_code == 200


async def test_author_edits_a_fresh_idea_from_its_page(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author, title="Frist title")
    await web_sign_in(client, author.email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert f'href="/{workspace.slug}/ideas/{idea.number}/edit"' in page.text
    edit = await client.get(f"/{workspace.slug}/ideas/{idea.number}/edit")
    assert edit.status_code == 200
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/edit",
        data={"title": "First title", "body": "", "csrf_token": csrf_from(edit.text)},
    )
    assert response.status_code == 303
    assert "First title" in (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text


async def test_after_a_vote_the_author_sees_no_edit_button_and_the_edit_page_is_403(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    ctx = await context(session, workspace, await make_user(session))
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    csrf = await web_sign_in(client, author.email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert f"/{workspace.slug}/ideas/{idea.number}/edit" not in page.text
    assert (await client.get(f"/{workspace.slug}/ideas/{idea.number}/edit")).status_code == 403
    refused = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/edit", data={"title": "Changed", "body": "", "csrf_token": csrf}
    )
    assert refused.status_code == 403
    await session.refresh(idea)
    assert idea.title != "Changed"


async def test_staff_changes_status_from_the_edit_form(session, client):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    idea = await make_idea(session, workspace, title="Old idea")
    idea.created_at = datetime.now(UTC) - timedelta(days=3)
    await session.flush()
    csrf = await web_sign_in(client, staff.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/edit",
        data={"title": "Old idea", "body": "", "status": "in_progress", "csrf_token": csrf},
    )
    assert response.status_code == 303
    await session.refresh(idea)
    assert idea.status == IdeaStatus.in_progress
    bad = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/edit",
        data={"title": "Old idea", "body": "", "status": "someday", "csrf_token": csrf},
    )
    assert bad.status_code == 422
    await session.refresh(idea)
    assert idea.status == IdeaStatus.in_progress


async def test_a_bad_title_on_the_edit_form_shows_the_error_and_keeps_the_idea_unchanged(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author, title="Original title")
    csrf = await web_sign_in(client, author.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/edit",
        data={"title": "no", "body": "New details I typed", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.text and 'value="no"' in response.text
    assert "New details I typed" in response.text
    half_valid = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/edit",
        data={"title": "A valid new title", "body": "x" * 20_001, "csrf_token": csrf},
    )
    assert half_valid.status_code == 422 and 'id="f-body-error"' in half_valid.text
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert "Original title" in page.text
    assert "New details I typed" not in page.text and "A valid new title" not in page.text


async def test_deleting_from_the_idea_page_returns_to_the_board_and_the_idea_is_gone(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author, title="Posted by mistake")
    csrf = await web_sign_in(client, author.email, PASSWORD)
    response = await client.post(f"/{workspace.slug}/ideas/{idea.number}/delete", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == f"/{workspace.slug}/boards/feature-requests"
    assert (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).status_code == 404
    assert "Posted by mistake" not in (await client.get(response.headers["location"])).text
    assert await _idea_count(session, workspace.id) == 1

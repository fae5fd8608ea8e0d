"""The vote button on the web: htmx swaps the button in place, a plain form post comes back to the page,
anonymous visitors are sent to sign in, and a refused vote shows a toast."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaflow.ideas.models import IdeaStatus
from ideaflow.votes.models import Vote
from ideaflow.workspaces import repository as workspace_repository
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, make_idea, make_user, make_workspace

HTMX = {"HX-Request": "true"}


async def _votes(session, idea_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id))


async def test_htmx_toggle_returns_the_button_with_the_new_count_and_pressed_state(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace, title="Offline mode")
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    url = f"/{workspace.slug}/ideas/{idea.number}/vote"

    on = await client.post(url, data={"action": "add"}, headers={**HTMX, "X-CSRF-Token": csrf})
    assert on.status_code == 200
    fragment = on.text.strip()
    assert fragment.startswith(f'<form class="vote vote--on" id="vote-{idea.number}"')
    assert "<html" not in fragment
    assert 'aria-pressed="true"' in fragment
    assert '<span class="vote__count" data-testid="vote-count">1</span>' in fragment
    assert 'name="action" value="remove"' in fragment
    assert await _votes(session, idea.id) == 1

    off = await client.post(url, data={"action": "remove"}, headers={**HTMX, "X-CSRF-Token": csrf})
    assert off.status_code == 200
    assert 'aria-pressed="false"' in off.text
    assert '<span class="vote__count" data-testid="vote-count">0</span>' in off.text
    assert 'name="action" value="add"' in off.text
    assert await _votes(session, idea.id) == 0


async def test_a_double_click_on_add_still_counts_one_vote(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    url = f"/{workspace.slug}/ideas/{idea.number}/vote"
    for _ in range(2):
        response = await client.post(url, data={"action": "add"}, headers={**HTMX, "X-CSRF-Token": csrf})
        assert 'data-testid="vote-count">1<' in response.text
    assert await _votes(session, idea.id) == 1


async def test_large_button_keeps_its_size_after_the_swap(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote",
        data={"action": "add", "size": "lg"},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )
    assert 'class="vote vote--on vote--lg"' in response.text


async def test_plain_form_post_redirects_back_to_the_page_it_came_from(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    board_url = f"http://testserver/{workspace.slug}/boards/feature-requests"
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote",
        data={"action": "add", "csrf_token": csrf},
        headers={"Referer": board_url},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/{workspace.slug}/boards/feature-requests"
    page = await client.get(response.headers["location"])
    assert 'aria-pressed="true"' in page.text


async def test_plain_form_post_without_a_referer_or_from_another_site_returns_to_the_idea(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    url = f"/{workspace.slug}/ideas/{idea.number}/vote"
    plain = await client.post(url, data={"action": "add", "csrf_token": csrf})
    assert plain.status_code == 303 and plain.headers["location"] == f"/{workspace.slug}/ideas/{idea.number}"
    foreign = await client.post(
        url, data={"action": "remove", "csrf_token": csrf}, headers={"Referer": "https://evil.example/phish"}
    )
    assert foreign.status_code == 303 and foreign.headers["location"] == f"/{workspace.slug}/ideas/{idea.number}"
    assert await _votes(session, idea.id) == 0


async def test_anonymous_htmx_vote_is_redirected_to_sign_in(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote",
        data={"action": "add"},
        headers={**HTMX, "X-CSRF-Token": csrf_from(page.text), "HX-Current-URL": f"/{workspace.slug}"},
    )
    assert response.headers["HX-Redirect"] == f"/signin?next=/{workspace.slug}"
    assert await _votes(session, idea.id) == 0


async def test_anonymous_plain_vote_is_sent_to_sign_in(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote", data={"action": "add", "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next=/{workspace.slug}/ideas/{idea.number}"
    assert await _votes(session, idea.id) == 0


async def test_a_vote_by_a_non_member_counts_without_granting_membership(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    assert await workspace_repository.get_membership(session, workspace.id, voter.id) is None
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote", data={"action": "add"}, headers={**HTMX, "X-CSRF-Token": csrf}
    )
    assert response.status_code == 200
    assert await _votes(session, idea.id) == 1
    assert await workspace_repository.get_membership(session, workspace.id, voter.id) is None


async def test_vote_without_the_csrf_token_is_refused(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    await web_sign_in(client, voter.email, PASSWORD)
    response = await client.post(f"/{workspace.slug}/ideas/{idea.number}/vote", data={"action": "add"})
    assert response.status_code == 403
    assert await _votes(session, idea.id) == 0


async def test_voting_on_a_shipped_idea_with_htmx_shows_an_error_toast(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    idea.status, idea.status_category = IdeaStatus.shipped, "done"
    await session.flush()
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert "Voting is closed for this idea" in page.text
    response = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote", data={"action": "add"}, headers={**HTMX, "X-CSRF-Token": csrf}
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "Voting is closed" in response.text
    assert await _votes(session, idea.id) == 0

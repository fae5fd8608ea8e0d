"""Ranking pages: the staff ranking view, why-this-score with the priority form, settings, the CSV import,
the importance chooser on the vote button, and the prioritisation survey."""

from __future__ import annotations

import re

from sqlalchemy import event, select

from ideaflow.ideas.models import Idea
from ideaflow.ranking.models import CustomerProfile, PairwiseComparison
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Role
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, default_board, make_idea, make_user, make_workspace
from tests.ranking.helpers import enable, stored, vote

HTMX = {"HX-Request": "true"}


async def _staff_client(session, client, workspace=None):
    staff = await make_user(session)
    workspace = workspace or await make_workspace(session, owner=staff)
    csrf = await web_sign_in(client, staff.email, PASSWORD)
    return workspace, csrf


async def test_the_ranking_view_sorts_by_demand_and_pages_with_htmx(session, client):
    workspace, _ = await _staff_client(session, client)
    ideas = [await make_idea(session, workspace, title=f"Idea with {n} votes") for n in range(4)]
    for n, idea in enumerate(ideas):
        for _ in range(n):
            await vote(session, workspace, idea, await make_user(session))
    page = await client.get(f"/{workspace.slug}/admin/ranking?ranking=demand")
    assert page.status_code == 200
    titles = re.findall(r"Idea with (\d) votes", page.text)
    assert titles == ["3", "2", "1", "0"]
    assert 'aria-sort="descending"' in page.text

    from ideaflow.ranking import service as ranking_service
    from tests.factories import owner_context

    first = await ranking_service.ranked_ideas(
        session, await owner_context(session, workspace), ranking="demand", limit=2
    )
    more = await client.get(f"/{workspace.slug}/admin/ranking?ranking=demand&cursor={first.next_cursor}", headers=HTMX)
    assert "<html" not in more.text
    assert re.findall(r"Idea with (\d) votes", more.text) == ["1", "0"]


async def test_the_ranking_view_costs_the_same_queries_for_ten_or_forty_ideas(session, client, engine):
    workspace, _ = await _staff_client(session, client)

    async def count_queries() -> int:
        statements = []
        listener = lambda *_: statements.append(1)  # noqa: E731
        event.listen(engine.sync_engine, "before_cursor_execute", listener)
        try:
            response = await client.get(f"/{workspace.slug}/admin/ranking?ranking=priority")
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return len(statements)

    for _ in range(10):
        await vote(session, workspace, await make_idea(session, workspace), await make_user(session))
    ten = await count_queries()
    for _ in range(30):
        await vote(session, workspace, await make_idea(session, workspace), await make_user(session))
    assert await count_queries() == ten


async def test_priority_form_keeps_what_was_typed_and_names_the_bad_field(session, client):
    workspace, csrf = await _staff_client(session, client)
    idea = await make_idea(session, workspace)
    url = f"/{workspace.slug}/admin/ideas/{idea.number}/score"
    bad = await client.post(url, data={"impact": "2", "confidence": "180", "effort": "3", "csrf_token": csrf})
    assert bad.status_code == 422
    assert "Confidence must be between 0 and 100" in bad.text
    assert 'value="180"' in bad.text and 'value="3"' in bad.text
    good = await client.post(url, data={"impact": "2", "confidence": "50", "effort": "1", "csrf_token": csrf})
    assert good.status_code == 200 and "Saved." in good.text
    assert (await stored(session, idea)).priority == 0.0  # no votes yet: reach 0
    await vote(session, workspace, idea, await make_user(session))
    page = await client.get(url)
    assert '<dd data-testid="priority">1.00</dd>' in page.text  # 1 x 2 x 0.5 / 1


async def test_settings_form_saves_weights_and_reports_bad_ones_inline(session, client):
    workspace, csrf = await _staff_client(session, client)
    idea = await make_idea(session, workspace)
    enterprise = await make_user(session)
    await vote(session, workspace, idea, enterprise)
    from ideaflow.ranking import service as ranking_service

    await ranking_service.record_customer_attributes(
        session,
        workspace_id=workspace.id,
        user_id=enterprise.id,
        segment="Enterprise",
        monthly_revenue=None,
        company_name=None,
        company_external_id=None,
        source="api",
    )
    url = f"/{workspace.slug}/settings/ranking"
    form = {
        "csrf_token": csrf,
        "importance_nice_to_have": "1",
        "importance_important": "2",
        "importance_critical": "4",
        "segment_name_0": "Enterprise",
        "segment_weight_0": "5",
        "revenue_weight": "0.5",
        "revenue_reference": "1000",
        "priority_method": "rice",
        "half_life_hours": "",
    }
    bad = await client.post(url, data={**form, "segment_weight_0": "500"})
    assert bad.status_code == 422
    assert "must be between 0 and 100" in bad.text and 'value="500"' in bad.text
    good = await client.post(url, data=form)
    assert good.status_code == 200 and "Saved." in good.text
    assert (await stored(session, idea)).demand == 5.0
    assert "Enterprise" in (await client.get(url)).text


async def test_csv_import_checks_every_row_and_imports_nothing_until_all_are_right(session, client):
    workspace, csrf = await _staff_client(session, client)
    known = await make_user(session, email="buyer@example.com")
    await add_member(session, workspace, known, Role.member)
    idea = await make_idea(session, workspace)
    await vote(session, workspace, idea, known)
    stranger = await make_user(session, email="stranger@example.com")
    url = f"/{workspace.slug}/settings/customers/import"
    bad_csv = (
        "email,segment,monthly_revenue,company_name\n"
        "buyer@example.com,Enterprise,lots,Initech\n"
        f"{stranger.email},SMB,10,\n"
        "nobody@example.com,,,\n"
    )
    bad = await client.post(url, data={"csrf_token": csrf}, files={"file": ("c.csv", bad_csv, "text/csv")})
    assert bad.status_code == 422
    assert "Line 2: monthly revenue must be an amount such as 1200 or 1200.50" in bad.text
    assert "Line 3: stranger@example.com has not joined or voted in this workspace" in bad.text
    assert "Line 4: nobody@example.com has not joined or voted in this workspace" in bad.text
    assert await session.scalar(select(CustomerProfile).where(CustomerProfile.user_id == known.id)) is None

    good_csv = (
        'Email,Segment,Monthly_Revenue,Company_Name,Company_ID\nBUYER@example.com,Enterprise,"3,000",Initech,crm-7\n'
    )
    good = await client.post(url, data={"csrf_token": csrf}, files={"file": ("c.csv", good_csv, "text/csv")})
    assert good.status_code == 200 and "Imported 1 customer." in good.text
    profile = await session.scalar(
        select(CustomerProfile).where(CustomerProfile.user_id == known.id).execution_options(populate_existing=True)
    )
    assert (profile.segment, profile.monthly_revenue_cents, profile.company_external_id, profile.source) == (
        "Enterprise",
        300_000,
        "crm-7",
        "csv",
    )
    assert (await stored(session, idea)).demand == 2.0  # revenue factor 1 + 0.5 x log2(4)
    assert "Initech" in (await client.get(f"/{workspace.slug}/settings/customers")).text


async def test_after_a_vote_on_a_board_that_asks_the_chooser_opens_and_sets_the_importance(session, client):
    workspace = await make_workspace(session)
    await enable(session, workspace, await default_board(session, workspace), importance_enabled=True)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    url = f"/{workspace.slug}/ideas/{idea.number}/vote"
    cast = await client.post(url, data={"action": "add"}, headers={**HTMX, "X-CSRF-Token": csrf})
    assert 'data-testid="vote-importance"' in cast.text
    assert "How important is this to you?" in cast.text
    chosen = await client.post(
        url, data={"action": "remove", "importance": "critical"}, headers={**HTMX, "X-CSRF-Token": csrf}
    )
    assert 'aria-pressed="true"' in chosen.text and "vote-importance" not in chosen.text
    assert "Marked as critical." in chosen.text
    row = await session.scalar(select(Vote).where(Vote.idea_id == idea.id).execution_options(populate_existing=True))
    assert row.importance == "critical"


async def test_without_javascript_a_vote_on_a_board_that_asks_goes_to_the_vote_page(session, client):
    workspace = await make_workspace(session)
    await enable(
        session, workspace, await default_board(session, workspace), importance_enabled=True, downvotes_enabled=True
    )
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    csrf = await web_sign_in(client, voter.email, PASSWORD)
    cast = await client.post(f"/{workspace.slug}/ideas/{idea.number}/vote", data={"action": "add", "csrf_token": csrf})
    assert cast.status_code == 303 and cast.headers["location"] == f"/{workspace.slug}/ideas/{idea.number}/vote"
    page = await client.get(cast.headers["location"])
    assert "How important is it to you?" in page.text and "No, I would rather not have it" in page.text
    saved = await client.post(
        f"/{workspace.slug}/ideas/{idea.number}/vote/options",
        data={"value": "-1", "importance": "important", "csrf_token": csrf_from(page.text)},
    )
    assert saved.status_code == 303
    row = await session.scalar(select(Vote).where(Vote.idea_id == idea.id).execution_options(populate_existing=True))
    assert (row.value, row.importance) == (-1, "important")
    fresh = await session.get(Idea, idea.id, populate_existing=True)
    assert fresh.vote_count == 0


async def test_the_survey_shows_a_pair_takes_an_answer_and_offers_another(session, client):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    ideas = [await make_idea(session, workspace, title=f"Survey idea {n}") for n in range(3)]
    url = f"/{workspace.slug}/boards/{board.slug}/prioritise"
    anonymous = await client.get(url)
    assert anonymous.status_code == 200 and "Sign in to compare ideas." in anonymous.text
    judge = await make_user(session)
    csrf = await web_sign_in(client, judge.email, PASSWORD)
    page = await client.get(url)
    assert "Which matters more to you?" in page.text
    left = int(re.search(r'name="left" value="(\d+)"', page.text).group(1))
    right = int(re.search(r'name="right" value="(\d+)"', page.text).group(1))
    assert {left, right} <= {i.id for i in ideas}
    answer = await client.post(
        url, data={"left": left, "right": right, "outcome": "left"}, headers={**HTMX, "X-CSRF-Token": csrf}
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert 'id="survey"' in answer.text and "Which matters more to you?" in answer.text
    stored_answer = await session.scalar(select(PairwiseComparison).where(PairwiseComparison.user_id == judge.id))
    assert (stored_answer.left_idea_id, stored_answer.right_idea_id, stored_answer.outcome) == (left, right, "left")
    again = await client.post(url, data={"left": left, "right": right, "outcome": "right", "csrf_token": csrf})
    assert again.status_code == 409 and "already compared" in again.text


async def test_adding_your_own_idea_from_the_survey_posts_it_to_the_board(session, client):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    judge = await make_user(session)
    csrf = await web_sign_in(client, judge.email, PASSWORD)
    url = f"/{workspace.slug}/boards/{board.slug}/prioritise/ideas"
    short = await client.post(url, data={"title": "ab", "csrf_token": csrf})
    assert short.status_code == 422 and 'value="ab"' in short.text
    added = await client.post(url, data={"title": "Offline mode for the mobile app", "csrf_token": csrf})
    assert added.status_code == 303
    idea = await session.scalar(select(Idea).where(Idea.title == "Offline mode for the mobile app"))
    assert (idea.board_id, idea.author_id) == (board.id, judge.id)
    assert added.headers["location"] == f"/{workspace.slug}/ideas/{idea.number}"


async def test_the_board_page_links_to_the_survey(session, client):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    page = await client.get(f"/{workspace.slug}/boards/{board.slug}")
    assert f'href="/{workspace.slug}/boards/{board.slug}/prioritise"' in page.text


async def test_the_staff_idea_page_links_to_why_this_score(session, client):
    workspace, _ = await _staff_client(session, client)
    idea = await make_idea(session, workspace)
    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    link = f"/{workspace.slug}/admin/ideas/{idea.number}/score"
    assert link in page.text
    assert (await client.get(link)).status_code == 200

    customer = await make_user(session)
    await client.post("/signout", data={"csrf_token": csrf_from(page.text)})
    await web_sign_in(client, customer.email, PASSWORD)
    assert link not in (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text


async def test_the_board_page_offers_the_survey_only_where_the_board_runs_it(session, client):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    page = f"/{workspace.slug}/boards/{board.slug}"
    survey = f"/{workspace.slug}/boards/{board.slug}/prioritise"
    assert survey in (await client.get(page)).text
    await enable(session, workspace, board, pairwise_enabled=False)
    assert survey not in (await client.get(page)).text
    assert (await client.get(survey)).status_code == 404

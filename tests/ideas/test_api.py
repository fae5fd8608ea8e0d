"""Ideas through the API: submitting (numbering, validation), listing (sort, status, search, cursor pages),
similar ideas, the edit window, soft delete and private boards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ideaflow.boards.models import Visibility
from ideaflow.config import get_settings
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import service as idea_service
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.kit.sql import dialect_name
from ideaflow.votes import repository as vote_repository
from ideaflow.votes import service as vote_service
from ideaflow.workspaces.models import Role
from tests.factories import (
    add_member,
    context,
    default_board,
    make_board,
    make_idea,
    make_token,
    make_user,
    make_workspace,
)
from tests.test_query_counts import counting


async def _vote(session, workspace, idea, voter) -> None:
    ctx = await context(session, workspace, voter)
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))


async def _vote_at(session, workspace, idea, voter, at: datetime) -> None:
    """A vote cast at a chosen moment, through the same repository calls the vote service makes."""
    assert await vote_repository.insert_vote(session, workspace.id, idea.id, voter.id, at)
    x = trending.point(at, get_settings().trending_half_life_hours)
    await idea_repository.change_counters(
        session, idea.id, votes=1, trending=trending.sql_add(Idea.trending_score, x, dialect_name(session))
    )


def _created_at(idea: Idea, at: datetime) -> None:
    idea.created_at = at
    idea.trending_score = trending.point(at, get_settings().trending_half_life_hours)


async def _numbers(client, url: str, headers=None, **params) -> list[int]:
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


# --- Submitting -------------------------------------------------------------------------------------------


async def test_submitting_an_idea_returns_201_with_the_idea_and_its_link(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session, name="Ada")
    headers = await make_token(session, author)
    response = await client.post(
        f"/api/v1/{workspace.slug}/ideas",
        json={"board": "feature-requests", "title": "  Dark   mode for reports ", "body": "Please **dark** mode"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    idea = response.json()
    assert idea["number"] == 1
    assert idea["title"] == "Dark mode for reports"
    assert "<strong>dark</strong>" in idea["body_html"]
    assert idea["author"]["name"] == "Ada"
    assert idea["board"]["slug"] == "feature-requests"
    assert (idea["status"], idea["vote_count"], idea["voted"]) == ("open", 0, False)
    assert idea["url"].endswith(f"/{workspace.slug}/ideas/1")
    fetched = await client.get(f"/api/v1/{workspace.slug}/ideas/1")
    assert fetched.json()["title"] == "Dark mode for reports"


async def test_ideas_are_numbered_per_workspace_independently(session, client):
    first, second = await make_workspace(session), await make_workspace(session)
    headers = await make_token(session, await make_user(session))

    async def submit(workspace) -> int:
        response = await client.post(
            f"/api/v1/{workspace.slug}/ideas",
            json={"board": "feature-requests", "title": "Something useful"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        return response.json()["number"]

    assert [await submit(first), await submit(first), await submit(second), await submit(first)] == [1, 2, 1, 3]
    assert await submit(second) == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "ab"}, "title"),
        ({"title": "   ab   "}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"title": "A good title", "body": "b" * 20_001}, "body"),
    ],
    ids=["too-short", "short-after-trimming", "too-long", "body-too-long"],
)
async def test_an_idea_with_a_bad_title_or_body_is_422_naming_the_field(session, client, payload, field):
    workspace = await make_workspace(session)
    headers = await make_token(session, await make_user(session))
    response = await client.post(
        f"/api/v1/{workspace.slug}/ideas", json={"board": "feature-requests", **payload}, headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert list(body["fields"]) == [field]
    assert await session.scalar(select(Idea.id).where(Idea.workspace_id == workspace.id)) is None


async def test_title_limits_count_the_trimmed_title(session, client):
    workspace = await make_workspace(session)
    headers = await make_token(session, await make_user(session))
    url = f"/api/v1/{workspace.slug}/ideas"
    shortest = await client.post(url, json={"board": "feature-requests", "title": " abc "}, headers=headers)
    longest = await client.post(
        url, json={"board": "feature-requests", "title": f"  {'x' * 140}  ", "body": "b" * 20_000}, headers=headers
    )
    assert shortest.status_code == 201 and shortest.json()["title"] == "abc"
    assert longest.status_code == 201 and len(longest.json()["title"]) == 140


async def test_anonymous_submission_is_401(session, client):
    workspace = await make_workspace(session)
    response = await client.post(
        f"/api/v1/{workspace.slug}/ideas", json={"board": "feature-requests", "title": "Anonymous idea"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


# --- Listing: sort, filter, search, pages -----------------------------------------------------------------


async def test_top_lists_most_voted_first_and_new_lists_newest_first(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    one = await make_idea(session, workspace, author=owner, title="One vote")
    three = await make_idea(session, workspace, author=owner, title="Three votes")
    none = await make_idea(session, workspace, author=owner, title="No votes")
    voters = [await make_user(session) for _ in range(3)]
    for voter in voters:
        await _vote(session, workspace, three, voter)
    await _vote(session, workspace, one, voters[0])

    url = f"/api/v1/{workspace.slug}/ideas"
    assert await _numbers(client, url, sort="top") == [three.number, one.number, none.number]
    assert await _numbers(client, url) == [three.number, one.number, none.number]
    assert await _numbers(client, url, sort="new") == [none.number, three.number, one.number]


async def test_trending_favours_recent_votes_over_old_ones(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    now = datetime.now(UTC)
    old = await make_idea(session, workspace, author=owner, title="Popular a month ago")
    recent = await make_idea(session, workspace, author=owner, title="Popular this week")
    _created_at(old, now - timedelta(days=40))
    _created_at(recent, now - timedelta(days=40))
    await session.flush()
    voters = [await make_user(session) for _ in range(5)]
    for voter in voters:
        await _vote_at(session, workspace, old, voter, now - timedelta(days=30))
    for voter in voters[:2]:
        await _vote_at(session, workspace, recent, voter, now - timedelta(days=1))

    url = f"/api/v1/{workspace.slug}/ideas"
    assert await _numbers(client, url, sort="top") == [old.number, recent.number]
    assert await _numbers(client, url, sort="trending") == [recent.number, old.number]


async def test_status_filter_lists_only_ideas_in_that_status(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    planned = await make_idea(session, workspace, author=owner, title="Planned thing")
    await make_idea(session, workspace, author=owner, title="Open thing")
    planned.status = IdeaStatus.planned
    await session.flush()
    url = f"/api/v1/{workspace.slug}/ideas"
    assert await _numbers(client, url, status="planned") == [planned.number]
    assert await _numbers(client, url, status="shipped") == []
    bad = await client.get(url, params={"status": "someday"})
    assert bad.status_code == 422 and "status" in bad.json()["fields"]


async def test_search_finds_words_in_title_or_body_with_stemming(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    export = await make_idea(
        session, workspace, author=owner, title="CSV export", body="Download everything as a spreadsheet."
    )
    slack = await make_idea(
        session, workspace, author=owner, title="Slack alerts", body="Tell the channel when ideas ship."
    )
    await make_idea(session, workspace, author=owner, title="Dark mode", body="Easier on the eyes at night.")
    url = f"/api/v1/{workspace.slug}/ideas"

    assert await _numbers(client, url, q="exporting") == [export.number]
    assert await _numbers(client, url, q="spreadsheets") == [export.number]
    assert await _numbers(client, url, q="channel") == [slack.number]
    assert await _numbers(client, url, q="export spreadsheet") == [export.number]
    assert await _numbers(client, url, q="export channel") == []
    assert await _numbers(client, url, q="kubernetes") == []


async def test_a_phrase_search_lists_the_same_ideas_in_the_same_order_however_many_match(
    session, client, database, monkeypatch
):
    """Hyphenated words are a phrase on PostgreSQL, whose matches it underestimates: when many ideas match, the
    list walks its own sort order instead of the full-text index (a plan choice, never a different answer)."""
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    titles = ["Single sign-on with Okta", "Single sign-on for the widget", "SAML single sign-on", "Single sign-on"]
    phrase = [await make_idea(session, workspace, author=owner, title=t) for t in titles]
    await make_idea(session, workspace, author=owner, title="Single page app")
    await make_idea(session, workspace, author=owner, title="Sign in with a magic link")
    voters = [await make_user(session) for _ in range(3)]
    for idea, votes in zip(phrase, (1, 3, 0, 2), strict=True):
        for voter in voters[:votes]:
            await _vote(session, workspace, idea, voter)
    expected = [phrase[1].number, phrase[3].number, phrase[0].number, phrase[2].number]
    url = f"/api/v1/{workspace.slug}/ideas"

    for threshold in (1_000_000, 3):  # few matches for the threshold, then many
        monkeypatch.setattr(idea_repository, "PHRASE_WALK_THRESHOLD", threshold)
        with counting(database) as statements:
            assert await _numbers(client, url, q="single sign-on") == expected
        walked = any("enable_bitmapscan = off" in s for s in statements)
        assert walked == (dialect_name(session) == "postgresql" and threshold == 3)
        assert await _numbers(client, url, q="single sign-on", sort="new") == sorted(expected, reverse=True)


async def test_search_does_not_find_deleted_ideas_or_ideas_of_other_workspaces(session, client):
    owner = await make_user(session)
    workspace, other = await make_workspace(session, owner=owner), await make_workspace(session, owner=owner)
    kept = await make_idea(session, workspace, author=owner, title="Invoice export")
    gone = await make_idea(session, workspace, author=owner, title="Invoice reminders")
    await make_idea(session, other, author=owner, title="Invoice templates")
    gone.deleted_at = datetime.now(UTC)
    await session.flush()
    assert await _numbers(client, f"/api/v1/{workspace.slug}/ideas", q="invoices") == [kept.number]


@pytest.mark.parametrize("sort", ["top", "new", "trending"])
async def test_walking_all_pages_lists_every_idea_once_in_order(session, client, sort):
    workspace = await make_workspace(session)
    author = await make_user(session)
    ideas = [await make_idea(session, workspace, author=author) for _ in range(7)]
    voters = [await make_user(session) for _ in range(2)]
    # Ties on vote count (and equal votes) exercise the id tie-breaker across page boundaries.
    for idea in ideas[1:4]:
        await _vote(session, workspace, idea, voters[0])
    await _vote(session, workspace, ideas[5], voters[0])
    await _vote(session, workspace, ideas[5], voters[1])

    url = f"/api/v1/{workspace.slug}/ideas"
    everything = await _numbers(client, url, sort=sort, limit=100)
    walked: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"sort": sort, "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(url, params=params)).json()
        assert len(page["items"]) <= 2
        walked += [item["number"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert walked == everything
    assert sorted(walked) == sorted(i.number for i in ideas)


@pytest.mark.parametrize("cursor", ["not-a-cursor!", "WzEsMiwzXQ", "eyJhIjoxfQ", "WyJ4Il0"])
async def test_a_forged_cursor_is_422_naming_cursor(session, client, cursor):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    await make_idea(session, workspace, author=owner)
    response = await client.get(f"/api/v1/{workspace.slug}/ideas", params={"sort": "new", "cursor": cursor})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["cursor"]


async def test_list_is_scoped_to_a_board_when_asked(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    bugs = await make_board(session, workspace, slug="bugs", name="Bugs")
    on_bugs = await make_idea(session, workspace, author=owner, board=bugs)
    await make_idea(session, workspace, author=owner)
    assert await _numbers(client, f"/api/v1/{workspace.slug}/ideas", board="bugs") == [on_bugs.number]
    missing = await client.get(f"/api/v1/{workspace.slug}/ideas", params={"board": "nope"})
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


# --- Similar ideas ----------------------------------------------------------------------------------------


async def test_similar_ideas_match_a_title_while_it_is_typed(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    dark = await make_idea(session, workspace, author=owner, title="Dark mode for the dashboard")
    await make_idea(session, workspace, author=owner, title="Export to CSV")
    url = f"/api/v1/{workspace.slug}/ideas/similar"

    found = await client.get(url, params={"title": "dark mo"})
    assert found.status_code == 200
    assert [i["number"] for i in found.json()] == [dark.number]
    assert [i["number"] for i in (await client.get(url, params={"title": "a dashboard in dark"})).json()] == [
        dark.number
    ]
    assert (await client.get(url, params={"title": "zebra crossing"})).json() == []


# --- Reading, editing, deleting ---------------------------------------------------------------------------


async def test_missing_idea_is_404_in_the_error_shape(session, client):
    workspace = await make_workspace(session)
    response = await client.get(f"/api/v1/{workspace.slug}/ideas/999")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "No such idea.", "fields": {}}


async def test_author_may_edit_a_fresh_idea_without_votes(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author, title="Original title")
    response = await client.patch(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}",
        json={"title": "Better title", "body": "Now with *details*"},
        headers=await make_token(session, author),
    )
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Better title"
    assert "<em>details</em>" in response.json()["body_html"]


async def test_author_cannot_edit_after_the_first_vote(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    await _vote(session, workspace, idea, await make_user(session))
    response = await client.patch(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}",
        json={"title": "Sneaky new meaning"},
        headers=await make_token(session, author),
    )
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    await session.refresh(idea)
    assert idea.title != "Sneaky new meaning"


async def test_author_cannot_edit_or_delete_after_the_edit_window(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    idea.created_at = datetime.now(UTC) - timedelta(minutes=31)
    await session.flush()
    headers = await make_token(session, author)
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}"
    assert (await client.patch(url, json={"title": "Too late now"}, headers=headers)).status_code == 403
    assert (await client.delete(url, headers=headers)).status_code == 403


async def test_just_inside_the_edit_window_the_author_may_still_edit(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    idea.created_at = datetime.now(UTC) - timedelta(minutes=29)
    await session.flush()
    response = await client.patch(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}",
        json={"title": "Still in time"},
        headers=await make_token(session, author),
    )
    assert response.status_code == 200


async def test_staff_may_edit_any_time_and_change_status(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    idea = await make_idea(session, workspace, author=owner)
    idea.created_at = datetime.now(UTC) - timedelta(days=10)
    await _vote(session, workspace, idea, await make_user(session))
    response = await client.patch(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}",
        json={"title": "Clearer title", "status": "planned"},
        headers=await make_token(session, staff),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["status"]) == ("Clearer title", "planned")
    assert await _numbers(client, f"/api/v1/{workspace.slug}/ideas", status="planned") == [idea.number]


async def test_only_staff_may_change_status(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    response = await client.patch(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}",
        json={"status": "shipped"},
        headers=await make_token(session, author),
    )
    assert response.status_code == 403
    await session.refresh(idea)
    assert idea.status == IdeaStatus.open


async def test_another_member_cannot_edit_someone_elses_idea(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    idea = await make_idea(session, workspace, author=owner)
    stranger = await make_user(session)
    response = await client.patch(
        f"/api/v1/{workspace.slug}/ideas/{idea.number}",
        json={"title": "Mine now"},
        headers=await make_token(session, stranger),
    )
    assert response.status_code == 403


async def test_deleted_idea_leaves_lists_and_is_404_but_the_row_stays(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author, title="Regrettable idea")
    kept = await make_idea(session, workspace, author=owner)
    headers = await make_token(session, author)
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}"

    assert (await client.delete(url, headers=headers)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url, headers=headers)).status_code == 404
    for sort in ("top", "new", "trending"):
        assert await _numbers(client, f"/api/v1/{workspace.slug}/ideas", sort=sort) == [kept.number]
    row = await session.scalar(select(Idea).where(Idea.id == idea.id).execution_options(populate_existing=True))
    assert row is not None and row.deleted_at is not None and row.title == "Regrettable idea"


async def test_ideas_on_a_private_board_are_hidden_from_outsiders(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    secret_board = await make_board(session, workspace, slug="internal", visibility=Visibility.private)
    secret = await make_idea(session, workspace, author=owner, board=secret_board, title="Internal roadmap secret")
    public = await make_idea(session, workspace, author=owner, board=await default_board(session, workspace))
    member = await make_user(session)
    await add_member(session, workspace, member)
    outsider_headers = await make_token(session, await make_user(session))
    member_headers = await make_token(session, member)
    base = f"/api/v1/{workspace.slug}/ideas"

    for headers in (None, outsider_headers):
        assert await _numbers(client, base, headers=headers) == [public.number]
        assert await _numbers(client, base, headers=headers, q="roadmap") == []
        assert (await client.get(f"{base}/{secret.number}", headers=headers)).status_code == 404
        assert (await client.get(base, params={"board": "internal"}, headers=headers)).status_code == 404
        similar = await client.get(f"{base}/similar", params={"title": "internal roadmap"}, headers=headers)
        assert similar.json() == []

    assert sorted(await _numbers(client, base, headers=member_headers)) == sorted([secret.number, public.number])
    assert (await client.get(f"{base}/{secret.number}", headers=member_headers)).status_code == 200


async def test_an_idea_number_too_large_for_the_database_is_404(session, client):
    workspace = await make_workspace(session)
    for number in (2**31, 10**20):
        for url in (f"/api/v1/{workspace.slug}/ideas/{number}", f"/{workspace.slug}/ideas/{number}"):
            response = await client.get(url)
            assert response.status_code == 404, url
        vote = await client.put(
            f"/api/v1/{workspace.slug}/ideas/{number}/vote", headers=await make_token(session, await make_user(session))
        )
        assert vote.status_code == 404


@pytest.mark.parametrize("text", ["__", "dark'", "AND OR NOT", "NEAR(dark)", '"', "dark:*", "mo&", "\\", "the a of"])
async def test_search_and_similar_take_any_punctuation_without_failing(session, client, text):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    await make_idea(session, workspace, author=owner, title="Dark mode please")
    for url, params in (
        (f"/api/v1/{workspace.slug}/ideas", {"q": text}),
        (f"/api/v1/{workspace.slug}/ideas/similar", {"title": text}),
        (f"/{workspace.slug}/similar", {"title": text}),
        (f"/{workspace.slug}", {"q": text}),
    ):
        assert (await client.get(url, params=params)).status_code == 200, url

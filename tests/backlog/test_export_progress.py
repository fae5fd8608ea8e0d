"""What the export progress (static/js/backlog-export.js) relies on: the backlog page offers plain download
links that also carry what the script needs, loads the script on that page only, and every file keeps one
idea per record delimiter the script counts (CRLF for the CSV files, even with line breaks inside a Jira
description; one line per idea in JSON), with the total announced in X-Total-Count before the body streams."""

from __future__ import annotations

import json
import re

from ideaflow.ideas import service as idea_service
from ideaflow.votes import service as vote_service
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, context, make_idea, make_user, make_workspace, owner_context


async def _backlog(session, n: int):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    for k in range(n):
        idea = await make_idea(session, workspace, title=f'Idea {k}, with a comma and "quotes"')
        if k % 2:
            ctx = await context(session, workspace, await make_user(session))
            await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    # An idea of another workspace is never counted.
    await make_idea(session, await make_workspace(session), title="Elsewhere")
    await session.flush()
    return owner, workspace


async def test_backlog_page_has_plain_export_links_a_hidden_progress_and_its_own_script(session, client):
    owner, workspace = await _backlog(session, 3)
    await web_sign_in(client, owner.email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/admin/backlog")
    assert page.status_code == 200
    html = page.text
    assert html.count('src="/static/js/backlog-export.js"') == 1
    links = re.findall(r'<a class="btn btn--sm" href="([^"]+)" download hx-boost="false" ([^>]*)>', html)
    assert [href.split("?")[0] for href, _ in links] == [
        f"/{workspace.slug}/admin/backlog/export.csv",
        f"/{workspace.slug}/admin/backlog/export.json",
        f"/{workspace.slug}/admin/backlog/export.jira.csv",
    ]
    assert all('data-total="3"' in attrs for _, attrs in links)
    assert [re.search(r'data-export="(\w+)"', a).group(1) for _, a in links] == ["crlf", "lf", "crlf"]
    progress = re.search(r'<div id="backlog-export-progress" class="backlog-progress" hidden>(.*?)</div>', html, re.S)
    assert progress, "no hidden progress box"
    assert "<progress" in progress.group(1) and 'aria-labelledby="backlog-export-text"' in progress.group(1)
    assert 'role="status" aria-live="polite"' in progress.group(1)

    board = await client.get(f"/{workspace.slug}")
    assert "backlog-export.js" not in board.text


async def test_each_file_has_one_record_delimiter_per_idea_after_its_header(session, client):
    owner, workspace = await _backlog(session, 7)
    ctx = await owner_context(session, workspace)
    assert ctx.is_staff
    await web_sign_in(client, owner.email, PASSWORD)
    base = f"/{workspace.slug}/admin/backlog/export"
    for suffix, delimiter, header_lines in ((".csv", b"\r\n", 1), (".jira.csv", b"\r\n", 1), (".json", b"\n", 0)):
        response = await client.get(base + suffix)
        assert response.status_code == 200, suffix
        assert response.headers["x-total-count"] == "7"
        body = response.content
        if suffix == ".json":
            assert len(json.loads(body)["ideas"]) == 7
            # One line per idea, then the closing line of the array: what the script clamps to the total.
            assert body.count(delimiter) == 7 + 2
        else:
            assert body.count(delimiter) - header_lines == 7, suffix
    jira = (await client.get(base + ".jira.csv")).content
    assert jira.count(b"\n") > jira.count(b"\r\n")  # the descriptions hold line breaks, never CRLF

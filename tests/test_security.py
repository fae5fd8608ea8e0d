"""Security properties a visitor or an attacker would notice: CSRF, security headers, isolation
between workspaces and private boards, inert user content, and sign-in rate limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy import func, select

from ideaflow.accounts.models import ApiToken, User, UserSession
from ideaflow.boards.models import Board, Visibility
from ideaflow.comments import service as comment_service
from ideaflow.comments.models import Comment
from ideaflow.config import get_settings
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.kit.middleware import SESSION_COOKIE
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Workspace
from tests.conftest import csrf_from, web_sign_in
from tests.factories import (
    PASSWORD,
    add_member,
    context,
    make_board,
    make_idea,
    make_token,
    make_user,
    make_workspace,
)

# --- CSRF ------------------------------------------------------------------------------------------


async def _workspace_count(session) -> int:
    return await session.scalar(select(func.count()).select_from(Workspace))


@pytest.mark.parametrize("token", [None, "", "0" * 64, "not-even-hex"])
async def test_form_post_without_the_right_csrf_token_is_refused_and_changes_nothing(session, client, token):
    user = await make_user(session)
    await web_sign_in(client, user.email, PASSWORD)
    before = await _workspace_count(session)
    data = {"name": "Forged", "slug": "forged"}
    if token is not None:
        data["csrf_token"] = token
    response = await client.post("/new", data=data)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert await _workspace_count(session) == before


async def test_csrf_token_of_another_session_is_refused(session, app, client):
    victim = await make_user(session)
    attacker = await make_user(session)
    await web_sign_in(client, victim.email, PASSWORD)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        attackers_token = await web_sign_in(other, attacker.email, PASSWORD)

    response = await client.post("/account/tokens", data={"name": "planted", "csrf_token": attackers_token})
    assert response.status_code == 403
    assert await session.scalar(select(func.count()).select_from(ApiToken)) == 0


async def test_csrf_token_from_before_sign_in_stops_working_after_it(session, client):
    user = await make_user(session)
    anonymous_token = csrf_from((await client.get("/signin")).text)
    await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/new", data={"name": "Late", "slug": "late", "csrf_token": anonymous_token})
    assert response.status_code == 403


async def test_form_post_with_the_right_csrf_token_works(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/new", data={"name": "Genuine", "slug": "genuine", "csrf_token": csrf})
    assert response.status_code == 303


async def test_csrf_header_as_sent_by_htmx_works(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post(
        "/new", data={"name": "Via htmx", "slug": "via-htmx"}, headers={"X-CSRF-Token": csrf, "HX-Request": "true"}
    )
    assert response.status_code == 204 and response.headers["HX-Location"] == "/via-htmx"


async def test_sign_in_form_needs_the_csrf_token_too(session, client):
    """Login CSRF: another site cannot sign a visitor into an account of its choosing."""
    user = await make_user(session)
    await client.get("/signin")
    response = await client.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert await session.scalar(select(func.count()).select_from(UserSession)) == 0


async def test_sign_out_without_csrf_token_is_refused_and_keeps_the_session(session, client):
    user = await make_user(session)
    await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/signout", data={})
    assert response.status_code == 403
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_api_with_a_bearer_token_needs_no_csrf_token(session, client):
    headers = await make_token(session, await make_user(session))
    response = await client.post("/api/v1/workspaces", json={"name": "Scripted", "slug": "scripted"}, headers=headers)
    assert response.status_code == 201


async def test_api_riding_on_the_session_cookie_needs_the_csrf_header(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    before = await _workspace_count(session)

    refused = await client.post("/api/v1/workspaces", json={"name": "Cookie", "slug": "cookie"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    assert await _workspace_count(session) == before

    wrong = await client.post(
        "/api/v1/workspaces", json={"name": "Cookie", "slug": "cookie"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert wrong.status_code == 403

    accepted = await client.post(
        "/api/v1/workspaces", json={"name": "Cookie", "slug": "cookie"}, headers={"X-CSRF-Token": csrf}
    )
    assert accepted.status_code == 201


async def test_reads_need_no_csrf_token(session, client):
    user = await make_user(session)
    await web_sign_in(client, user.email, PASSWORD)
    assert (await client.get("/api/v1/me")).status_code == 200


# --- Security headers ------------------------------------------------------------------------------


def _assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


async def test_security_headers_on_html_and_json_responses(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    responses = [
        await client.get("/"),
        await client.get("/signin"),
        await client.get(f"/{workspace.slug}/ideas/{idea.number}"),
        await client.get("/no-such-workspace"),
        await client.get(f"/api/v1/{workspace.slug}/ideas"),
        await client.get("/api/v1/me"),
        await client.get("/api/v1/no-such-workspace/ideas"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 200, 401, 404]
    assert responses[0].headers["content-type"].startswith("text/html")
    assert responses[4].headers["content-type"].startswith("application/json")
    for response in responses:
        _assert_security_headers(response)


# --- Isolation between workspaces ------------------------------------------------------------------


@dataclass
class Scene:
    intruder: User
    intruder_headers: dict[str, str]
    home: Workspace  # the intruder's own workspace, where they are owner
    other: Workspace
    private_board: Board
    private_idea: Idea
    private_comment: Comment
    public_idea: Idea
    public_comment: Comment


@pytest.fixture
async def scene(session) -> Scene:
    intruder = await make_user(session)
    home = await make_workspace(session, owner=intruder, slug="home-co")
    other = await make_workspace(session, slug="other-co")
    insider = await make_user(session)
    await add_member(session, other, insider)
    private_board = await make_board(session, other, slug="confidential", visibility=Visibility.private)
    private_idea = await make_idea(session, other, author=insider, board=private_board, title="Acquire a rival")
    private_comment = await comment_service.add_comment(
        session,
        await context(session, other, insider),
        await idea_service.get_idea(session, await context(session, other, insider), private_idea.number),
        body="Keep this quiet",
    )
    public_idea = await make_idea(session, other, author=insider, title="Dark mode")
    public_comment = await comment_service.add_comment(
        session,
        await context(session, other, insider),
        await idea_service.get_idea(session, await context(session, other, insider), public_idea.number),
        body="Yes please",
    )
    return Scene(
        intruder=intruder,
        intruder_headers=await make_token(session, intruder),
        home=home,
        other=other,
        private_board=private_board,
        private_idea=private_idea,
        private_comment=private_comment,
        public_idea=public_idea,
        public_comment=public_comment,
    )


async def test_outsider_cannot_read_a_private_board_or_its_ideas_through_the_api(client, scene: Scene):
    h, ws, n = scene.intruder_headers, scene.other.slug, scene.private_idea.number
    for url in (
        f"/api/v1/{ws}/boards/confidential",
        f"/api/v1/{ws}/ideas/{n}",
        f"/api/v1/{ws}/ideas/{n}/comments",
        f"/api/v1/{ws}/ideas?board=confidential",
    ):
        response = await client.get(url, headers=h)
        assert response.status_code == 404, url
        assert "Acquire" not in response.text and "quiet" not in response.text

    listed = await client.get(f"/api/v1/{ws}/ideas", headers=h)
    assert [i["number"] for i in listed.json()["items"]] == [scene.public_idea.number]
    searched = await client.get(f"/api/v1/{ws}/ideas", params={"q": "rival"}, headers=h)
    assert searched.json()["items"] == []
    similar = await client.get(f"/api/v1/{ws}/ideas/similar", params={"title": "Acquire a rival"}, headers=h)
    assert similar.json() == []


async def test_guessing_idea_numbers_reveals_only_public_ideas(client, scene: Scene):
    ws = scene.other.slug
    seen = {}
    for number in range(1, scene.public_idea.number + 3):
        response = await client.get(f"/api/v1/{ws}/ideas/{number}", headers=scene.intruder_headers)
        seen[number] = response.status_code
    assert seen[scene.private_idea.number] == 404
    assert [n for n, status in seen.items() if status == 200] == [scene.public_idea.number]
    # The intruder's own workspace does not lend its numbers to another's ideas.
    mine = await client.get(
        f"/api/v1/{scene.home.slug}/ideas/{scene.public_idea.number}", headers=scene.intruder_headers
    )
    assert mine.status_code == 404


async def test_outsider_cannot_read_a_private_board_or_its_ideas_on_the_web(client, scene: Scene):
    await web_sign_in(client, scene.intruder.email, PASSWORD)
    ws, n, c = scene.other.slug, scene.private_idea.number, scene.private_comment.id
    for url in (f"/{ws}/boards/confidential", f"/{ws}/ideas/{n}", f"/{ws}/ideas/{n}/edit", f"/{ws}/comments/{c}/edit"):
        response = await client.get(url)
        assert response.status_code == 404, url
        assert "Acquire" not in response.text and "quiet" not in response.text
    portal = await client.get(f"/{ws}")
    assert "Acquire a rival" not in portal.text and "confidential" not in portal.text


async def test_outsider_cannot_vote_comment_edit_or_delete_on_a_private_board_via_api(session, client, scene: Scene):
    h, ws, n, c = scene.intruder_headers, scene.other.slug, scene.private_idea.number, scene.private_comment.id
    attempts = [
        client.put(f"/api/v1/{ws}/ideas/{n}/vote", headers=h),
        client.delete(f"/api/v1/{ws}/ideas/{n}/vote", headers=h),
        client.post(f"/api/v1/{ws}/ideas/{n}/comments", json={"body": "Leaked!"}, headers=h),
        client.patch(f"/api/v1/{ws}/ideas/{n}", json={"title": "Defaced"}, headers=h),
        client.delete(f"/api/v1/{ws}/ideas/{n}", headers=h),
        client.patch(f"/api/v1/{ws}/comments/{c}", json={"body": "Defaced"}, headers=h),
        client.delete(f"/api/v1/{ws}/comments/{c}", headers=h),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.request.url
    await _assert_private_idea_untouched(session, scene)


async def test_outsider_cannot_vote_comment_edit_or_delete_on_a_private_board_via_forms(session, client, scene: Scene):
    csrf = await web_sign_in(client, scene.intruder.email, PASSWORD)
    ws, n, c = scene.other.slug, scene.private_idea.number, scene.private_comment.id
    for url, data in (
        (f"/{ws}/ideas/{n}/vote", {}),
        (f"/{ws}/ideas/{n}/comments", {"body": "Leaked!"}),
        (f"/{ws}/ideas/{n}/edit", {"title": "Defaced", "body": ""}),
        (f"/{ws}/ideas/{n}/delete", {}),
        (f"/{ws}/comments/{c}/edit", {"body": "Defaced"}),
        (f"/{ws}/comments/{c}/delete", {}),
    ):
        response = await client.post(url, data={**data, "csrf_token": csrf})
        assert response.status_code == 404, url
    await _assert_private_idea_untouched(session, scene)


async def _assert_private_idea_untouched(session, scene: Scene) -> None:
    idea = await session.scalar(
        select(Idea).where(Idea.id == scene.private_idea.id).execution_options(populate_existing=True)
    )
    assert (idea.title, idea.deleted_at, idea.vote_count, idea.comment_count) == ("Acquire a rival", None, 0, 1)
    comment = await session.scalar(
        select(Comment).where(Comment.id == scene.private_comment.id).execution_options(populate_existing=True)
    )
    assert (comment.body, comment.deleted_at) == ("Keep this quiet", None)
    assert await session.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == scene.intruder.id)) == 0
    role = (await context(session, scene.other, scene.intruder)).role
    assert role is None


async def test_staff_of_one_workspace_cannot_reach_another_workspaces_comments_by_id(session, client, scene: Scene):
    """The intruder owns their own workspace; its path must not unlock other workspaces' comment ids."""
    h, home = scene.intruder_headers, scene.home.slug
    for comment in (scene.private_comment, scene.public_comment):
        assert (await client.delete(f"/api/v1/{home}/comments/{comment.id}", headers=h)).status_code == 404
        edit = await client.patch(f"/api/v1/{home}/comments/{comment.id}", json={"body": "Gotcha"}, headers=h)
        assert edit.status_code == 404
    csrf = await web_sign_in(client, scene.intruder.email, PASSWORD)
    response = await client.post(f"/{home}/comments/{scene.public_comment.id}/delete", data={"csrf_token": csrf})
    assert response.status_code == 404
    public = await session.scalar(
        select(Comment).where(Comment.id == scene.public_comment.id).execution_options(populate_existing=True)
    )
    assert (public.body, public.deleted_at) == ("Yes please", None)


async def test_outsider_cannot_edit_or_delete_someone_elses_public_idea(session, client, scene: Scene):
    h, ws, n = scene.intruder_headers, scene.other.slug, scene.public_idea.number
    assert (await client.get(f"/api/v1/{ws}/ideas/{n}", headers=h)).status_code == 200
    assert (await client.patch(f"/api/v1/{ws}/ideas/{n}", json={"title": "Defaced"}, headers=h)).status_code == 403
    assert (await client.delete(f"/api/v1/{ws}/ideas/{n}", headers=h)).status_code == 403
    assert (await client.patch(f"/api/v1/{ws}/ideas/{n}", json={"status": "declined"}, headers=h)).status_code == 403

    csrf = await web_sign_in(client, scene.intruder.email, PASSWORD)
    assert (await client.get(f"/{ws}/ideas/{n}/edit")).status_code == 403
    assert (await client.post(f"/{ws}/ideas/{n}/delete", data={"csrf_token": csrf})).status_code == 403
    idea = await session.scalar(
        select(Idea).where(Idea.id == scene.public_idea.id).execution_options(populate_existing=True)
    )
    assert (idea.title, idea.deleted_at) == ("Dark mode", None)


async def test_outsider_posting_the_edit_form_of_someone_elses_public_idea_gets_403(session, client, scene: Scene):
    csrf = await web_sign_in(client, scene.intruder.email, PASSWORD)
    ws, n = scene.other.slug, scene.public_idea.number
    edit = await client.post(f"/{ws}/ideas/{n}/edit", data={"title": "Defaced", "body": "", "csrf_token": csrf})
    assert edit.status_code == 403
    idea = await session.scalar(
        select(Idea).where(Idea.id == scene.public_idea.id).execution_options(populate_existing=True)
    )
    assert idea.title == "Dark mode"


async def test_voting_on_a_public_idea_does_not_unlock_private_boards(client, scene: Scene):
    h, ws = scene.intruder_headers, scene.other.slug
    assert (await client.put(f"/api/v1/{ws}/ideas/{scene.public_idea.number}/vote", headers=h)).status_code == 200
    assert (await client.get(f"/api/v1/{ws}/ideas/{scene.private_idea.number}", headers=h)).status_code == 404


# --- Inert user content ----------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert('body')</script>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(2)">raw link</a>',
    "<img src=x onerror=alert(3)>",
    "![pic](x onerror=alert(4))",
    '<p style="position:fixed;top:0">overlay</p>',
    '<div hx-get="/account" hx-trigger="load">htmx</div>',
    '<svg onload="alert(5)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "**bold** and a [good link](https://example.com)",
]
XSS_BODY = "\n\n".join(PAYLOADS)


class _ProseAudit(HTMLParser):
    """Collects every element and attribute that appears inside `.prose` containers."""

    VOID = {"img", "br", "hr", "input", "meta", "link", "source", "area", "base", "col", "embed", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth: list[bool] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.prose_blocks = 0

    def _inside(self) -> bool:
        return any(self.depth)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._inside():
            self.tags.append(tag)
            self.attributes.extend((tag, name, value or "") for name, value in attrs)
        is_prose = "prose" in classes
        self.prose_blocks += is_prose
        if tag not in self.VOID:
            self.depth.append(is_prose)

    def handle_startendtag(self, tag, attrs):
        if self._inside():
            self.tags.append(tag)
            self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.depth:
            self.depth.pop()


def _audit(html: str) -> _ProseAudit:
    audit = _ProseAudit()
    audit.feed(html)
    return audit


def _assert_inert(audit: _ProseAudit) -> None:
    assert not {"script", "iframe", "svg", "style", "object", "embed", "form", "div"} & set(audit.tags), audit.tags
    for tag, name, value in audit.attributes:
        assert not name.startswith("on"), (tag, name)
        assert not name.startswith("hx-") and not name.startswith("data-hx"), (tag, name)
        assert name not in {"style", "srcdoc", "formaction"}, (tag, name)
        if name in {"href", "src"}:
            scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower().split(":", 1)
            assert len(scheme) == 1 or scheme[0] in {"http", "https", "mailto"}, (tag, name, value)


async def test_markdown_payloads_are_inert_in_the_apis_body_html(session, client):
    workspace = await make_workspace(session)
    headers = await make_token(session, await make_user(session))
    created = await client.post(
        f"/api/v1/{workspace.slug}/ideas",
        json={"board": "feature-requests", "title": "Harmless title", "body": XSS_BODY},
        headers=headers,
    )
    assert created.status_code == 201
    body_html = created.json()["body_html"]
    audit = _audit(f'<div class="prose">{body_html}</div>')
    _assert_inert(audit)
    # The good parts survive: formatting, and a safe link marked as user content.
    assert "<strong>bold</strong>" in body_html
    assert ("a", "href", "https://example.com") in audit.attributes
    assert any(t == "a" and n == "rel" and "nofollow" in v and "ugc" in v for t, n, v in audit.attributes)

    comment = await client.post(
        f"/api/v1/{workspace.slug}/ideas/{created.json()['number']}/comments", json={"body": XSS_BODY}, headers=headers
    )
    assert comment.status_code == 201
    _assert_inert(_audit(f'<div class="prose">{comment.json()["body_html"]}</div>'))


async def test_markdown_payloads_are_inert_on_the_idea_page(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author, title="Harmless title", body=XSS_BODY)
    view = await idea_service.get_idea(session, await context(session, workspace, author), idea.number)
    await comment_service.add_comment(session, await context(session, workspace, author), view, body=XSS_BODY)

    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    assert page.status_code == 200
    audit = _audit(page.text)
    assert audit.prose_blocks == 2  # the idea body and the comment
    # Both blocks were audited: each keeps its bold text and its one safe link.
    assert audit.tags.count("strong") == 2
    assert audit.attributes.count(("a", "href", "https://example.com")) == 2
    _assert_inert(audit)


async def test_titles_and_names_are_escaped_everywhere(session, client):
    workspace = await make_workspace(session)
    author = await make_user(session, name='<img src=x onerror="alert(6)">')
    idea = await make_idea(session, workspace, author=author, title="<script>alert(7)</script> title")
    for url in (f"/{workspace.slug}/ideas/{idea.number}", f"/{workspace.slug}"):
        page = await client.get(url)
        assert "<script>alert(7)" not in page.text
        assert "&lt;script&gt;alert(7)&lt;/script&gt; title" in page.text
        assert '<img src=x onerror="alert(6)">' not in page.text
    assert "&lt;img src=x onerror=" in (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).text


# --- Rate limits -----------------------------------------------------------------------------------


async def _attempt_sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    page = await client.get("/signin")
    return await client.post("/signin", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)})


async def test_sign_in_attempts_beyond_the_limit_get_429_with_retry_after(session, client, monkeypatch):
    monkeypatch.setattr(get_settings(), "rate_limit_auth_per_minute", 3)
    user = await make_user(session)
    statuses = [(await _attempt_sign_in(client, user.email, "wrong password")).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]

    limited = await _attempt_sign_in(client, user.email, PASSWORD)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Too many requests" in limited.text
    # Even the right password does not get through while the limit holds.
    assert SESSION_COOKIE not in limited.headers.get("set-cookie", "")
    assert await session.scalar(select(func.count()).select_from(UserSession)) == 0


async def test_guessing_one_accounts_password_from_many_addresses_is_still_limited(session, app, monkeypatch):
    monkeypatch.setattr(get_settings(), "rate_limit_auth_per_minute", 3)
    user = await make_user(session)
    statuses = []
    for n in range(5):
        transport = httpx.ASGITransport(app=app, client=(f"203.0.113.{n + 1}", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            statuses.append((await _attempt_sign_in(client, user.email, "guess")).status_code)
    assert statuses == [401, 401, 401, 429, 429]

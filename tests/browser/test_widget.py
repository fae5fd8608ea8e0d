"""The embeddable widget in a real Chromium, on a host page served from another origin: identifying a user
with a token the test mints, voting and posting an idea (recorded under the mapped user), an origin that
is not allowed cannot frame it, a forged postMessage is ignored, and all of it with third-party cookies
blocked. A screenshot of the open widget is kept in test-output/screenshots/."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
from playwright.async_api import Browser, Frame, Page, async_playwright, expect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.browser.conftest import (
    _REPORTS,
    ACTION_TIMEOUT_MS,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    _wait_until_healthy,
    create_owner,
    save_screenshot,
    served_ideaflow,
)

pytestmark = pytest.mark.browser

WORKSPACE = "acme"
# Chromium's switch that blocks third-party cookies the way browsers that block them by default do; the
# first test also checks, from inside the widget's frame, that cookies really cannot be set there.
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Customer app</title></head>
<body>
  <h1>Customer app</h1>
  <p>The company's own product, with ideaflow's widget in the corner.</p>
  <script>
    window.ideaflow = window.ideaflow || function () { (ideaflow.q = ideaflow.q || []).push(arguments); };
    window.widgetEvents = [];
    ["ready", "vote", "submit", "identified", "error"].forEach(function (name) {
      ideaflow("on", name, function (event) { window.widgetEvents.push(event); });
    });
  </script>
  <script src="{app}/widget.js" data-workspace="acme" async></script>
  {extra}
</body></html>
"""

# Another site's frame inside the host page, trying to sign the widget in with a token it got hold of.
FORGER_PAGE = """<!doctype html>
<html><body><script>
  var token = decodeURIComponent(location.hash.slice(1));
  setInterval(function () {
    for (var i = 0; i < parent.frames.length; i++) {
      if (parent.frames[i] !== window) parent.frames[i].postMessage({ type: "ideaflow:identify", token: token }, "*");
    }
  }, 100);
</script></body></html>
"""


@dataclass(frozen=True)
class WidgetSite:
    app_url: str
    host_url: str  # allowed to embed the widget
    stranger_url: str  # not allowed
    database_url: str
    secret: str
    owner_token: str
    ideas: dict[str, int]

    def token(self, sub: str, name: str, **claims) -> str:
        now = int(time.time())
        payload = {"sub": sub, "name": name, "aud": WORKSPACE, "iat": now, "exp": now + 600, **claims}
        return jwt.encode(payload, self.secret, algorithm="HS256")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextlib.contextmanager
def _static_site(directory: Path) -> Iterator[int]:
    """A tiny static web server on 127.0.0.1 (the host site), reached by the browser as http://localhost:<port>."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
async def widget_site(chromium: Path) -> AsyncIterator[WidgetSite]:
    async with served_ideaflow("widget") as served:
        site_dir = served.folder / "site"
        site_dir.mkdir()
        owner_token = await create_owner(served)
        await _wait_until_healthy(served.base_url, served.server, served.log)
        with _static_site(site_dir) as host_port, _static_site(site_dir) as stranger_port:
            host_url, stranger_url = f"http://localhost:{host_port}", f"http://localhost:{stranger_port}"
            (site_dir / "index.html").write_text(HOST_PAGE.replace("{app}", served.base_url).replace("{extra}", ""))
            (site_dir / "forged.html").write_text(
                HOST_PAGE.replace("{app}", served.base_url).replace(
                    "{extra}", '<iframe id="forger" title="Ad"></iframe>'
                )
            )
            (site_dir / "forger.html").write_text(FORGER_PAGE)
            (site_dir / "inline.html").write_text(
                HOST_PAGE.replace("{app}", served.base_url).replace(
                    "{extra}", '<h2>Integrations we plan</h2><div data-ideaflow-board="integrations"></div>'
                )
            )
            api = f"/api/v1/{WORKSPACE}"
            async with httpx.AsyncClient(
                base_url=served.base_url, headers={"Authorization": f"Bearer {owner_token}"}
            ) as owner:
                response = await owner.patch(f"{api}/widget/settings", json={"allowed_origins": [host_url]})
                assert response.status_code == 200, response.text
                response = await owner.post(f"{api}/widget/secrets")
                assert response.status_code == 201, response.text
                secret = response.json()["secret"]
                response = await owner.post(f"{api}/boards", json={"name": "Integrations", "slug": "integrations"})
                assert response.status_code == 201, response.text
                ideas = {}
                for key, board, title in [
                    ("csv", "feature-requests", "Export reports to CSV"),
                    ("sso", "feature-requests", "Single sign-on with Okta"),
                    ("slack", "integrations", "Post new ideas to Slack"),
                ]:
                    created = await owner.post(
                        f"{api}/ideas", json={"board": board, "title": title, "body": f"{title}, please."}
                    )
                    assert created.status_code == 201, created.text
                    ideas[key] = created.json()["number"]
            yield WidgetSite(
                app_url=served.base_url,
                host_url=host_url,
                stranger_url=stranger_url,
                database_url=served.database_url,
                secret=secret,
                owner_token=owner_token,
                ideas=ideas,
            )


@pytest.fixture(scope="module")
async def strict_browser(chromium: Path) -> AsyncIterator[Browser]:
    """Chromium with third-party cookies blocked."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def host_page(strict_browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    context = await strict_browser.new_context(viewport={"width": 1100, "height": 860})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    if any(report.failed for report in request.node.stash.get(_REPORTS, {}).values()):
        with contextlib.suppress(Exception):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    await context.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"


def widget_frame(page: Page, site: WidgetSite) -> Frame:
    frames = [f for f in page.frames if f.url.startswith(f"{site.app_url}/embed/")]
    assert frames, f"no widget frame among {[f.url for f in page.frames]}"
    return frames[0]


async def host_events(page: Page, kind: str) -> list[dict]:
    return await page.evaluate("kind => window.widgetEvents.filter(e => e.type === 'ideaflow:' + kind)", kind)


async def wait_for_events(page: Page, kind: str, count: int) -> list[dict]:
    """The host page's `ideaflow('on', kind, ...)` handler has been called `count` times."""
    await page.wait_for_function(
        "([kind, count]) => window.widgetEvents.filter(e => e.type === 'ideaflow:' + kind).length === count",
        arg=[kind, count],
    )
    return await host_events(page, kind)


async def test_identified_user_votes_and_posts_from_another_origin_without_cookies(
    host_page: Page, widget_site: WidgetSite
) -> None:
    page, site = host_page, widget_site
    await page.goto(f"{site.host_url}/index.html")
    launcher = page.get_by_role("button", name="Feedback")
    await launcher.click()
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.frame_locator('iframe[title="Feedback"]')
    await expect(panel.get_by_role("link", name="Export reports to CSV")).to_be_visible()
    await expect(panel.get_by_text("Browsing as a guest")).to_be_visible()

    frame = widget_frame(page, site)
    blocked = await frame.evaluate(
        "() => { document.cookie = 'probe=1; SameSite=None; Secure; Path=/';"
        " return !document.cookie.includes('probe'); }"
    )
    assert blocked, "third-party cookies are not blocked in this browser: the test would prove nothing"

    await page.evaluate("token => ideaflow('identify', { token })", site.token("dana-1", "Dana Customer"))
    await expect(panel.get_by_test_id("embed-user")).to_have_text("Signed in as Dana Customer")

    number = site.ideas["csv"]
    vote = panel.locator(f"#vote-{number}-button")
    await vote.click()
    await expect(vote).to_have_attribute("aria-pressed", "true")
    await expect(vote.get_by_test_id("vote-count")).to_have_text("1")
    voted = (await wait_for_events(page, "vote", 1))[0]
    assert voted["idea"]["title"] == "Export reports to CSV" and voted["voted"] is True
    await expect(panel.locator(".htmx-request, .htmx-swapping, .htmx-added, .htmx-settling")).to_have_count(0)
    await page.wait_for_timeout(300)  # let the button's colour transition finish before the picture
    await save_screenshot(page, "widget-ideas")
    await page.emulate_media(color_scheme="dark")
    await page.wait_for_timeout(400)  # colours change with a short transition
    await save_screenshot(page, "widget-ideas-dark")
    await page.emulate_media(color_scheme="light")

    await panel.get_by_role("link", name="Suggest").click()
    title = panel.get_by_label("Your idea, in one line")
    await expect(title).to_be_visible()
    # htmx wires the field's triggers when the swapped-in page settles; a person cannot type sooner than that.
    await expect(panel.locator(".htmx-request, .htmx-swapping, .htmx-added, .htmx-settling")).to_have_count(0)
    # One input event with the whole title, as a paste makes: the suggestions follow it.
    await title.fill("Export reports to Excel")
    await expect(panel.get_by_role("region", name="Similar ideas")).to_contain_text("Export reports to CSV")
    await panel.get_by_label("Details (optional)").fill("Our finance team lives in Excel.")
    await save_screenshot(page, "widget-open")
    await panel.get_by_role("button", name="Post idea").click()
    await expect(panel.get_by_text("Thanks! Your idea is posted.")).to_be_visible()
    await expect(panel.get_by_role("heading", name="Export reports to Excel")).to_be_visible()
    await wait_for_events(page, "submit", 1)
    # Escape inside the frame closes the panel and gives focus back to the launcher.
    await panel.get_by_role("heading", name="Export reports to Excel").press("Escape")
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await expect(launcher).to_be_focused()
    assert await page.context.cookies([site.app_url]) == []

    engine = create_async_engine(site.database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        async with engine.connect() as conn:
            votes = (
                await conn.execute(
                    text(
                        "SELECT i.number, wi.subject, u.name FROM votes v JOIN ideas i ON i.id = v.idea_id "
                        "JOIN widget_identities wi ON wi.user_id = v.user_id JOIN users u ON u.id = v.user_id"
                    )
                )
            ).all()
            posted = (
                await conn.execute(
                    text(
                        "SELECT wi.subject FROM ideas i JOIN widget_identities wi ON wi.user_id = i.author_id "
                        "WHERE i.title = 'Export reports to Excel'"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert votes == [(number, "dana-1", "Dana Customer")]
    assert posted == [("dana-1",)]


async def test_an_origin_that_is_not_allowed_cannot_frame_the_widget(host_page: Page, widget_site: WidgetSite) -> None:
    page, site = host_page, widget_site
    await page.goto(f"{site.stranger_url}/index.html")
    await page.get_by_role("button", name="Feedback").click()
    # Even claiming an allowed origin in the URL does not help: the browser enforces frame-ancestors.
    await page.evaluate(
        """([app, host]) => {
            const f = document.createElement('iframe');
            f.id = 'spoofed';
            f.src = app + '/embed/acme?origin=' + encodeURIComponent(host);
            document.body.appendChild(f);
        }""",
        [site.app_url, site.host_url],
    )
    await page.wait_for_timeout(1500)
    for frame in page.frames[1:]:
        assert await frame.locator(".embed__bar").count() == 0, f"the widget rendered inside {frame.url}"
    assert await host_events(page, "ready") == []


async def test_a_forged_post_message_from_another_origin_is_ignored(host_page: Page, widget_site: WidgetSite) -> None:
    page, site = host_page, widget_site
    token = site.token("mallory-target", "Should Not Sign In")
    await page.goto(f"{site.host_url}/forged.html")
    await page.get_by_role("button", name="Feedback").click()
    panel = page.frame_locator('iframe[title="Feedback"]')
    await expect(panel.get_by_text("Browsing as a guest")).to_be_visible()
    # The other site's frame now posts a valid identity token to every frame, ten times a second.
    await page.evaluate(
        "([url, token]) => {"
        " document.getElementById('forger').src = url + '/forger.html#' + encodeURIComponent(token); }",
        [site.stranger_url, token],
    )
    await page.wait_for_timeout(1500)
    await expect(panel.get_by_text("Browsing as a guest")).to_be_visible()
    assert await host_events(page, "identified") == []


async def test_a_board_renders_inline_where_the_page_asks_for_it(host_page: Page, widget_site: WidgetSite) -> None:
    page, site = host_page, widget_site
    await page.goto(f"{site.host_url}/inline.html")
    inline = page.frame_locator("[data-ideaflow-board] iframe")
    await expect(inline.get_by_role("link", name="Post new ideas to Slack")).to_be_visible()
    await expect(inline.get_by_role("link", name="Export reports to CSV")).to_have_count(0)
    await page.evaluate("token => ideaflow('identify', { token })", site.token("inline-1", "Ines Inline"))
    await expect(inline.get_by_test_id("embed-user")).to_have_text("Signed in as Ines Inline")
    await save_screenshot(page, "widget-inline")


async def test_revoking_the_secret_signs_the_widget_out_without_breaking_the_frame(
    host_page: Page, widget_site: WidgetSite
) -> None:
    page, site = host_page, widget_site
    api = f"{site.app_url}/api/v1/{WORKSPACE}/widget/secrets"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {site.owner_token}"}) as owner:
        created = await owner.post(api)
        assert created.status_code == 201, created.text
        second = created.json()
        now = int(time.time())
        token = jwt.encode(
            {"sub": "rev-1", "name": "Rene Revoked", "aud": WORKSPACE, "exp": now + 600}, second["secret"], "HS256"
        )
        await page.goto(f"{site.host_url}/index.html")
        await page.get_by_role("button", name="Feedback").click()
        panel = page.frame_locator('iframe[title="Feedback"]')
        await page.evaluate("token => ideaflow('identify', { token })", token)
        await expect(panel.get_by_test_id("embed-user")).to_have_text("Signed in as Rene Revoked")
        revoked = await owner.post(f"{api}/{second['id']}/revoke")
        assert revoked.status_code == 200, revoked.text
    await panel.locator(f"#vote-{site.ideas['sso']}-button").click()
    await expect(panel.get_by_text("Browsing as a guest")).to_be_visible()
    assert widget_frame(page, site).url.startswith(f"{site.app_url}/embed/")
    errors = await wait_for_events(page, "error", 1)
    assert "revoked" in errors[0]["message"]

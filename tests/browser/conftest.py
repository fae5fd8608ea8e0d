"""Browser harness: the real app served by `ideaflow serve` on its own database (a fresh SQLite file, or a
PostgreSQL database of its own when IDEAFLOW_TEST_DATABASE_URL is set), seeded through the CLI and the JSON
API, and driven by Debian's Chromium through Playwright. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-password"
WORKSPACE = "acme"
# Short timeouts: a broken swap should fail in seconds, not stall the suite.
ACTION_TIMEOUT_MS = 5_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    # Remember each phase's outcome so the page fixture can tell whether the test failed.
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@dataclass(frozen=True)
class Portal:
    """The served app and what was seeded into it."""

    base_url: str
    slug: str
    # Users who sign in through the browser, by role in the tests: email addresses.
    users: dict[str, str]
    # Seeded ideas: key -> (number, title).
    ideas: dict[str, tuple[int, str]]

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _ideaflow(env: dict[str, str], cwd: Path, *args: str) -> str:
    """Run the `ideaflow` command (the same entry point an operator uses) and return its output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ideaflow.cli",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    text = out.decode()
    if proc.returncode != 0:
        raise RuntimeError(f"`ideaflow {' '.join(args)}` failed ({proc.returncode}):\n{text}")
    return text


def _token_from(output: str) -> str:
    match = re.search(r"API token \(shown once\): (\S+)", output)
    assert match, f"no API token in: {output}"
    return match.group(1)


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    conn = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _wait_until_healthy(base_url: str, server: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=base_url, timeout=1) as client:
        while time.monotonic() < deadline:
            if server.returncode is not None:
                output = await asyncio.to_thread(log.read_text)
                raise RuntimeError(f"ideaflow serve exited with {server.returncode}:\n{output}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    output = await asyncio.to_thread(log.read_text)
    raise RuntimeError(f"ideaflow serve did not answer /healthz within 30 s:\n{output}")


async def _sign_up(base_url: str, email: str, name: str) -> None:
    """A customer account made the way customers make theirs: the sign-up form."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        page = await client.get("/signup")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, "the sign-up page has no CSRF token"
        response = await client.post(
            "/signup", data={"name": name, "email": email, "password": PASSWORD, "csrf_token": csrf.group(1)}
        )
        assert response.status_code == 303, response.text


async def _seed(base_url: str, owner_token: str) -> dict[str, tuple[int, str]]:
    ideas: dict[str, tuple[int, str]] = {}
    api = f"/api/v1/{WORKSPACE}"
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {owner_token}"}) as owner:

        async def post(path: str, payload: dict) -> dict:
            response = await owner.post(api + path, json=payload)
            assert response.status_code == 201, response.text
            return response.json()

        await post(
            "/boards",
            {"name": "Integrations", "slug": "integrations", "description": "Connect ideaflow to your tools."},
        )
        for key, board, title in [
            ("dark-mode", "feature-requests", "Dark mode for the dashboard"),
            ("csv-export", "feature-requests", "Export reports to CSV"),
            ("keyboard", "feature-requests", "Keyboard shortcuts for triage"),
            # Oldest first; with one vote for the oldest, "Top" and "New" start with different ideas.
            ("slack", "integrations", "Slack notifications for new ideas"),
            ("jira", "integrations", "Two-way sync with Jira issues"),
            ("webhooks", "integrations", "Outgoing webhooks on status changes"),
        ]:
            body = f"Seeded for the browser tests: {title.lower()}."
            created = await post("/ideas", {"board": board, "title": title, "body": body})
            ideas[key] = (created["number"], title)
        response = await owner.put(f"{api}/ideas/{ideas['slack'][0]}/vote")
        assert response.status_code == 200, response.text
    return ideas


@dataclass
class Served:
    """A running `ideaflow serve` with its own database and folder."""

    base_url: str
    database_url: str
    env: dict[str, str]
    folder: Path
    server: asyncio.subprocess.Process
    log: Path


@contextlib.asynccontextmanager
async def served_ideaflow(name: str, **settings: str) -> AsyncIterator[Served]:
    """`ideaflow serve` on a free port with a fresh database of its own (SQLite, or a new PostgreSQL database when
    IDEAFLOW_TEST_DATABASE_URL is set) after `ideaflow db upgrade`; stopped and dropped at the end, its log kept
    beside the screenshots as test-output/<name>-server.log. `settings` are extra IDEAFLOW_* variables."""
    tmp = Path(tempfile.mkdtemp(prefix=f"ideaflow-{name}-"))
    pg_url = os.environ.get("IDEAFLOW_TEST_DATABASE_URL", "")
    if pg_url:
        db_name = f"ideaflow_{name}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        database_url = pg_url.rsplit("/", 1)[0] + "/" + db_name
    else:
        db_name = ""
        database_url = f"sqlite+aiosqlite:///{tmp / 'ideaflow.db'}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "IDEAFLOW_ENV": "test",
        "IDEAFLOW_DATABASE_URL": database_url,
        "IDEAFLOW_DATA_DIR": str(tmp),
        "IDEAFLOW_SECRET_KEY": f"{name}-browser-test-secret-key",
        "IDEAFLOW_BASE_URL": base_url,
        "IDEAFLOW_RATE_LIMIT_AUTH_PER_MINUTE": "1000",
        "IDEAFLOW_RATE_LIMIT_WRITE_PER_MINUTE": "10000",
        "IDEAFLOW_REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    log = tmp / "server.log"
    server: asyncio.subprocess.Process | None = None
    try:
        if db_name:
            await _pg_admin(pg_url, f'CREATE DATABASE "{db_name}"')
        # The schema first: the server and the commands run beside it all expect it.
        await _ideaflow(env, tmp, "db", "upgrade")
        with log.open("wb") as log_file:
            server = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ideaflow.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                env=env, cwd=tmp, stdout=log_file, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        yield Served(base_url=base_url, database_url=database_url, env=env, folder=tmp, server=server, log=log)
    finally:
        if server is not None and server.returncode is None:
            server.terminate()
            try:
                await asyncio.wait_for(server.wait(), timeout=10)
            except TimeoutError:
                server.kill()
                await server.wait()
        if log.exists():
            # The server's log sits beside the screenshots, for looking into a failure.
            SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, SCREENSHOTS.parent / f"{name}-server.log")
        if db_name:
            await _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


async def create_owner(served: Served, *, email: str = "owner@acme.example") -> str:
    """The owner account and the `acme` workspace, made with the CLI; returns the owner's API token."""
    output = await _ideaflow(
        served.env, served.folder, "create-user", "--email", email, "--name", "Ada Owner", "--password", PASSWORD,
        "--token", "t",
    )  # fmt: skip
    await _ideaflow(
        served.env, served.folder, "create-workspace", "--owner", email, "--name", "Acme", "--slug", WORKSPACE
    )
    return _token_from(output)


@pytest.fixture(scope="session")
async def portal(chromium: Path) -> AsyncIterator[Portal]:
    """The portal under test, seeded, for the whole session. (It asks for `chromium` only so that a machine
    without the browser skips before starting a server for nothing.)"""
    # One process serves the browser tests: it delivers outbox events itself on PostgreSQL too, so what the
    # worker does (notifications, follows) shows up in the pages under test on both databases.
    async with served_ideaflow("browser", IDEAFLOW_OUTBOX_IN_PROCESS="true") as served:
        users = {
            "board": "board.voter@example.com",
            "nojs": "no.script@example.com",
            "keyboard": "keyboard.user@example.com",
        }

        async def sign_up_customers() -> None:
            await _wait_until_healthy(served.base_url, served.server, served.log)
            for role, email in users.items():
                await _sign_up(served.base_url, email, f"{role.title()} Customer")

        # Each command is a fresh process: let them overlap with the server's start.
        owner_token, _ = await asyncio.gather(create_owner(served), sign_up_customers())
        ideas = await _seed(served.base_url, owner_token)
        yield Portal(base_url=served.base_url, slug=WORKSPACE, users=users, ideas=ideas)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; CI must have it (fail), a developer's machine may lack it (skip, with the reason)."""
    if not CHROMIUM.exists():
        message = (
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium)."
        )
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    # Failure screenshots from an earlier run would only mislead.
    for stale in SCREENSHOTS.glob("test_*.png"):
        stale.unlink()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


OpenPage = Callable[..., Awaitable[Page]]


@pytest.fixture
async def new_page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[OpenPage]:
    """Opens pages, each in a fresh context (its own cookies); a failed test leaves a screenshot of each."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    async def open_page(*, java_script_enabled: bool = True) -> Page:
        context = await browser.new_context(
            java_script_enabled=java_script_enabled, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: page_errors.append(f"{error}"))
        pages.append(page)
        return page

    page_errors: list[str] = []
    yield open_page
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(pages):
            suffix = f"-{i + 1}" if len(pages) > 1 else ""
            with contextlib.suppress(Exception):
                await page.screenshot(path=SCREENSHOTS / f"{_slug(request.node.name)}{suffix}.png", full_page=True)
    for context in contexts:
        await context.close()
    assert not page_errors, f"uncaught JavaScript errors: {page_errors}"


async def save_screenshot(page: Page, name: str) -> None:
    """A full-page screenshot kept with the test output on every run, to look at what users see."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


async def sign_in(page: Page, portal: Portal, email: str, next_path: str) -> None:
    """Sign in through the real form and land on `next_path`."""
    await page.goto(portal.url(f"/signin?next={next_path}"))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(portal.url(next_path))
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

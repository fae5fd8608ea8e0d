"""A workspace with one person per role (and staff of another workspace), an idea, and helpers to act as
each of them through the web (signed-in clients with their CSRF tokens) or the API (bearer tokens)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from ideaflow.accounts.models import User
from ideaflow.ideas.models import Idea
from ideaflow.workspaces.models import Role, Workspace
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, make_idea, make_token, make_user, make_workspace

PERSONAS = ("anonymous", "member", "staff", "admin", "other_staff")


@dataclass
class Scene:
    workspace: Workspace
    other: Workspace
    idea: Idea
    users: dict[str, User] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.workspace.slug


async def build_scene(session) -> Scene:
    admin = await make_user(session, name="Ada Admin")
    workspace = await make_workspace(session, owner=admin, name="Acme")
    staff = await make_user(session, name="Sam Staff")
    member = await make_user(session, name="Mia Member")
    await add_member(session, workspace, staff, Role.staff)
    await add_member(session, workspace, member, Role.member)
    other_owner = await make_user(session, name="Olga Other")
    other = await make_workspace(session, owner=other_owner, name="Other Co")
    other_staff = await make_user(session, name="Oscar Outsider")
    await add_member(session, other, other_staff, Role.staff)
    idea = await make_idea(session, workspace, author=member, title="Dark mode for the dashboard")
    return Scene(
        workspace=workspace,
        other=other,
        idea=idea,
        users={"admin": admin, "staff": staff, "member": member, "other_staff": other_staff},
    )


async def api_headers(session, scene: Scene, persona: str) -> dict[str, str]:
    if persona == "anonymous":
        return {}
    return await make_token(session, scene.users[persona])


class _Client(httpx.AsyncClient):
    """Already in use when handed out (it signed in); `async with` only closes it at the end."""

    async def __aenter__(self):
        return self


async def web_client(app, scene: Scene, persona: str) -> tuple[httpx.AsyncClient, str]:
    """A client signed in as the persona (anonymous: not signed in), and its CSRF token."""
    client = _Client(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    if persona == "anonymous":
        return client, csrf_from((await client.get("/signin")).text)
    return client, await web_sign_in(client, scene.users[persona].email, PASSWORD)


# The role matrix: each cell prepares a fresh target for each persona and names the exact answer each gets.

Prepare = Callable[[object, Scene, str], Awaitable[tuple[str, str, dict | None]]]

DENIED_API = {"anonymous": 403, "member": 403, "other_staff": 403}
# On the web an anonymous visitor is asked to sign in: a 303 to /signin for pages, a 401 page for posts.
DENIED_WEB_POST = {"anonymous": 401, "member": 403, "other_staff": 403}
STAFF_WEB_POST = {**DENIED_WEB_POST, "staff": 303, "admin": 303}
ADMIN_WEB_POST = {**DENIED_WEB_POST, "staff": 403, "admin": 303}
DENIED_WEB_GET = {"anonymous": 303, "member": 403, "other_staff": 403}
STAFF_WEB_GET = {**DENIED_WEB_GET, "staff": 200, "admin": 200}
ADMIN_WEB_GET = {**DENIED_WEB_GET, "staff": 403, "admin": 200}


def staff_api_ok(ok: int) -> dict[str, int]:
    return {**DENIED_API, "staff": ok, "admin": ok}


def admin_api_ok(ok: int) -> dict[str, int]:
    return {**DENIED_API, "staff": 403, "admin": ok}


@dataclass
class Cell:
    name: str
    prepare: Prepare
    expected: dict[str, int]


def fixed(method: str, path: str, body: dict | None = None) -> Prepare:
    """A cell whose request is the same for everyone: `{ws}` and `{n}` (the scene's idea) are filled in."""

    async def prepare(session, scene: Scene, persona: str):
        return method, path.format(ws=scene.slug, n=scene.idea.number), body

    return prepare


async def api_answers(session, client: httpx.AsyncClient, cell: Cell, scene: Scene | None = None) -> dict[str, int]:
    """What each persona gets from the cell's API request (on a new scene unless one is given)."""
    scene = scene or await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        method, path, body = await cell.prepare(session, scene, persona)
        response = await client.request(method, path, json=body, headers=await api_headers(session, scene, persona))
        answers[persona] = response.status_code
    return answers


async def web_answers(session, app, cell: Cell, scene: Scene | None = None) -> dict[str, int]:
    """What each persona gets from the cell's page or form post, signed in through the web."""
    scene = scene or await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        client, csrf = await web_client(app, scene, persona)
        try:
            method, path, body = await cell.prepare(session, scene, persona)
            if method == "GET":
                response = await client.get(path)
            else:
                response = await client.post(path, data={**(body or {}), "csrf_token": csrf})
        finally:
            await client.aclose()
        answers[persona] = response.status_code
    return answers

"""A workspace with one person per role (and staff of another workspace), an idea, and helpers to act as
each of them through the web (signed-in clients with their CSRF tokens) or the API (bearer tokens)."""

from __future__ import annotations

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

"""A workspace with one person per role (and staff of another workspace) and an idea, with signed-in web
clients and API tokens for each, for the ranking role matrix."""

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
    idea: Idea
    users: dict[str, User] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.workspace.slug


async def build_scene(session) -> Scene:
    admin = await make_user(session)
    workspace = await make_workspace(session, owner=admin)
    staff, member = await make_user(session), await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    await add_member(session, workspace, member, Role.member)
    other = await make_workspace(session)
    other_staff = await make_user(session)
    await add_member(session, other, other_staff, Role.staff)
    idea = await make_idea(session, workspace, author=member, title="Dark mode for the dashboard")
    return Scene(workspace, idea, {"admin": admin, "staff": staff, "member": member, "other_staff": other_staff})


async def api_headers(session, scene: Scene, persona: str) -> dict[str, str]:
    return {} if persona == "anonymous" else await make_token(session, scene.users[persona])


async def web_client(app, scene: Scene, persona: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    if persona == "anonymous":
        return client, csrf_from((await client.get("/signin")).text)
    return client, await web_sign_in(client, scene.users[persona].email, PASSWORD)

"""Backlog fixtures: the three stand-in trackers, and a workspace with a connection to each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.backlog import service
from ideaflow.backlog.models import TrackerConnection
from ideaflow.backlog.service import ConnectionInput
from ideaflow.workspaces.models import Workspace
from tests.backlog.servers import GitHubServer, JiraServer, LinearServer
from tests.factories import make_workspace, owner_context

GITHUB_TOKEN = "ghp_contracttesttoken0001"
JIRA_TOKEN = "ATATT3xFfGF0contracttest"
JIRA_EMAIL = "pm@example.com"
LINEAR_TOKEN = "lin_api_contracttest0001"
LINEAR_TEAM = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    server = GitHubServer(GITHUB_TOKEN, "acme/roadmap")
    server.start(server.app())
    yield server
    server.stop()


@pytest.fixture
def jira() -> Iterator[JiraServer]:
    server = JiraServer(JIRA_TOKEN, JIRA_EMAIL, "PROD")
    server.start(server.app())
    yield server
    server.stop()


@pytest.fixture
def linear() -> Iterator[LinearServer]:
    server = LinearServer(LINEAR_TOKEN, LINEAR_TEAM)
    server.start(server.app())
    yield server
    server.stop()


@dataclass
class Trackers:
    workspace: Workspace
    github: TrackerConnection
    jira: TrackerConnection
    linear: TrackerConnection


async def connect(session: AsyncSession, workspace: Workspace, kind: str, base_url: str, **extra) -> TrackerConnection:
    ctx = await owner_context(session, workspace)
    defaults = {
        "github": {"target": "acme/roadmap", "token": GITHUB_TOKEN},
        "jira": {"target": "PROD", "token": JIRA_TOKEN, "account": JIRA_EMAIL},
        "linear": {"target": LINEAR_TEAM, "token": LINEAR_TOKEN},
    }[kind]
    data = ConnectionInput(kind=kind, name=extra.pop("name", kind.capitalize()), base_url=base_url, **defaults)
    for key, value in extra.items():
        setattr(data, key, value)
    return await service.create_connection(session, ctx, data)


@pytest.fixture
async def trackers(session, github, jira, linear) -> AsyncIterator[Trackers]:
    workspace = await make_workspace(session)
    yield Trackers(
        workspace=workspace,
        github=await connect(session, workspace, "github", github.base_url),
        jira=await connect(session, workspace, "jira", jira.base_url),
        linear=await connect(session, workspace, "linear", linear.base_url),
    )

"""What every tracker client shares: the content of an item, what the tracker answers, errors, HTTP."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

import httpx

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
USER_AGENT = "ideaflow-backlog"


class TrackerError(Exception):
    """The tracker refused or failed a call. The message names the call and status, never the credentials."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ItemContent:
    title: str
    # Markdown: the idea's text, then a summary with its link, votes, voters, demand, priority and segments.
    body: str
    labels: tuple[str, ...]
    # A per-link random UUID, written into the remote item, that finds it again after a crash.
    marker: str


@dataclass(frozen=True)
class RemoteItem:
    external_id: str
    key: str
    url: str
    state: str


@dataclass(frozen=True)
class Connection:
    """A connection with its token decrypted: lives only in the handler's memory."""

    base_url: str
    target: str
    token: str
    account: str = ""
    issue_type: str = ""


class TrackerClient(ABC):
    """The interface GitHub, Jira and Linear implement: a client missing a method cannot be built."""

    def __init__(self, connection: Connection, http: httpx.AsyncClient):
        self.connection = connection
        self.http = http
        self.base = connection.base_url.rstrip("/")

    @abstractmethod
    async def create(self, content: ItemContent) -> RemoteItem:
        """Create the item; returns it as the tracker now holds it."""

    @abstractmethod
    async def update(self, external_id: str, content: ItemContent) -> RemoteItem:
        """Update the linked item in place (never a second item)."""

    @abstractmethod
    async def find(self, content: ItemContent, *, since: datetime) -> RemoteItem | None:
        """The item an earlier, interrupted attempt created for this marker, if any."""

    @abstractmethod
    async def check(self) -> str:
        """Prove the connection works; returns what it reached (repository, project or team name)."""

    def _fail(self, what: str, response: httpx.Response) -> TrackerError:
        detail = response.text[:300].replace("\n", " ")
        return TrackerError(f"{what} answered HTTP {response.status_code}: {detail}", status=response.status_code)

    def _json(self, what: str, response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError as exc:
            raise TrackerError(f"{what} answered something that is not JSON", status=response.status_code) from exc
        if not isinstance(data, dict):
            raise TrackerError(f"{what} answered an unexpected shape", status=response.status_code)
        return data

"""Every tracker kind has a client that implements the whole interface: a client missing a method fails when it
is built, not in the middle of a push."""

from __future__ import annotations

import httpx
import pytest

from ideaflow.backlog.models import TrackerKind
from ideaflow.backlog.trackers import CLIENTS
from ideaflow.backlog.trackers.base import Connection, ItemContent, RemoteItem, TrackerClient

CONNECTION = Connection(base_url="https://tracker.example", target="acme/app", token="t")


@pytest.mark.parametrize("kind", list(TrackerKind))
async def test_each_tracker_kind_has_a_complete_client(kind: TrackerKind):
    async with httpx.AsyncClient() as http:
        client = CLIENTS[kind](CONNECTION, http)
    assert isinstance(client, TrackerClient)


async def test_a_client_missing_a_method_cannot_be_built():
    class HalfDone(TrackerClient):
        async def create(self, content: ItemContent) -> RemoteItem:
            return RemoteItem(external_id="1", key="1", url="https://tracker.example/1", state="open")

    async with httpx.AsyncClient() as http:
        with pytest.raises(TypeError, match="abstract"):
            HalfDone(CONNECTION, http)

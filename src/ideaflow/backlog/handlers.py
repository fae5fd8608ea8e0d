"""Backlog: outbox event handlers, registered when the worker loads this module.

`backlog.push_requested` {idea_id, connection_id} creates or updates the idea's item in a tracker, idempotently:
1. In a short transaction, the link row is claimed (state "creating", a fresh random marker) and committed
   before any remote call, so a later attempt knows a create may already have reached the tracker.
2. Outside any transaction: a linked idea is updated (GitHub PATCH, Jira PUT, Linear issueUpdate); an idea
   whose link is still "creating" from an earlier attempt is first looked up by its marker (GitHub: issue
   body comment, Jira: label via JQL, Linear: the marker is the issue id we chose), and only created if the
   tracker does not have it yet.
3. In a second transaction, the link is completed with the tracker's id, key, URL and state.
A retry after a crash at any point therefore updates or adopts the item; it never creates a second one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ideaflow import outbox
from ideaflow.backlog import repository
from ideaflow.backlog import service as backlog_service
from ideaflow.backlog.models import LinkState, TrackerConnection, TrackerKind, TrackerLink
from ideaflow.backlog.trackers import CLIENTS
from ideaflow.backlog.trackers.base import TIMEOUT, USER_AGENT, Connection, ItemContent, RemoteItem
from ideaflow.boards.models import Board
from ideaflow.config import get_settings
from ideaflow.db import Database, utcnow
from ideaflow.ideas.models import Idea
from ideaflow.ranking import service as ranking_service
from ideaflow.workspaces.models import Workspace

BODY_LIMIT = 20_000


def _format_number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def build_content(
    *, idea: Idea, workspace: Workspace, board: Board, scores: ranking_service.IdeaScores, marker: str
) -> ItemContent:
    url = f"{get_settings().base_url.rstrip('/')}/{workspace.slug}/ideas/{idea.number}"
    votes = f"{scores.votes} vote{'s' if scores.votes != 1 else ''} from {scores.voters} voter"
    votes += "s" if scores.voters != 1 else ""
    facts = [votes, f"demand {_format_number(scores.demand)}"]
    if scores.priority is not None:
        facts.append(f"priority {_format_number(scores.priority)}")
    text = (idea.body or "").strip()
    if len(text) > BODY_LIMIT:
        text = text[:BODY_LIMIT].rstrip() + " …"
    summary = [f"**[Idea #{idea.number} on {workspace.name}]({url})** in {board.name} · " + " · ".join(facts)]
    if scores.top_segments:
        summary.append("**Top customer segments:** " + ", ".join(scores.top_segments))
    body = (text + "\n\n---\n\n" if text else "") + "\n\n".join(summary)
    return ItemContent(title=idea.title, body=body, labels=("ideaflow",), marker=marker)


@dataclass
class _Claim:
    link_id: int
    marker: str
    linked_id: str | None  # the tracker's id when the link is complete
    may_exist: bool  # a previous attempt may have created the item
    claimed_at: datetime
    connection: Connection
    kind: TrackerKind
    content: ItemContent


async def _claim(database: Database, *, workspace_id: int, idea_id: int, connection_id: int) -> _Claim | None:
    async with database.write() as session, session.begin():
        connection = await repository.get_connection(session, workspace_id, connection_id)
        row = (
            await session.execute(
                select(Idea, Board, Workspace)
                .join(Board, Board.id == Idea.board_id)
                .join(Workspace, Workspace.id == Idea.workspace_id)
                .where(Idea.id == idea_id, Idea.workspace_id == workspace_id)
            )
        ).first()
        if connection is None or not connection.enabled or row is None or row[0].deleted_at is not None:
            return None  # removed since the push was requested: nothing to do
        idea, board, workspace = row
        link = await repository.get_link(session, connection.id, idea.id)
        may_exist = link is not None and link.link_state == LinkState.creating
        if link is None:
            link = TrackerLink(
                workspace_id=workspace_id,
                idea_id=idea.id,
                connection_id=connection.id,
                link_state=LinkState.creating,
                marker=str(uuid.uuid4()),
            )
            try:
                async with session.begin_nested():
                    session.add(link)
                    await session.flush()
            except IntegrityError:
                # Another worker claimed it a moment ago: treat it as possibly created.
                link = await repository.get_link(session, connection.id, idea.id)
                if link is None:
                    raise
                may_exist = link.link_state == LinkState.creating
        scores = (await ranking_service.score_ideas(session, workspace_id=workspace_id, idea_ids=[idea.id]))[idea.id]
        return _Claim(
            link_id=link.id,
            marker=link.marker,
            linked_id=link.external_id if link.link_state == LinkState.linked else None,
            may_exist=may_exist,
            claimed_at=link.created_at,
            connection=_decrypted(connection),
            kind=TrackerKind(connection.kind),
            content=build_content(idea=idea, workspace=workspace, board=board, scores=scores, marker=link.marker),
        )


def _decrypted(connection: TrackerConnection) -> Connection:
    return Connection(
        base_url=connection.base_url,
        target=connection.target,
        token=backlog_service.token_of(connection),
        account=connection.account,
        issue_type=connection.issue_type,
    )


async def _complete(database: Database, claim: _Claim, item: RemoteItem) -> None:
    async with database.write() as session, session.begin():
        link = await session.get(TrackerLink, claim.link_id)
        if link is None:
            return  # the connection was deleted meanwhile
        link.external_id = item.external_id
        link.external_key = item.key[:100]
        link.url = item.url[:500]
        if item.state:
            link.state = item.state[:100]
        link.link_state = LinkState.linked
        link.pushed_at = utcnow()
        await session.flush()


async def push_idea(
    database: Database,
    *,
    workspace_id: int,
    idea_id: int,
    connection_id: int,
    http: httpx.AsyncClient | None = None,
) -> RemoteItem | None:
    """Create or update one idea's tracker item; safe to run again after any failure."""
    claim = await _claim(database, workspace_id=workspace_id, idea_id=idea_id, connection_id=connection_id)
    if claim is None:
        return None
    owned = http is None
    http = http or httpx.AsyncClient(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}, follow_redirects=False)
    try:
        client = CLIENTS[claim.kind](claim.connection, http)
        if claim.linked_id is not None:
            item = await client.update(claim.linked_id, claim.content)
        else:
            found = await client.find(claim.content, since=claim.claimed_at) if claim.may_exist else None
            if found is not None:
                item = await client.update(found.external_id, claim.content)
            else:
                item = await client.create(claim.content)
    finally:
        if owned:
            await http.aclose()
    await _complete(database, claim, item)
    return item


async def on_push_requested(event: outbox.Event) -> None:
    if event.workspace_id is None:
        return
    await push_idea(
        outbox.handler_database(),
        workspace_id=event.workspace_id,
        idea_id=int(event.payload["idea_id"]),
        connection_id=int(event.payload["connection_id"]),
    )


outbox.register("backlog.push_requested", on_push_requested)

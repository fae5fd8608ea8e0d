"""Backlog rules: tracker connections (admins), the staff's ranked backlog and its selections, push requests
(written to the outbox), and inbound tracker webhooks mapped to idea statuses."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.audit import service as audit
from ideaflow.backlog import crypto, repository
from ideaflow.backlog.models import TrackerConnection, TrackerKind, TrackerLink
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.db import utcnow
from ideaflow.errors import Conflict, IdeaflowError, Invalid, NotFound, Unauthorized
from ideaflow.ideas.models import Idea
from ideaflow.ranking import service as ranking_service
from ideaflow.ranking.service import IdeaScores
from ideaflow.statuses import service as status_service
from ideaflow.workspaces.service import WorkspaceContext, require_admin, require_staff

MAX_PUSH = 200
LINEAR_TIMESTAMP_WINDOW_SECONDS = 60

# Tracker state -> idea status key. GitHub states are "open", "closed" and "closed:<state_reason>"; Jira and
# Linear states are the workflow state's name, lower-cased; Linear also matches its state type
# (backlog, unstarted, started, completed, canceled).
DEFAULT_MAPPINGS: dict[TrackerKind, dict[str, str]] = {
    TrackerKind.github: {"closed:completed": "shipped", "closed:not_planned": "declined", "closed": "shipped"},
    TrackerKind.jira: {"in progress": "in_progress", "done": "shipped"},
    TrackerKind.linear: {"started": "in_progress", "completed": "shipped", "canceled": "declined"},
}
DEFAULT_BASE_URLS = {
    TrackerKind.github: "https://api.github.com",
    TrackerKind.jira: "https://your-site.atlassian.net",
    TrackerKind.linear: "https://api.linear.app",
}
TARGET_LABELS = {TrackerKind.github: "Repository", TrackerKind.jira: "Project key", TrackerKind.linear: "Team id"}
_JIRA_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")
_LINEAR_TEAM = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_STATE_KEY = re.compile(r"^[a-z0-9][a-z0-9 :_-]{0,60}$")


# Connections.


def _token_associated(workspace_id: int) -> str:
    return f"workspace:{workspace_id}:tracker-token"


def _secret_associated(workspace_id: int) -> str:
    return f"workspace:{workspace_id}:tracker-webhook-secret"


def token_of(connection: TrackerConnection) -> str:
    return crypto.decrypt(connection.token_encrypted, associated=_token_associated(connection.workspace_id))


def webhook_secret_of(connection: TrackerConnection) -> str:
    return crypto.decrypt(connection.webhook_secret_encrypted, associated=_secret_associated(connection.workspace_id))


def _clean_base_url(value: str) -> str:
    value = value.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise Invalid.field("base_url", "is not a valid address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise Invalid.field("base_url", "must be an https:// address such as https://api.github.com")
    if parts.scheme == "http":
        # Plain http only to this machine (a tracker run locally); tokens never cross a network unencrypted.
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise Invalid.field("base_url", "must use https://")
    if len(value) > 300:
        raise Invalid.field("base_url", "must be at most 300 characters")
    return value


def _clean_target(kind: TrackerKind, value: str) -> str:
    value = value.strip()
    pattern, reason = {
        TrackerKind.github: (_GITHUB_REPO, "write it owner/repo, e.g. acme/roadmap"),
        TrackerKind.jira: (_JIRA_KEY, "is the project key in capitals, e.g. PROJ"),
        TrackerKind.linear: (_LINEAR_TEAM, "is the team's id (Settings → Teams → copy id)"),
    }[kind]
    if not pattern.fullmatch(value):
        raise Invalid.field("target", reason)
    return value


def parse_mapping(text: str) -> dict[str, str]:
    """`tracker state = status key`, one a line (blank lines and # comments ignored)."""
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if not line:
            continue
        state, sep, key = line.partition("=")
        state, key = " ".join(state.lower().split()), key.strip()
        if not sep or not state or not key:
            raise Invalid.field("mapping", f"line {number}: write it as tracker state = status key")
        if not _STATE_KEY.fullmatch(state):
            raise Invalid.field("mapping", f"line {number}: '{state[:40]}' is not a tracker state")
        mapping[state] = key
    if len(mapping) > 50:
        raise Invalid.field("mapping", "at most 50 lines")
    return mapping


def format_mapping(mapping: dict[str, str]) -> str:
    return "\n".join(f"{state} = {key}" for state, key in mapping.items())


async def status_choices(session: AsyncSession, workspace_id: int) -> list[Any]:
    return list(await status_service.list_statuses(session, workspace_id=workspace_id))


async def _check_mapping(session: AsyncSession, workspace_id: int, mapping: dict[str, str]) -> None:
    keys = {s.key for s in await status_choices(session, workspace_id)}
    for state, key in mapping.items():
        if key not in keys:
            raise Invalid.field("mapping", f"'{state}' maps to '{key[:40]}', which is not a status of this workspace")


@dataclass
class ConnectionInput:
    kind: str
    name: str
    base_url: str
    target: str
    token: str = ""
    account: str = ""
    issue_type: str = ""
    mapping: str | dict[str, str] | None = None  # the form's text, or the API's object
    enabled: bool = True


async def create_connection(session: AsyncSession, ctx: WorkspaceContext, data: ConnectionInput) -> TrackerConnection:
    require_admin(ctx)
    try:
        kind = TrackerKind(data.kind)
    except ValueError:
        raise Invalid.field("kind", "choose GitHub, Jira or Linear") from None
    if not data.token.strip():
        raise Invalid.field("token", "is required")
    connection = TrackerConnection(
        workspace_id=ctx.workspace.id,
        kind=kind,
        token_encrypted="",
        webhook_secret_encrypted=crypto.encrypt(
            secrets.token_urlsafe(32), associated=_secret_associated(ctx.workspace.id)
        ),
        status_mapping=dict(DEFAULT_MAPPINGS[kind]),
    )
    await _apply(session, ctx, connection, data, kind)
    session.add(connection)
    await session.flush()
    await _audit(session, ctx, "tracker_connection.created", connection, None, _snapshot(connection))
    return connection


def _snapshot(connection: TrackerConnection) -> dict[str, Any]:
    """What the audit log keeps of a connection: never its token or webhook secret."""
    return {
        "kind": str(connection.kind),
        "name": connection.name,
        "base_url": connection.base_url,
        "target": connection.target,
        "account": connection.account,
        "issue_type": connection.issue_type,
        "enabled": connection.enabled,
        "status_mapping": dict(connection.status_mapping or {}),
        "token_hint": connection.token_hint,
    }


async def _audit(
    session: AsyncSession, ctx: WorkspaceContext, action: str, connection: TrackerConnection, before, after
) -> None:
    await audit.record_by(
        session,
        ctx,
        action=action,
        target_type="tracker_connection",
        target_id=connection.id,
        before=before,
        after=after,
    )


def input_of(connection: TrackerConnection, **changes: Any) -> ConnectionInput:
    """The connection as it stands (without its token), with some values changed: for partial updates."""
    current = ConnectionInput(
        kind=str(connection.kind),
        name=connection.name,
        base_url=connection.base_url,
        target=connection.target,
        account=connection.account,
        issue_type=connection.issue_type,
        mapping=None,
        enabled=connection.enabled,
    )
    for key, value in changes.items():
        if value is not None:
            setattr(current, key, value)
    return current


async def update_connection(
    session: AsyncSession, ctx: WorkspaceContext, connection_id: int, data: ConnectionInput
) -> TrackerConnection:
    """`data.token` empty keeps the stored token; `data.mapping` None keeps the mapping."""
    require_admin(ctx)
    connection = await get_connection(session, ctx, connection_id)
    before = _snapshot(connection)
    await _apply(session, ctx, connection, data, TrackerKind(connection.kind))
    connection.updated_at = utcnow()
    await session.flush()
    if difference := audit.changed(before, _snapshot(connection)):
        await _audit(session, ctx, "tracker_connection.updated", connection, *difference)
    return connection


async def _apply(
    session: AsyncSession, ctx: WorkspaceContext, connection: TrackerConnection, data: ConnectionInput, kind
) -> None:
    texts = {"name": data.name, "base_url": data.base_url, "target": data.target, "token": data.token}
    texts |= {"account": data.account, "issue_type": data.issue_type}
    if isinstance(data.mapping, str):
        texts["mapping"] = data.mapping
    elif data.mapping:
        texts["mapping"] = "".join(f"{k}{v}" for k, v in data.mapping.items())
    for field, value in texts.items():
        if "\x00" in value:
            raise Invalid.field(field, "contains a NUL character")
    name = " ".join(data.name.split())
    if not name:
        raise Invalid.field("name", "is required")
    if len(name) > 80:
        raise Invalid.field("name", "must be at most 80 characters")
    if await repository.name_taken(session, ctx.workspace.id, name, except_id=connection.id):
        raise Conflict("Another connection has that name.", fields={"name": "is already used by another connection"})
    base_url = _clean_base_url(data.base_url)
    target = _clean_target(kind, data.target)
    account = data.account.strip()
    if kind == TrackerKind.jira and "@" not in account:
        raise Invalid.field("account", "is the email of the Atlassian account the API token belongs to")
    if len(account) > 200:
        raise Invalid.field("account", "must be at most 200 characters")
    issue_type = data.issue_type.strip() or ("Task" if kind == TrackerKind.jira else "")
    if len(issue_type) > 80:
        raise Invalid.field("issue_type", "must be at most 80 characters")
    token = data.token.strip()
    if token and (len(token) > 500 or any(c.isspace() for c in token)):
        raise Invalid.field("token", "does not look like an API token")
    if data.mapping is not None:
        text = data.mapping if isinstance(data.mapping, str) else format_mapping(data.mapping)
        mapping = parse_mapping(text)
        await _check_mapping(session, ctx.workspace.id, mapping)
        connection.status_mapping = mapping
    connection.name, connection.base_url, connection.target = name, base_url, target
    connection.account, connection.issue_type, connection.enabled = account, issue_type, data.enabled
    if token:
        connection.token_encrypted = crypto.encrypt(token, associated=_token_associated(ctx.workspace.id))
        connection.token_hint = token[-4:]


async def rotate_webhook_secret(session: AsyncSession, ctx: WorkspaceContext, connection_id: int) -> None:
    require_admin(ctx)
    connection = await get_connection(session, ctx, connection_id)
    connection.webhook_secret_encrypted = crypto.encrypt(
        secrets.token_urlsafe(32), associated=_secret_associated(ctx.workspace.id)
    )
    connection.updated_at = utcnow()
    await session.flush()
    await _audit(session, ctx, "tracker_connection.webhook_secret_rotated", connection, None, None)


async def delete_connection(session: AsyncSession, ctx: WorkspaceContext, connection_id: int) -> None:
    require_admin(ctx)
    connection = await get_connection(session, ctx, connection_id)
    await _audit(session, ctx, "tracker_connection.deleted", connection, _snapshot(connection), None)
    await repository.delete_connection(session, connection)


async def list_connections(session: AsyncSession, ctx: WorkspaceContext) -> list[TrackerConnection]:
    require_staff(ctx)
    return await repository.list_connections(session, ctx.workspace.id)


async def get_connection(session: AsyncSession, ctx: WorkspaceContext, connection_id: int) -> TrackerConnection:
    require_staff(ctx)
    connection = await repository.get_connection(session, ctx.workspace.id, connection_id)
    if connection is None:
        raise NotFound("No tracker connection with that id in this workspace.")
    return connection


def webhook_path(workspace_slug: str, connection: TrackerConnection) -> str:
    return f"/api/v1/{workspace_slug}/trackers/{connection.id}/webhook"


# The backlog: ranked ideas with their scores and tracker items.


@dataclass
class BacklogRow:
    idea: Idea
    board: Board
    scores: IdeaScores
    links: list[tuple[TrackerLink, TrackerConnection]]


@dataclass(frozen=True)
class BacklogFilter:
    ranking: str = "top"
    board: str = ""
    status: str = ""

    def check(self) -> None:
        for field in ("board", "status"):
            if "\x00" in getattr(self, field):
                raise Invalid.field(field, "contains a NUL character")
        if self.ranking not in ranking_service.RANKINGS:
            raise Invalid.field("ranking", "is not one of " + ", ".join(ranking_service.RANKINGS))


async def _board_ids(session: AsyncSession, ctx: WorkspaceContext, board_slug: str) -> list[int]:
    if board_slug:
        return [(await board_service.get_board(session, ctx, board_slug)).id]
    return [b.id for b in await board_service.list_boards(session, ctx)]


async def backlog_query(session: AsyncSession, ctx: WorkspaceContext, flt: BacklogFilter):
    require_staff(ctx)
    flt.check()
    stmt = repository.ideas_query(
        ctx.workspace.id, board_ids=await _board_ids(session, ctx, flt.board), status=flt.status or None
    )
    return ranking_service.apply_ranking(stmt, flt.ranking)


async def complete_rows(
    session: AsyncSession, workspace_id: int, pairs: Sequence[tuple[Idea, Board]]
) -> list[BacklogRow]:
    """Scores and tracker items for a batch of ideas: a fixed number of queries, whatever its size."""
    scores, links = await scores_and_links(session, workspace_id, [idea.id for idea, _ in pairs])
    return [BacklogRow(idea=i, board=b, scores=scores[i.id], links=links[i.id]) for i, b in pairs]


async def scores_and_links(session: AsyncSession, workspace_id: int, idea_ids: list[int]):
    """({idea_id: IdeaScores}, {idea_id: [(link, connection)]}) for a batch of ideas, in a fixed number of queries."""
    scores = await ranking_service.score_ideas(session, workspace_id=workspace_id, idea_ids=idea_ids)
    return scores, await repository.links_for_ideas(session, workspace_id, idea_ids)


async def backlog_page(
    session: AsyncSession, ctx: WorkspaceContext, flt: BacklogFilter, *, limit: int = 100
) -> list[BacklogRow]:
    stmt = await backlog_query(session, ctx, flt)
    pairs = [(i, b) for i, b in (await session.execute(stmt.limit(limit))).all()]
    return await complete_rows(session, ctx.workspace.id, pairs)


async def top_idea_ids(session: AsyncSession, ctx: WorkspaceContext, flt: BacklogFilter, *, limit: int) -> list[int]:
    if not 1 <= limit <= MAX_PUSH:
        raise Invalid.field("limit", f"must be between 1 and {MAX_PUSH}")
    stmt = await backlog_query(session, ctx, flt)
    return [idea.id for idea, _ in (await session.execute(stmt.limit(limit))).all()]


# Pushing: one outbox event per idea; backlog/handlers.py creates or updates the tracker item.


async def request_push(
    session: AsyncSession, ctx: WorkspaceContext, *, connection_id: int, idea_ids: Sequence[int]
) -> int:
    require_staff(ctx)
    connection = await get_connection(session, ctx, connection_id)
    if not connection.enabled:
        raise Conflict("That connection is turned off.", fields={"connection_id": "is turned off"})
    wanted = list(dict.fromkeys(idea_ids))
    if not wanted:
        raise Invalid.field("idea_ids", "select at least one idea")
    if len(wanted) > MAX_PUSH:
        raise Invalid.field("idea_ids", f"at most {MAX_PUSH} ideas at once")
    live = set(await repository.live_idea_ids(session, ctx.workspace.id, wanted))
    missing = [i for i in wanted if i not in live]
    if missing:
        raise Invalid.field("idea_ids", f"no such idea in this workspace: {missing[0]}")
    for idea_id in wanted:
        await outbox.emit(
            session,
            type="backlog.push_requested",
            workspace_id=ctx.workspace.id,
            payload={"idea_id": idea_id, "connection_id": connection.id, "actor_id": ctx.user.id if ctx.user else None},
        )
    return len(wanted)


# Inbound webhooks.


@dataclass(frozen=True)
class InboundResult:
    outcome: str  # "updated", "unchanged", "ignored"
    detail: str
    idea_number: int | None = None
    status: str | None = None


@dataclass(frozen=True)
class TrackerChange:
    external_id: str
    state: str  # what the link shows
    candidates: tuple[str, ...]  # mapping keys, most specific first


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _verify_prefixed(secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(_sign(secret, body), header[len("sha256=") :].strip().lower())


def verify_signature(kind: TrackerKind, secret: str, body: bytes, headers: dict[str, str]) -> str:
    """Check the delivery's signature and return its delivery id; raises Unauthorized or Invalid."""
    if kind == TrackerKind.github:
        ok = _verify_prefixed(secret, body, headers.get("x-hub-signature-256"))
        delivery = headers.get("x-github-delivery")
    elif kind == TrackerKind.jira:
        ok = _verify_prefixed(secret, body, headers.get("x-hub-signature"))
        delivery = headers.get("x-atlassian-webhook-identifier")
    else:
        presented = (headers.get("linear-signature") or "").strip().lower()
        ok = bool(presented) and hmac.compare_digest(_sign(secret, body), presented)
        delivery = headers.get("linear-delivery")
    if not ok:
        raise Unauthorized("The webhook signature does not match this connection's secret.")
    if not delivery or len(delivery) > 200:
        raise Invalid.field("delivery", "the delivery id header is missing")
    return delivery


def parse_change(kind: TrackerKind, payload: dict[str, Any], headers: dict[str, str]) -> TrackerChange | None:
    """The item and its new state, or None for events that do not change a state."""
    if kind == TrackerKind.github:
        if headers.get("x-github-event") != "issues" or payload.get("action") not in ("closed", "reopened"):
            return None
        issue = payload.get("issue") or {}
        state = str(issue.get("state") or "")
        reason = issue.get("state_reason")
        candidates = (f"{state}:{reason}", state) if reason else (state,)
        return TrackerChange(external_id=str(issue.get("number")), state=state, candidates=candidates)
    if kind == TrackerKind.jira:
        if payload.get("webhookEvent") != "jira:issue_updated":
            return None
        items = (payload.get("changelog") or {}).get("items") or []
        status = next((i for i in items if i.get("field") == "status" or i.get("fieldId") == "status"), None)
        if status is None or not status.get("toString"):
            return None
        name = str(status["toString"])
        issue_id = str((payload.get("issue") or {}).get("id") or "")
        return TrackerChange(external_id=issue_id, state=name, candidates=(" ".join(name.lower().split()),))
    if payload.get("type") != "Issue" or payload.get("action") != "update":
        return None
    if "stateId" not in (payload.get("updatedFrom") or {}):
        return None
    data = payload.get("data") or {}
    state = data.get("state") or {}
    name = str(state.get("name") or "")
    candidates = tuple(c for c in (" ".join(name.lower().split()), str(state.get("type") or "")) if c)
    return TrackerChange(external_id=str(data.get("id") or ""), state=name, candidates=candidates)


async def receive_webhook(
    session: AsyncSession, *, ctx: WorkspaceContext, connection_id: int, body: bytes, headers: dict[str, str]
) -> InboundResult:
    """Verify, refuse replays, and apply a tracker's state change to the linked idea."""
    connection = await repository.get_connection(session, ctx.workspace.id, connection_id)
    if connection is None:
        raise NotFound("No tracker connection with that id in this workspace.")
    kind = TrackerKind(connection.kind)
    delivery = verify_signature(kind, webhook_secret_of(connection), body, headers)
    try:
        payload = json.loads(body)
    except ValueError:
        raise Invalid.field("body", "is not JSON") from None
    if not isinstance(payload, dict):
        raise Invalid.field("body", "is not a JSON object")
    if kind == TrackerKind.linear:
        stamp = payload.get("webhookTimestamp")
        window_ms = LINEAR_TIMESTAMP_WINDOW_SECONDS * 1000
        if not isinstance(stamp, int | float) or abs(time.time() * 1000 - stamp) > window_ms:
            raise Unauthorized("The webhook timestamp is missing or too old.")
    if not connection.enabled:
        return InboundResult("ignored", "the connection is turned off")
    if not await repository.record_delivery(session, connection.id, delivery):
        raise Conflict("This delivery was already received.", fields={"delivery": "was already received"})
    change = parse_change(kind, payload, headers)
    if change is None:
        return InboundResult("ignored", "not a state change")
    link = await repository.get_link_by_external(session, connection.id, change.external_id)
    if link is None:
        return InboundResult("ignored", "no idea is linked to that item")
    link.state = change.state[:100]
    link.synced_at = utcnow()
    idea = await session.get(Idea, link.idea_id)
    if idea is None or idea.workspace_id != ctx.workspace.id or idea.deleted_at is not None:
        await session.flush()
        return InboundResult("ignored", "the linked idea was deleted")
    mapping = connection.status_mapping or {}
    status_key = next((mapping[c] for c in change.candidates if c in mapping), None)
    if status_key is None:
        await session.flush()
        return InboundResult("unchanged", f"no status is mapped to '{change.state}'", idea.number)
    if str(idea.status) == status_key:
        await session.flush()
        return InboundResult("unchanged", "the idea already has that status", idea.number, status_key)
    try:
        await status_service.set_status(
            session, workspace_id=ctx.workspace.id, idea=idea, status_key=status_key, actor_id=None, source=kind.value
        )
    except IdeaflowError as exc:
        # A mapping to a status that was since deleted: keep the tracker state, report why nothing moved.
        await session.flush()
        return InboundResult("unchanged", f"status '{status_key}' could not be set: {exc.message}", idea.number)
    await session.flush()
    return InboundResult("updated", f"idea #{idea.number} is now {status_key}", idea.number, status_key)

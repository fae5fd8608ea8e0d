"""Backlog files: CSV, JSON and Jira's CSV import format, streamed in constant memory.

Ideas are read through one server-side cursor (`yield_per`), a batch at a time; each batch gets its scores and
tracker items in a fixed number of queries and is written out before the next is read, so memory holds one
batch whatever the size of the export. The row count is computed first and sent as `X-Total-Count`, so a client
can show progress (rows received / total) while the body streams."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.backlog import service
from ideaflow.backlog.models import TrackerKind
from ideaflow.backlog.service import BacklogFilter, BacklogRow
from ideaflow.boards.models import Board
from ideaflow.config import get_settings
from ideaflow.db import Database
from ideaflow.errors import Invalid
from ideaflow.ideas.models import Idea
from ideaflow.workspaces.service import WorkspaceContext

BATCH_SIZE = 500
MAX_ROWS = 100_000
JIRA_LABEL_COLUMNS = 3


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    jira_csv = "jira.csv"

    @property
    def media_type(self) -> str:
        return "application/json" if self == ExportFormat.json else "text/csv; charset=utf-8"


COLUMNS = (
    "number",
    "title",
    "url",
    "board",
    "status",
    "votes",
    "voters",
    "demand",
    "priority",
    "top_segments",
    "tracker_items",
)


@dataclass(frozen=True)
class ExportRequest:
    filter: BacklogFilter
    limit: int | None = None

    def check(self) -> None:
        self.filter.check()
        if self.limit is not None and not 1 <= self.limit <= MAX_ROWS:
            raise Invalid.field("limit", f"must be between 1 and {MAX_ROWS}")


def _idea_url(workspace_slug: str, number: int) -> str:
    return f"{get_settings().base_url.rstrip('/')}/{workspace_slug}/ideas/{number}"


def _tracker_label(kind: str) -> str:
    return TrackerKind(kind).label


def record(row: BacklogRow, workspace_slug: str) -> dict:
    return _record(
        row.idea.number, row.idea.title, row.board.name, row.idea.status, row.scores, row.links, workspace_slug
    )


def _record(number, title, board_name, status, scores, links, workspace_slug: str) -> dict:
    return {
        "number": number,
        "title": title,
        "url": _idea_url(workspace_slug, number),
        "board": board_name,
        "status": str(status),
        "votes": scores.votes,
        "voters": scores.voters,
        "demand": round(scores.demand, 4),
        "priority": None if scores.priority is None else round(scores.priority, 4),
        "top_segments": list(scores.top_segments),
        "tracker_items": [
            {
                "tracker": connection.name,
                "kind": str(connection.kind),
                "key": link.external_key,
                "url": link.url,
                "state": link.state,
            }
            for link, connection in links
            if link.external_id
        ],
    }


def _safe_cell(value: object) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: such text is quoted with a leading apostrophe."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_line(values: list[object]) -> str:
    return _csv_lines([values])


def _csv_lines(rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([_safe_cell(v) for v in values] for values in rows)
    return buffer.getvalue()


def _csv_row(item: dict) -> list[object]:
    trackers = "; ".join(
        f"{t['tracker']} {t['key']}" + (f" ({t['state']})" if t["state"] else "") for t in item["tracker_items"]
    )
    return [*(item[c] for c in COLUMNS[:9]), ", ".join(item["top_segments"]), trackers]


def _jira_row(item: dict, workspace_slug: str) -> list[object]:
    facts = f"{item['votes']} votes from {item['voters']} voters, demand {item['demand']}"
    if item["priority"] is not None:
        facts += f", priority {item['priority']}"
    description = f"{facts}.\nIdea #{item['number']}: {item['url']}"
    if item["top_segments"]:
        description += "\nTop customer segments: " + ", ".join(item["top_segments"])
    labels = ["ideaflow", f"ideaflow-{workspace_slug}", "idea-status-" + item["status"].replace(" ", "-")]
    return [item["title"], "Task", description, *labels[:JIRA_LABEL_COLUMNS]]


async def count_rows(session: AsyncSession, ctx: WorkspaceContext, request: ExportRequest) -> int:
    stmt = await service.backlog_query(session, ctx, request.filter)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return min(int(total or 0), request.limit) if request.limit else int(total or 0)


async def stream_batches(
    database: Database,
    ctx: WorkspaceContext,
    request: ExportRequest,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> AsyncIterator[list[dict]]:
    """Batches of export records, read through one server-side cursor in a read transaction of its own (the
    request's session is closed before a streaming body is sent)."""
    slug = ctx.workspace.slug
    async with database.read() as session:
        # Plain columns, not ORM objects: building an Idea and a Board per row was most of an export's time.
        stmt = (await service.backlog_query(session, ctx, request.filter)).with_only_columns(
            Idea.id, Idea.number, Idea.title, Board.name, Idea.status
        )
        if request.limit:
            stmt = stmt.limit(request.limit)
        result = await session.stream(stmt.execution_options(yield_per=batch_size))
        async for partition in result.partitions(batch_size):
            ids = [row[0] for row in partition]
            scores, links = await service.scores_and_links(session, ctx.workspace.id, ids)
            if on_batch is not None:
                on_batch(len(partition))
            yield [
                _record(number, title, board, status, scores[idea_id], links[idea_id], slug)
                for idea_id, number, title, board, status in partition
            ]


async def render(
    fmt: ExportFormat,
    database: Database,
    ctx: WorkspaceContext,
    request: ExportRequest,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> AsyncIterator[str]:
    """The file, piece by piece."""
    slug = ctx.workspace.slug
    batches = stream_batches(database, ctx, request, batch_size=batch_size, on_batch=on_batch)
    if fmt == ExportFormat.json:
        meta = {"workspace": slug, "ranking": request.filter.ranking, "columns": list(COLUMNS)}
        yield json.dumps(meta)[:-1] + ', "ideas": ['
        first = True
        async for batch in batches:
            for item in batch:
                yield ("" if first else ",") + "\n" + json.dumps(item, ensure_ascii=False)
                first = False
        yield "\n]}\n"
        return
    if fmt == ExportFormat.jira_csv:
        yield _csv_line(["Summary", "Issue Type", "Description", *(["Labels"] * JIRA_LABEL_COLUMNS)])
        async for batch in batches:
            yield _csv_lines(_jira_row(item, slug) for item in batch)
        return
    yield _csv_line(list(COLUMNS))
    async for batch in batches:
        yield _csv_lines(_csv_row(item) for item in batch)


def filename(ctx: WorkspaceContext, fmt: ExportFormat) -> str:
    suffix = {"csv": "csv", "json": "json", "jira.csv": "jira.csv"}[fmt.value]
    return f"{ctx.workspace.slug}-backlog.{suffix}"

"""The limit ideaflow is measured against: FastAPI + asyncpg doing only the SQL of a vote and of the top-20
board list — the same statements ideaflow's repositories send (ideas/repository.py get_row, list_ideas and
change_counters; votes/repository.py insert_vote and delete_vote) — with no auth, no ORM, no templates.

Run by the harness as `uvicorn bench.minimal_app:app --workers N` with BENCH_DSN set."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
import orjson
from fastapi import FastAPI, Response

from ideaflow.ideas.trending import point

HALF_LIFE_HOURS = float(os.environ.get("IDEAFLOW_TRENDING_HALF_LIFE_HOURS", "72"))
VOTABLE = ("open", "under_review", "planned", "in_progress")

_IDEA_COLUMNS = (
    "ideas.id, ideas.workspace_id, ideas.board_id, ideas.author_id, ideas.number, ideas.title, ideas.body, "
    "ideas.body_html, ideas.status, ideas.vote_count, ideas.comment_count, ideas.trending_score, "
    "ideas.updated_at, ideas.deleted_at, ideas.created_at, users.name AS author_name, "
    "boards.id AS b_id, boards.workspace_id AS b_workspace_id, boards.slug AS b_slug, boards.name AS b_name, "
    "boards.description AS b_description, boards.visibility AS b_visibility, boards.is_open AS b_is_open, "
    "boards.position AS b_position, boards.created_at AS b_created_at"
)
_FROM = "FROM ideas JOIN users ON users.id = ideas.author_id JOIN boards ON boards.id = ideas.board_id"

GET_IDEA = f"SELECT {_IDEA_COLUMNS} {_FROM} WHERE ideas.workspace_id = $1 AND ideas.number = $2"
TOP_IDEAS = (
    f"SELECT {_IDEA_COLUMNS} {_FROM} WHERE ideas.workspace_id = $1 AND ideas.deleted_at IS NULL "
    "AND ideas.merged_into_id IS NULL AND ideas.moderation_state = 'approved' "
    "AND ideas.board_id = $2 ORDER BY ideas.vote_count DESC, ideas.id DESC LIMIT $3"
)
INSERT_VOTE = (
    "INSERT INTO votes (workspace_id, idea_id, user_id, created_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (workspace_id, idea_id, user_id) DO NOTHING RETURNING votes.id"
)
DELETE_VOTE = (
    "DELETE FROM votes WHERE votes.workspace_id = $1 AND votes.idea_id = $2 AND votes.user_id = $3 "
    "RETURNING votes.created_at"
)
ADD_TO_COUNTERS = (
    "UPDATE ideas SET updated_at = now(), vote_count = (ideas.vote_count + $1), "
    "trending_score = (greatest(ideas.trending_score, $2) "
    "+ ln(1 + exp(-abs(ideas.trending_score - $3)))) WHERE ideas.id = $4 "
    "RETURNING ideas.vote_count, ideas.comment_count"
)
REMOVE_FROM_COUNTERS = (
    "UPDATE ideas SET updated_at = now(), vote_count = (ideas.vote_count + $1), trending_score = CASE WHEN "
    "(ideas.trending_score - $2 > $3) THEN greatest($4, ideas.trending_score + ln(1 - exp($5 - ideas.trending_score))) "
    "ELSE $6 END WHERE ideas.id = $7 RETURNING ideas.vote_count, ideas.comment_count"
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The same connection budget as one ideaflow worker: pool 10 + overflow 10.
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=10, max_size=20)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


def _json(payload, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def _idea(row) -> dict:
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "body": row["body"],
        "body_html": row["body_html"],
        "status": row["status"],
        "board": {"slug": row["b_slug"], "name": row["b_name"]},
        "author": {"id": row["author_id"], "name": row["author_name"]},
        "vote_count": row["vote_count"],
        "comment_count": row["comment_count"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


@app.get("/healthz")
async def healthz() -> Response:
    return _json({"ok": True})


@app.get("/{workspace_id}/boards/{board_id}/top")
async def top(workspace_id: int, board_id: int) -> Response:
    async with app.state.pool.acquire() as conn:
        rows = await conn.fetch(TOP_IDEAS, workspace_id, board_id, 21)
    return _json({"items": [_idea(r) for r in rows[:20]], "more": len(rows) > 20})


async def _votable(conn, workspace_id: int, number: int):
    idea = await conn.fetchrow(GET_IDEA, workspace_id, number)
    if idea is None or idea["deleted_at"] is not None:
        return None, _json({"error": "not_found"}, 404)
    if idea["status"] not in VOTABLE:
        return None, _json({"error": "voting_closed"}, 409)
    return idea, None


@app.put("/{workspace_id}/ideas/{number}/vote")
async def vote(workspace_id: int, number: int, user: int) -> Response:
    async with app.state.pool.acquire() as conn, conn.transaction():
        idea, error = await _votable(conn, workspace_id, number)
        if error:
            return error
        now = datetime.now(UTC)
        count = idea["vote_count"]
        if await conn.fetchval(INSERT_VOTE, workspace_id, idea["id"], user, now) is not None:
            x = point(now, HALF_LIFE_HOURS)
            count, _ = await conn.fetchrow(ADD_TO_COUNTERS, 1, x, x, idea["id"])
    return _json({"number": number, "voted": True, "vote_count": count})


@app.delete("/{workspace_id}/ideas/{number}/vote")
async def unvote(workspace_id: int, number: int, user: int) -> Response:
    async with app.state.pool.acquire() as conn, conn.transaction():
        idea, error = await _votable(conn, workspace_id, number)
        if error:
            return error
        count = idea["vote_count"]
        cast_at = await conn.fetchval(DELETE_VOTE, workspace_id, idea["id"], user)
        if cast_at is not None:
            x = point(cast_at, HALF_LIFE_HOURS)
            floor = point(idea["created_at"], HALF_LIFE_HOURS)
            count, _ = await conn.fetchrow(REMOVE_FROM_COUNTERS, -1, x, 1e-9, floor, x, floor, idea["id"])
    return _json({"number": number, "voted": False, "vote_count": count})

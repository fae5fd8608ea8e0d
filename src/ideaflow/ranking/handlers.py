"""Ranking: outbox handlers, off the request path. `pairwise.compared` refits the board's Bradley-Terry
strengths (coalesced: one fit covers every comparison made before it; time-boxed per run, a fit that ran out
of time schedules the next); `ranking.recompute_requested` recomputes stored scores in bounded batches."""

from __future__ import annotations

from ideaflow import outbox
from ideaflow.db import Database
from ideaflow.ranking import pairwise
from ideaflow.ranking import service as ranking_service


async def refit_after_comparison(event: outbox.Event, *, database: Database | None = None) -> None:
    await pairwise.refit_board(
        database or outbox.handler_database(),
        workspace_id=event.workspace_id,
        board_id=int(event.payload["board_id"]),
        covering=int(event.payload.get("comparison_id", 0)) or None,
    )


async def recompute(event: outbox.Event, *, database: Database | None = None) -> None:
    await ranking_service.recompute_workspace(
        database or outbox.handler_database(),
        workspace_id=int(event.payload["workspace_id"]),
        after_id=int(event.payload.get("after_id", 0)),
        trending=bool(event.payload.get("trending", False)),
    )


outbox.register("pairwise.compared", refit_after_comparison)
outbox.register("ranking.recompute_requested", recompute)

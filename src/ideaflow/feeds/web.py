"""Atom feeds: new ideas per board, an idea's public history, the roadmap and the changelog. Always built as
for an anonymous reader; answered with an ETag and Last-Modified, and 304 when the reader's copy is current."""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.db import SessionDep
from ideaflow.errors import NotFound
from ideaflow.feeds import atom, service
from ideaflow.feeds.atom import Feed
from ideaflow.ideas.schemas import NUMBER_MAX

router = APIRouter()
CACHE_CONTROL = "public, max-age=60"


def _not_modified(request: Request, etag: str, last_modified) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in tags or "*" in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return last_modified.replace(microsecond=0) <= since
    return False


def _respond(request: Request, feed: Feed) -> Response:
    body = atom.render(feed)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(feed.updated.replace(microsecond=0), usegmt=True),
        "Cache-Control": CACHE_CONTROL,
    }
    if _not_modified(request, etag, feed.updated):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers, media_type=atom.CONTENT_TYPE)
    return Response(body, media_type=atom.CONTENT_TYPE, headers=headers)


@router.api_route("/{workspace}/boards/{board}/feed.atom", methods=["GET", "HEAD"])
async def board_feed(request: Request, workspace: str, board: str, session: SessionDep) -> Response:
    if len(workspace) > 40 or len(board) > 40:
        raise NotFound("No such feed.")
    ctx = await service.anonymous_context(session, workspace)
    return _respond(request, await service.board_feed(session, ctx, board))


@router.api_route("/{workspace}/ideas/{number}/feed.atom", methods=["GET", "HEAD"])
async def idea_feed(request: Request, workspace: str, number: int, session: SessionDep) -> Response:
    if len(workspace) > 40 or not 1 <= number <= NUMBER_MAX:
        raise NotFound("No such feed.")
    ctx = await service.anonymous_context(session, workspace)
    return _respond(request, await service.idea_feed(session, ctx, number))


@router.api_route("/{workspace}/roadmap/feed.atom", methods=["GET", "HEAD"])
async def roadmap_feed(request: Request, workspace: str, session: SessionDep) -> Response:
    if len(workspace) > 40:
        raise NotFound("No such feed.")
    ctx = await service.anonymous_context(session, workspace)
    return _respond(request, await service.roadmap_feed(session, ctx))


@router.api_route("/{workspace}/changelog/feed.atom", methods=["GET", "HEAD"])
async def changelog_feed(request: Request, workspace: str, session: SessionDep) -> Response:
    if len(workspace) > 40:
        raise NotFound("No such feed.")
    ctx = await service.anonymous_context(session, workspace)
    return _respond(request, await service.changelog_feed(session, ctx))

"""HEAD works wherever GET does, and the access log of a real server never shows an emailed link's token."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
import uvicorn

from ideaflow.kit.redact import redact_path
from tests.factories import make_idea, make_user, make_workspace


async def test_head_of_html_pages_and_api_answers_like_get_without_a_body(client, session):
    owner = await make_user(session, name="Hedda Head")
    workspace = await make_workspace(session, owner=owner, name="Headco")
    idea = await make_idea(session, workspace, author=owner, title="Answer HEAD requests")
    for path in (f"/{workspace.slug}", f"/{workspace.slug}/ideas/{idea.number}", "/signin", "/healthz"):
        get = await client.get(path)
        head = await client.head(path)
        assert get.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers.get("content-security-policy") == get.headers.get("content-security-policy")
    api = await client.head(f"/api/v1/{workspace.slug}/ideas")
    assert api.status_code == 200 and api.content == b""
    missing = await client.head(f"/{workspace.slug}/ideas/999999")
    assert missing.status_code == 404 and missing.content == b""


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/reset-password/s3cr3t-token", "/reset-password/[redacted]"),
        ("/verify-email/s3cr3t-token?next=/acme", "/verify-email/[redacted]?next=/acme"),
        ("/invitations/s3cr3t-token/accept", "/invitations/[redacted]/accept"),
        ("/unsubscribe/s3cr3t-token", "/unsubscribe/[redacted]"),
        ("/embed/acme?token=s3cr3t-token&x=1", "/embed/acme?token=[redacted]&x=1"),
        ("/acme/settings/invitations/12/revoke", "/acme/settings/invitations/12/revoke"),
        ("/acme/ideas/42", "/acme/ideas/42"),
    ],
)
def test_secret_parts_of_paths_are_redacted(path, shown):
    assert redact_path(path) == shown


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_served_request_for_a_reset_link_logs_no_token(app, caplog):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=True, log_config=None))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        with caplog.at_level(logging.INFO, logger="uvicorn.access"):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                await http.get("/reset-password/this-is-the-emailed-token")
    finally:
        server.should_exit = True
        await task
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/reset-password/[redacted]" in line for line in lines), lines
    assert not any("this-is-the-emailed-token" in line for line in lines)

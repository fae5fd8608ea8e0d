"""Inbound webhook bodies as GitHub, Jira and Linear send them, signed the way each tracker signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from tests.backlog.official import github_webhook_errors, load, skeleton


def hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_issue_event(action: str, number: int, *, state_reason: str | None = "completed") -> dict:
    """An `issues` event payload that satisfies GitHub's published webhook schema (checked here)."""
    payload = skeleton(load("github/webhook-issues.openapi.json")["payload_schemas"][f"issues-{action}"])
    person = {"login": "octocat", "id": 583231}
    payload["issue"].update(
        number=number,
        id=90000 + number,
        title=f"Issue {number}",
        body="Linked from ideaflow",
        user=person,
        state="closed" if action == "closed" else "open",
        state_reason=state_reason if action == "closed" else "reopened",
        closed_at="2026-11-23T12:00:00Z" if action == "closed" else None,
        html_url=f"https://github.com/acme/roadmap/issues/{number}",
    )
    payload["repository"].update(name="roadmap", full_name="acme/roadmap")
    payload["sender"].update(login="octocat", id=583231, type="User")
    errors = github_webhook_errors(action, payload)
    assert errors == [], errors
    return payload


def github_request(secret: str, payload: dict, *, delivery: str | None = None) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    return body, {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + hmac_hex(secret, body),
        "User-Agent": "GitHub-Hookshot/abc123",
    }


def jira_issue_updated(issue_id: str, key: str, *, to_status: str, from_status: str = "In Progress") -> dict:
    return {
        "timestamp": int(time.time() * 1000),
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Pat"},
        "issue": {"id": issue_id, "key": key, "fields": {"status": {"name": to_status}, "summary": "An idea"}},
        "changelog": {
            "id": "10100",
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": "3",
                    "fromString": from_status,
                    "to": "10001",
                    "toString": to_status,
                }
            ],
        },
    }


def jira_request(secret: str, payload: dict, *, delivery: str | None = None) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    return body, {
        "Content-Type": "application/json",
        "X-Atlassian-Webhook-Identifier": delivery or str(uuid.uuid4()),
        "X-Hub-Signature": "sha256=" + hmac_hex(secret, body),
    }


def linear_issue_update(issue_id: str, *, state: str, state_type: str, at_ms: int | None = None) -> dict:
    return {
        "action": "update",
        "type": "Issue",
        "createdAt": "2026-11-23T12:00:00.000Z",
        "organizationId": "c3f1d1c2-1c1f-4a37-8f0a-0b0a4b1d2e3f",
        "url": "https://linear.app/acme/issue/ENG-1",
        "data": {
            "id": issue_id,
            "identifier": "ENG-1",
            "title": "An idea",
            "state": {"id": "f1e2d3c4-0000-4000-8000-000000000001", "name": state, "type": state_type},
        },
        "updatedFrom": {"stateId": "f1e2d3c4-0000-4000-8000-000000000000", "updatedAt": "2026-11-23T11:00:00.000Z"},
        "webhookTimestamp": at_ms if at_ms is not None else int(time.time() * 1000),
        "webhookId": "0a1b2c3d-0000-4000-8000-00000000abcd",
    }


def linear_request(secret: str, payload: dict, *, delivery: str | None = None) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    return body, {
        "Content-Type": "application/json",
        "Linear-Delivery": delivery or str(uuid.uuid4()),
        "Linear-Event": "Issue",
        "Linear-Signature": hmac_hex(secret, body),
    }

"""Jira Cloud over REST API v3: descriptions in Atlassian Document Format, basic auth with an account email
and API token. Idempotency: Jira has no idempotency key for issue creation, so each item carries a label
`ideaflow-<marker>`; an attempt that follows an interrupted one searches that label with JQL first."""

from __future__ import annotations

import base64
from datetime import datetime

from ideaflow.backlog.adf import to_adf
from ideaflow.backlog.trackers.base import ItemContent, RemoteItem, TrackerClient


def marker_label(marker: str) -> str:
    return f"ideaflow-{marker}"


class JiraClient(TrackerClient):
    @property
    def _headers(self) -> dict[str, str]:
        pair = f"{self.connection.account}:{self.connection.token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode(), "Accept": "application/json"}

    def _browse(self, key: str) -> str:
        return f"{self.base}/browse/{key}"

    async def create(self, content: ItemContent) -> RemoteItem:
        fields = {
            "project": {"key": self.connection.target},
            "summary": content.title,
            "description": to_adf(content.body),
            "issuetype": {"name": self.connection.issue_type or "Task"},
            "labels": [*content.labels, marker_label(content.marker)],
        }
        response = await self.http.post(f"{self.base}/rest/api/3/issue", json={"fields": fields}, headers=self._headers)
        if response.status_code != 201:
            raise self._fail("Jira issue create", response)
        data = self._json("Jira issue create", response)
        return RemoteItem(external_id=str(data["id"]), key=data["key"], url=self._browse(data["key"]), state="")

    async def update(self, external_id: str, content: ItemContent) -> RemoteItem:
        fields = {"summary": content.title, "description": to_adf(content.body)}
        response = await self.http.put(
            f"{self.base}/rest/api/3/issue/{external_id}", json={"fields": fields}, headers=self._headers
        )
        if response.status_code != 204:
            raise self._fail("Jira issue update", response)
        found = await self.http.get(
            f"{self.base}/rest/api/3/issue/{external_id}", params={"fields": "status"}, headers=self._headers
        )
        if found.status_code != 200:
            raise self._fail("Jira issue read", found)
        return self._item(self._json("Jira issue read", found))

    def _item(self, data: dict) -> RemoteItem:
        status = ((data.get("fields") or {}).get("status") or {}).get("name") or ""
        return RemoteItem(external_id=str(data["id"]), key=data["key"], url=self._browse(data["key"]), state=status)

    async def find(self, content: ItemContent, *, since: datetime) -> RemoteItem | None:
        jql = f'project = "{self.connection.target}" AND labels = "{marker_label(content.marker)}"'
        response = await self.http.get(
            f"{self.base}/rest/api/3/search/jql",
            params={"jql": jql, "fields": "status", "maxResults": "1"},
            headers=self._headers,
        )
        if response.status_code != 200:
            raise self._fail("Jira search", response)
        issues = self._json("Jira search", response).get("issues") or []
        return self._item(issues[0]) if issues else None

    async def check(self) -> str:
        url = f"{self.base}/rest/api/3/project/{self.connection.target}"
        response = await self.http.get(url, headers=self._headers)
        if response.status_code != 200:
            raise self._fail("Jira project", response)
        return str(self._json("Jira project", response).get("name") or self.connection.target)

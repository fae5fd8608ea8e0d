"""GitHub Issues over the REST API. Idempotency: GitHub has no idempotency key for issue creation, so the body
carries an HTML comment with the link's marker; an attempt that follows an interrupted one lists the
repository's issues updated since the link was claimed (a consistent listing, unlike the search index) and
adopts the one carrying the marker instead of creating another."""

from __future__ import annotations

from datetime import datetime, timedelta

from ideaflow.backlog.trackers.base import ItemContent, RemoteItem, TrackerClient, TrackerError

API_VERSION = "2022-11-28"


def marker_comment(marker: str) -> str:
    return f"<!-- ideaflow-item: {marker} -->"


class GitHubClient(TrackerClient):
    @property
    def _repo(self) -> str:
        owner, _, repo = self.connection.target.partition("/")
        if not owner or not repo:
            raise TrackerError("the GitHub repository must be written owner/repo")
        return f"{self.base}/repos/{owner}/{repo}"

    @property
    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.connection.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        }

    def _body(self, content: ItemContent) -> str:
        return f"{content.body}\n\n{marker_comment(content.marker)}\n"

    @staticmethod
    def _item(data: dict) -> RemoteItem:
        return RemoteItem(
            external_id=str(data["number"]), key=f"#{data['number']}", url=data["html_url"], state=data["state"]
        )

    async def create(self, content: ItemContent) -> RemoteItem:
        payload = {"title": content.title, "body": self._body(content), "labels": list(content.labels)}
        response = await self.http.post(f"{self._repo}/issues", json=payload, headers=self._headers)
        if response.status_code != 201:
            raise self._fail("GitHub issue create", response)
        return self._item(self._json("GitHub issue create", response))

    async def update(self, external_id: str, content: ItemContent) -> RemoteItem:
        # Title and body only: labels, assignees and state belong to the team working the issue.
        payload = {"title": content.title, "body": self._body(content)}
        response = await self.http.patch(f"{self._repo}/issues/{external_id}", json=payload, headers=self._headers)
        if response.status_code != 200:
            raise self._fail("GitHub issue update", response)
        return self._item(self._json("GitHub issue update", response))

    async def find(self, content: ItemContent, *, since: datetime) -> RemoteItem | None:
        needle = marker_comment(content.marker)
        params = {
            "state": "all",
            "since": (since - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sort": "created",
            "direction": "desc",
            "per_page": "100",
        }
        response = await self.http.get(f"{self._repo}/issues", params=params, headers=self._headers)
        if response.status_code != 200:
            raise self._fail("GitHub issue list", response)
        issues = response.json()
        if not isinstance(issues, list):
            raise TrackerError("GitHub issue list answered an unexpected shape")
        for issue in issues:
            if "pull_request" not in issue and needle in (issue.get("body") or ""):
                return self._item(issue)
        return None

    async def check(self) -> str:
        response = await self.http.get(self._repo, headers=self._headers)
        if response.status_code != 200:
            raise self._fail("GitHub repository", response)
        return str(self._json("GitHub repository", response).get("full_name") or self.connection.target)

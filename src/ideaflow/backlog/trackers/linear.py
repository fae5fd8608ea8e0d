"""Linear over its GraphQL API (personal API key in `Authorization`). Idempotency: Linear lets the client
choose the new issue's id, so the link's marker (a UUID v4) is the issue id; an attempt that follows an
interrupted one asks for that issue before creating it."""

from __future__ import annotations

from datetime import datetime

from ideaflow.backlog.trackers.base import ItemContent, RemoteItem, TrackerClient, TrackerError

ISSUE_FIELDS = "id identifier url state { name }"
CREATE = (
    "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { "
    + ISSUE_FIELDS
    + " } } }"
)
UPDATE = (
    "mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) "
    "{ success issue { " + ISSUE_FIELDS + " } } }"
)
FIND = "query Issue($id: String!) { issue(id: $id) { " + ISSUE_FIELDS + " } }"
TEAM = "query Team($id: String!) { team(id: $id) { id name } }"


class LinearClient(TrackerClient):
    async def _call(self, what: str, query: str, variables: dict) -> tuple[dict | None, list[dict]]:
        response = await self.http.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": self.connection.token, "Content-Type": "application/json"},
        )
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            raise self._fail(what, response)
        data = self._json(what, response)
        return data.get("data"), data.get("errors") or []

    @staticmethod
    def _item(issue: dict) -> RemoteItem:
        return RemoteItem(
            external_id=issue["id"], key=issue["identifier"], url=issue["url"], state=issue["state"]["name"]
        )

    async def _mutate(self, what: str, query: str, variables: dict, field: str) -> RemoteItem:
        data, errors = await self._call(what, query, variables)
        result = (data or {}).get(field) or {}
        if errors or not result.get("success") or not result.get("issue"):
            message = "; ".join(str(e.get("message")) for e in errors) or "success was false"
            raise TrackerError(f"{what} failed: {message}")
        return self._item(result["issue"])

    async def create(self, content: ItemContent) -> RemoteItem:
        variables = {
            "input": {
                "id": content.marker,
                "teamId": self.connection.target,
                "title": content.title,
                "description": content.body,
            }
        }
        return await self._mutate("Linear issueCreate", CREATE, variables, "issueCreate")

    async def update(self, external_id: str, content: ItemContent) -> RemoteItem:
        variables = {"id": external_id, "input": {"title": content.title, "description": content.body}}
        return await self._mutate("Linear issueUpdate", UPDATE, variables, "issueUpdate")

    async def find(self, content: ItemContent, *, since: datetime) -> RemoteItem | None:
        data, errors = await self._call("Linear issue", FIND, {"id": content.marker})
        issue = (data or {}).get("issue")
        if issue:
            return self._item(issue)
        if errors and not all("not found" in str(e.get("message", "")).lower() for e in errors):
            raise TrackerError("Linear issue look-up failed: " + "; ".join(str(e.get("message")) for e in errors))
        return None

    async def check(self) -> str:
        data, errors = await self._call("Linear team", TEAM, {"id": self.connection.target})
        team = (data or {}).get("team")
        if errors or not team:
            raise TrackerError("Linear team look-up failed: " + "; ".join(str(e.get("message")) for e in errors))
        return str(team["name"])

"""Stand-in GitHub, Jira and Linear servers for contract tests: real HTTP servers on 127.0.0.1 that check the
credentials, validate every request against the tracker's official schema (a request that fails gets a 422 and is
recorded in `violations`) and answer with bodies that satisfy the official response schemas (checked too)."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import graphql
import uvicorn
from graphql.execution.values import get_variable_values
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.backlog.official import adf_errors, linear_schema, load, oas30_errors, skeleton


@dataclass
class TrackerServer:
    """State shared by a stand-in tracker: items by id, every call, and every schema violation."""

    token: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    base_url: str = ""
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def refuse(self, where: str, errors: list[str], status: int = 422) -> JSONResponse:
        self.violations.extend(f"{where}: {e}" for e in errors)
        return JSONResponse({"message": "Validation Failed", "errors": errors}, status_code=status)

    def reply(self, where: str, schema: dict | None, body: Any, status: int) -> JSONResponse:
        if schema is not None:
            errors = oas30_errors(schema, body)
            if errors:  # the stand-in itself is wrong: fail loudly rather than test against a bad reply
                self.violations.extend(f"{where} reply: {e}" for e in errors)
                return JSONResponse({"message": "stand-in reply invalid", "errors": errors}, status_code=500)
        return JSONResponse(body, status_code=status)

    def start(self, app: Starlette) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stand-in tracker did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)


async def _json(request: Request) -> tuple[Any, str | None]:
    try:
        return json.loads(await request.body()), None
    except ValueError:
        return None, "body is not JSON"


# GitHub: POST /repos/{owner}/{repo}/issues, PATCH .../issues/{n}, GET .../issues, GET /repos/{owner}/{repo}.


class GitHubServer(TrackerServer):
    def __init__(self, token: str, repo: str):
        super().__init__(token=token)
        self.repo = repo
        self.create = load("github/issues-create.openapi.json")
        self.update = load("github/issues-update.openapi.json")
        self.next_number = 1

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def _issue(self, number: int, title: str, body: str, labels: list, state: str = "open") -> dict:
        issue = skeleton(self.create["response_201_schema"])
        user = skeleton(self.create["response_201_schema"]["properties"]["user"] | {"nullable": False})
        user.update(login="ideaflow-bot", id=7, type="Bot")
        repo_url = f"https://api.github.com/repos/{self.repo}"
        issue.update(
            id=1000 + number,
            node_id=f"I_{number}",
            number=number,
            title=title,
            body=body,
            state=state,
            user=user,
            url=f"{repo_url}/issues/{number}",
            repository_url=repo_url,
            html_url=f"https://github.com/{self.repo}/issues/{number}",
            labels=[
                {"id": 1, "name": n if isinstance(n, str) else n.get("name", ""), "color": "ededed"} for n in labels
            ],
            comments=0,
            locked=False,
        )
        return issue

    def app(self) -> Starlette:
        repo = "/repos/{owner}/{name}"

        async def create(request: Request) -> Response:
            self.calls.append(("create", request.url.path))
            if not self._authorised(request):
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            body, error = await _json(request)
            errors = [error] if error else oas30_errors(self.create["request_body_schema"], body)
            if errors:
                return self.refuse("POST issues", errors)
            number = self.next_number
            self.next_number += 1
            issue = self._issue(number, str(body["title"]), body.get("body") or "", body.get("labels") or [])
            self.items[str(number)] = issue
            return self.reply("POST issues", self.create["response_201_schema"], issue, 201)

        async def update(request: Request) -> Response:
            self.calls.append(("update", request.url.path))
            if not self._authorised(request):
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            body, error = await _json(request)
            errors = [error] if error else oas30_errors(self.update["request_body_schema"], body)
            if errors:
                return self.refuse("PATCH issue", errors)
            issue = self.items.get(request.path_params["number"])
            if issue is None:
                return JSONResponse({"message": "Not Found"}, status_code=404)
            for key in ("title", "body", "state"):
                if key in body:
                    issue[key] = body[key]
            return self.reply("PATCH issue", self.update["response_200_schema"], issue, 200)

        async def listing(request: Request) -> Response:
            self.calls.append(("list", request.url.path))
            if not self._authorised(request):
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            issues = sorted(self.items.values(), key=lambda i: -i["number"])
            for issue in issues:
                errors = oas30_errors(self.create["response_201_schema"], issue)
                if errors:
                    return self.refuse("GET issues reply", errors, 500)
            return JSONResponse(issues)

        async def repository(request: Request) -> Response:
            self.calls.append(("repo", request.url.path))
            if not self._authorised(request):
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            return JSONResponse({"id": 1, "full_name": self.repo, "name": self.repo.split("/")[1]})

        return Starlette(
            routes=[
                Route(f"{repo}/issues", create, methods=["POST"]),
                Route(f"{repo}/issues", listing, methods=["GET"]),
                Route(f"{repo}/issues/{{number}}", update, methods=["PATCH"]),
                Route(repo, repository, methods=["GET"]),
            ]
        )


# Jira Cloud: POST /rest/api/3/issue, PUT/GET /rest/api/3/issue/{id}, GET /rest/api/3/search/jql, GET project.


class JiraServer(TrackerServer):
    def __init__(self, token: str, email: str, project: str):
        super().__init__(token=token)
        self.email = email
        self.project = project
        self.schema = load("jira/create-issue.openapi.json")
        self.next_id = 10000

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def _check(self, body: Any, *, creating: bool) -> list[str]:
        errors = oas30_errors(self.schema["request_body_schema"], body)
        if errors:
            return errors
        fields = body.get("fields") or {}
        if "description" in fields:
            errors += [f"fields.description: {e}" for e in adf_errors(fields["description"])]
        if creating:
            # What Jira itself requires on create, beyond the schema's shape.
            if (fields.get("project") or {}).get("key") != self.project:
                errors.append(f"fields.project.key must be {self.project}")
            if not isinstance(fields.get("summary"), str) or not fields["summary"].strip():
                errors.append("fields.summary is required")
            if not (fields.get("issuetype") or {}).get("name"):
                errors.append("fields.issuetype.name is required")
            if any(" " in label for label in fields.get("labels") or []):
                errors.append("fields.labels cannot contain spaces")
        return errors

    def _view(self, issue: dict) -> dict:
        return {"id": issue["id"], "key": issue["key"], "fields": {"status": {"name": issue["status"]}}}

    def app(self) -> Starlette:
        async def create(request: Request) -> Response:
            self.calls.append(("create", request.url.path))
            if not self._authorised(request):
                return JSONResponse({"errorMessages": ["Unauthorized"]}, status_code=401)
            body, error = await _json(request)
            errors = [error] if error else self._check(body, creating=True)
            if errors:
                return self.refuse("POST issue", errors)
            self.next_id += 1
            issue_id = str(self.next_id)
            key = f"{self.project}-{self.next_id - 10000}"
            self.items[issue_id] = {"id": issue_id, "key": key, "status": "To Do", "fields": body["fields"]}
            reply = {"id": issue_id, "key": key, "self": f"{self.base_url}/rest/api/3/issue/{issue_id}"}
            return self.reply("POST issue", self.schema["response_201_schema"], reply, 201)

        async def update(request: Request) -> Response:
            self.calls.append(("update", request.url.path))
            if not self._authorised(request):
                return JSONResponse({"errorMessages": ["Unauthorized"]}, status_code=401)
            body, error = await _json(request)
            errors = [error] if error else self._check(body, creating=False)
            if errors:
                return self.refuse("PUT issue", errors)
            issue = self.items.get(request.path_params["id"])
            if issue is None:
                return JSONResponse({"errorMessages": ["Issue does not exist"]}, status_code=404)
            issue["fields"].update(body.get("fields") or {})
            return Response(status_code=204)

        async def read(request: Request) -> Response:
            if not self._authorised(request):
                return JSONResponse({"errorMessages": ["Unauthorized"]}, status_code=401)
            issue = self.items.get(request.path_params["id"])
            if issue is None:
                return JSONResponse({"errorMessages": ["Issue does not exist"]}, status_code=404)
            return JSONResponse(self._view(issue))

        async def search(request: Request) -> Response:
            self.calls.append(("search", str(request.url.query)))
            if not self._authorised(request):
                return JSONResponse({"errorMessages": ["Unauthorized"]}, status_code=401)
            jql = request.query_params.get("jql", "")
            found = [
                self._view(i)
                for i in self.items.values()
                if any(f'"{label}"' in jql for label in i["fields"]["labels"])
            ]
            return JSONResponse({"issues": found[:1], "isLast": True})

        async def project(request: Request) -> Response:
            if not self._authorised(request):
                return JSONResponse({"errorMessages": ["Unauthorized"]}, status_code=401)
            if request.path_params["key"] != self.project:
                return JSONResponse({"errorMessages": ["No project"]}, status_code=404)
            return JSONResponse({"id": "1", "key": self.project, "name": "Product"})

        return Starlette(
            routes=[
                Route("/rest/api/3/issue", create, methods=["POST"]),
                Route("/rest/api/3/issue/{id}", update, methods=["PUT"]),
                Route("/rest/api/3/issue/{id}", read, methods=["GET"]),
                Route("/rest/api/3/search/jql", search, methods=["GET"]),
                Route("/rest/api/3/project/{key}", project, methods=["GET"]),
            ]
        )


# Linear: POST /graphql, executed against Linear's own schema (so replies conform to it by construction).


class LinearServer(TrackerServer):
    def __init__(self, token: str, team_id: str):
        super().__init__(token=token)
        self.team_id = team_id
        self.schema = linear_schema()
        self.next_number = 1

    def _issue_create(self, info, input: dict) -> dict:
        if input["teamId"] != self.team_id:
            raise graphql.GraphQLError("Entity not found: Team")
        issue_id = input.get("id")
        if issue_id in self.items:
            raise graphql.GraphQLError("Duplicate id: an issue with this id already exists")
        number = self.next_number
        self.next_number += 1
        issue = {
            "id": issue_id,
            "identifier": f"ENG-{number}",
            "url": f"https://linear.app/acme/issue/ENG-{number}",
            "title": input.get("title"),
            "description": input.get("description"),
            "state": {"name": "Backlog"},
        }
        self.items[issue_id] = issue
        return {"success": True, "lastSyncId": float(number), "issue": issue}

    def _issue_update(self, info, id: str, input: dict) -> dict:
        issue = self.items.get(id)
        if issue is None:
            raise graphql.GraphQLError("Entity not found: Issue")
        issue.update({k: v for k, v in input.items() if k in ("title", "description")})
        return {"success": True, "lastSyncId": 1.0, "issue": issue}

    def _issue(self, info, id: str) -> dict:
        if id not in self.items:
            raise graphql.GraphQLError("Entity not found: Issue")
        return self.items[id]

    def _team(self, info, id: str) -> dict:
        if id != self.team_id:
            raise graphql.GraphQLError("Entity not found: Team")
        return {"id": id, "name": "Engineering"}

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            if request.headers.get("authorization") != self.token:
                return JSONResponse({"errors": [{"message": "Authentication required"}]}, status_code=401)
            body, error = await _json(request)
            if error or not isinstance(body, dict) or not isinstance(body.get("query"), str):
                return self.refuse("graphql", [error or "body must hold a query"])
            try:
                document = graphql.parse(body["query"])
            except graphql.GraphQLError as exc:
                return self.refuse("graphql", [str(exc)])
            errors = [e.message for e in graphql.validate(self.schema, document)]
            if errors:
                return self.refuse("graphql", errors)
            operation = graphql.get_operation_ast(document)
            coerced = get_variable_values(
                self.schema, operation.variable_definitions or [], body.get("variables") or {}
            )
            if isinstance(coerced, list):
                return self.refuse("graphql variables", [e.message for e in coerced])
            self.calls.append((operation.selection_set.selections[0].name.value, json.dumps(body.get("variables"))))
            root = {
                "issueCreate": self._issue_create,
                "issueUpdate": self._issue_update,
                "issue": self._issue,
                "team": self._team,
            }
            result = await graphql.graphql(
                self.schema, body["query"], root_value=root, variable_values=body.get("variables") or {}
            )
            reply: dict[str, Any] = {"data": result.data}
            if result.errors:
                reply["errors"] = [{"message": e.message} for e in result.errors]
            return JSONResponse(reply)

        return Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])

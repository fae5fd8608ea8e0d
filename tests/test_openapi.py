"""The published API description: /openapi.json is valid and complete, /docs works offline, and a bounded
schemathesis run against a seeded workspace finds no server errors and no error body of another shape."""

from __future__ import annotations

import contextlib

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from ideaflow.ideas import service as idea_service
from tests.factories import context, make_idea, make_token, make_user, make_workspace

EXPECTED_OPERATIONS = {
    ("GET", "/api/v1/{workspace}/ideas"),
    ("POST", "/api/v1/{workspace}/ideas"),
    ("GET", "/api/v1/{workspace}/ideas/similar"),
    ("GET", "/api/v1/{workspace}/ideas/{number}"),
    ("PATCH", "/api/v1/{workspace}/ideas/{number}"),
    ("DELETE", "/api/v1/{workspace}/ideas/{number}"),
    ("PUT", "/api/v1/{workspace}/ideas/{number}/vote"),
    ("DELETE", "/api/v1/{workspace}/ideas/{number}/vote"),
    ("GET", "/api/v1/{workspace}/ideas/{number}/comments"),
    ("POST", "/api/v1/{workspace}/ideas/{number}/comments"),
    ("PATCH", "/api/v1/{workspace}/comments/{comment_id}"),
    ("DELETE", "/api/v1/{workspace}/comments/{comment_id}"),
    ("GET", "/api/v1/{workspace}/boards"),
    ("GET", "/api/v1/workspaces"),
    ("GET", "/api/v1/me"),
}


async def test_openapi_document_is_valid_and_lists_the_endpoints(client):
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ideaflow"
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations >= EXPECTED_OPERATIONS
    # HTML pages are not part of the API description.
    assert not any(not path.startswith("/api/v1/") for path in document["paths"])
    schema = schemathesis.openapi.from_dict(document)
    schema.validate()
    assert all(result.ok() for result in schema.get_all_operations())


async def test_docs_page_serves_swagger_ui_from_our_own_static_files(client):
    response = await client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert "cdn." not in html and "unpkg" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        served = await client.get(f"/static/vendor/swagger-ui/{asset}")
        assert served.status_code == 200 and len(served.content) > 10_000


def _error_shape_problem(response) -> str | None:
    if not 400 <= response.status_code < 500:
        return None
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"{response.status_code} is not JSON: {response.headers.get('content-type')}"
    body = response.json()
    if not isinstance(body, dict) or set(body) != {"error", "detail", "fields"}:
        return f"{response.status_code} body has keys {sorted(body) if isinstance(body, dict) else body!r}"
    if not (isinstance(body["error"], str) and isinstance(body["detail"], str) and isinstance(body["fields"], dict)):
        return f"{response.status_code} body has wrong types: {body!r}"
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in body["fields"].items()):
        return f"{response.status_code} fields are not strings: {body['fields']!r}"
    return None


def _draw(strategy, count: int) -> list:
    """Generate up to `count` cases up front: the app under test shares one database connection with
    this test, so requests are sent one at a time from the test's own event loop."""
    cases: list = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case) -> None:
        cases.append(case)

    # Unsatisfiable: nothing to generate in this mode, e.g. no parameter that could be made invalid.
    with contextlib.suppress(Unsatisfiable):
        collect()
    return cases


def _order(operation) -> tuple[int, str]:
    # Destructive calls last, so that the seeded idea and the token survive most of the run.
    if "/me/tokens/" in operation.path:
        return 3, operation.label
    if operation.method.upper() == "DELETE":
        return 2, operation.label
    return 1, operation.label


EXAMPLES_PER_BATCH = 8


async def test_fuzzing_the_api_finds_no_server_errors_and_one_error_shape(session, app):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner, slug="fuzz")
    idea = await make_idea(session, workspace, author=owner, title="Dark mode", body="For *night* owls")
    ctx = await context(session, workspace, owner)
    from ideaflow.comments import service as comment_service

    comment = await comment_service.add_comment(
        session, ctx, await idea_service.get_idea(session, ctx, idea.number), body="First!"
    )
    auth = await make_token(session, owner)

    # Unhandled exceptions become 500 responses to check, instead of being raised into the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    schema = schemathesis.openapi.from_dict((await client.get("/openapi.json")).json())
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    known = {"workspace": workspace.slug, "number": idea.number, "comment_id": comment.id}

    problems: list[str] = []
    sent = 0
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        seeded = {k: v for k, v in known.items() if k in names}
        batches = [
            (GenerationMode.POSITIVE, seeded),
            (GenerationMode.POSITIVE, {k: v for k, v in seeded.items() if k == "workspace"}),
            (GenerationMode.NEGATIVE, seeded),
        ]
        for mode, fixed in batches:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
            for case in _draw(strategy, EXAMPLES_PER_BATCH):
                kwargs = case.as_transport_kwargs(base_url="http://testserver")
                headers = {**kwargs.get("headers", {}), **auth}
                try:
                    response = await client.request(
                        kwargs["method"],
                        kwargs["url"],
                        params=kwargs.get("params"),
                        headers=headers,
                        json=kwargs.get("json"),
                        content=kwargs.get("data") if isinstance(kwargs.get("data"), (bytes, str)) else None,
                    )
                except (ValueError, TypeError, UnicodeError):
                    continue  # a request the HTTP client itself refuses to send (e.g. a bad header value)
                sent += 1
                label = f"{case.method} {case.formatted_path} {kwargs.get('params')} {kwargs.get('json')!r:.200}"
                try:
                    checks = [not_a_server_error]
                    if mode == GenerationMode.POSITIVE and response.status_code < 300:
                        checks.append(response_schema_conformance)
                    case.validate_response(response, checks=checks)
                except FailureGroup as exc:
                    problems.append(f"{label}: {response.status_code} {exc.exceptions[0].title}")
                if shape := _error_shape_problem(response):
                    problems.append(f"{label}: {shape}")
    await client.aclose()
    assert sent > 10 * len(operations)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("path", ["/api/v1/fuzz/ideas/not-a-number", "/api/v1/nobody-here/ideas"])
async def test_api_errors_outside_the_fuzzer_keep_the_shape(client, path):
    response = await client.get(path)
    assert 400 <= response.status_code < 500
    assert _error_shape_problem(response) is None

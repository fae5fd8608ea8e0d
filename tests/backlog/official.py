"""The trackers' official schemas (kept outside the project, in ../shared/schemas) and helpers to validate
against them and to build documents that satisfy them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import graphql
import jsonschema
from openapi_schema_validator import OAS30Validator, OAS31Validator

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas"


@cache
def load(relative: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / relative).read_text())


@cache
def linear_schema() -> graphql.GraphQLSchema:
    return graphql.build_schema((SCHEMAS / "linear" / "schema.graphql").read_text())


def _errors(validator, instance) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in validator.iter_errors(instance)
    ]


def oas30_errors(schema: dict, instance: Any) -> list[str]:
    return _errors(OAS30Validator(schema), instance)


def oas31_errors(schema: dict, instance: Any) -> list[str]:
    return _errors(OAS31Validator(schema), instance)


def adf_errors(document: Any) -> list[str]:
    return _errors(jsonschema.Draft4Validator(load("jira/adf-full.schema.json")), document)


def github_webhook_errors(action: str, payload: dict) -> list[str]:
    return oas31_errors(load("github/webhook-issues.openapi.json")["payload_schemas"][f"issues-{action}"], payload)


_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def skeleton(schema: dict[str, Any]) -> Any:
    """The smallest document satisfying `schema`: every required property, nullable ones null. Tests then set the
    values that matter and validate the result, so the skeleton only saves writing hundreds of URL fields."""
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = skeleton(part)
            if isinstance(value, dict):
                merged.update(value)
            else:
                return value
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = schema[key]
            if any(o.get("type") == "null" for o in options):
                return None
            return skeleton(options[0])
    kind = schema.get("type")
    if schema.get("nullable") or (isinstance(kind, list) and "null" in kind):
        return None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: skeleton(props.get(name, {"type": "string"})) for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt in ("uri", "uri-template"):
        return "https://example.com/"
    if fmt == "date-time":
        return _NOW
    if fmt == "email":
        return "someone@example.com"
    return "x"

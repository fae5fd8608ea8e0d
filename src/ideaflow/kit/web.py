"""HTML rendering: one Jinja environment, page-or-fragment rendering for htmx, redirects that work
with and without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from ideaflow.config import get_settings


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def _timeago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = int((datetime.now(UTC) - value).total_seconds())
    for unit, size in (
        ("year", 31_536_000),
        ("month", 2_592_000),
        ("week", 604_800),
        ("day", 86_400),
        ("hour", 3_600),
        ("minute", 60),
    ):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _initials(name: str) -> str:
    parts = [p for p in (name or "?").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def build_templates() -> Jinja2Blocks:
    settings = get_settings()
    templates = Jinja2Blocks(directory=str(settings.templates_dir))
    env = templates.env
    env.filters["timeago"] = _timeago
    env.filters["plural"] = _plural
    env.filters["initials"] = _initials
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.globals["now"] = lambda: datetime.now(UTC)
    return templates


templates = build_templates()


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page; with `block`, render only that block (an htmx fragment) from the same file."""
    ctx = {"viewer": getattr(request.state, "viewer", None), "csrf_token": getattr(request.state, "csrf", "")}
    ctx.update(context or {})
    kwargs: dict[str, Any] = {"status_code": status_code, "headers": headers}
    if block:
        kwargs["block_name"] = block
    return templates.TemplateResponse(request, template, ctx, **kwargs)


def redirect(request: Request, url: str) -> Response:
    """303 after a form post; htmx follows HX-Location without a full reload."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Location": url})
    return RedirectResponse(url, status_code=303)


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (files are not accepted by any ideaflow form)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect a visitor to another host after sign-in."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return default


def back_url(request: Request, default: str) -> str:
    """Where a no-JavaScript form post returns to: the page it came from, if it is ours."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    if referer.startswith(base):
        return safe_next("/" + referer[len(base) :], default)
    return default

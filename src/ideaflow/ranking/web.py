"""Ranking: HTML pages and htmx fragments — the staff ranking view, "why this score" with the priority form,
ranking settings, customer attributes (CSV import), and the public "help us prioritise" survey."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.boards import service as board_service
from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.schemas import TITLE_MAX
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, is_htmx, redirect, render
from ideaflow.ranking import pairwise, repository, service
from ideaflow.votes.models import Importance
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()

RANKING_LABELS = {
    "top": "Top",
    "new": "New",
    "trending": "Trending",
    "confidence": "Confidence",
    "demand": "Demand",
    "priority": "Priority",
    "pairwise": "Pairwise",
}
CSV_MAX_BYTES = 2_000_000
CSV_MAX_ROWS = 5_000
CSV_COLUMNS = ("email", "segment", "monthly_revenue", "company_name", "company_id")


# Staff: the ranking view


@router.get("/{workspace}/admin/ranking")
async def ranking_page(
    request: Request,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
    ranking: Annotated[str, Query(max_length=20)] = "top",
    board: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    workspace_service.require_staff(ctx)
    if ranking not in service.RANKINGS:
        ranking = "top"
    page = await service.ranked_ideas(
        session, ctx, ranking=ranking, board_slug=board or None, status=status or None, cursor=cursor or None
    )
    context = {
        "ctx": ctx,
        "page": page,
        "rankings": RANKING_LABELS,
        "ranking": ranking,
        "board": board,
        "status": status,
        "boards": await board_service.list_boards(session, ctx),
        "statuses": await _statuses(session, ctx),
        "settings": await service.ranking_settings(session, ctx.workspace.id),
    }
    if cursor and is_htmx(request):
        return render(request, "ranking/admin.html", context, block="rows")
    return render(request, "ranking/admin.html", context)


async def _statuses(session, ctx: WorkspaceContext) -> list[Any]:
    from ideaflow.statuses import service as status_service

    return await status_service.list_statuses(session, workspace_id=ctx.workspace.id)


# Staff: why this score, and the priority inputs


@router.get("/{workspace}/admin/ideas/{number}/score")
async def score_page(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return await _score_page(request, session, ctx, view)


async def _score_page(request, session, ctx, view, *, error=None, form=None, saved=False) -> Response:
    breakdown = await service.breakdown(session, ctx, idea=view.idea)
    return render(
        request,
        "ranking/score.html",
        {"ctx": ctx, "v": view, "b": breakdown, "error": error, "form": form, "saved": saved},
        status_code=error.status_code if error else 200,
    )


@router.post("/{workspace}/admin/ideas/{number}/score")
async def save_priority(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    workspace_service.require_staff(ctx)
    form = await form_data(request)
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    factors = {k.removeprefix("factor_"): v for k, v in form.items() if k.startswith("factor_")}
    try:
        async with session.begin_nested():
            await service.set_priority_inputs(
                session,
                ctx,
                idea=view.idea,
                impact=form.get("impact"),
                confidence=form.get("confidence"),
                effort=form.get("effort"),
                factors=factors,
            )
    except IdeaflowError as error:
        return await _score_page(request, session, ctx, view, error=error, form=form)
    return await _score_page(request, session, ctx, view, saved=True)


# Settings


@router.get("/{workspace}/settings/ranking")
async def settings_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    return await _settings_page(request, session, ctx)


async def _settings_page(request, session, ctx, *, error=None, form=None, saved="", status_code=None) -> Response:
    boards = await board_service.list_boards(session, ctx)
    board_options = await repository.board_settings_for(session, ctx.workspace.id, [b.id for b in boards])
    return render(
        request,
        "ranking/settings.html",
        {
            "ctx": ctx,
            "s": await service.ranking_settings(session, ctx.workspace.id),
            "default_half_life": get_settings().trending_half_life_hours,
            "importances": list(Importance),
            "segments_in_use": await repository.segments_in_use(session, ctx.workspace.id),
            "boards": boards,
            "board_options": {b.id: board_options.get(b.id) or service.BoardOptions() for b in boards},
            "error": error,
            "form": form,
            "saved": saved,
        },
        status_code=status_code or (error.status_code if error else 200),
    )


def _pairs(form: dict[str, str], name_key: str, value_key: str) -> list[tuple[str, str]]:
    """Rows of a repeated pair of inputs (segment_name_0/segment_weight_0, ...), skipping blank rows."""
    rows = []
    for key in sorted((k for k in form if k.startswith(name_key)), key=lambda k: int(k.rsplit("_", 1)[1] or 0)):
        suffix = key.removeprefix(name_key)
        name, value = form.get(key, "").strip(), form.get(value_key + suffix, "").strip()
        if name or value:
            rows.append((name, value))
    return rows


@router.post("/{workspace}/settings/ranking")
async def save_settings(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    form = await form_data(request)
    try:
        segments: dict[str, Any] = {}
        for name, weight in _pairs(form, "segment_name_", "segment_weight_"):
            if not name:
                raise Invalid.field("segment_weights", "every weight needs a segment name")
            segments[name] = weight
        scorecard = [{"name": n, "weight": w} for n, w in _pairs(form, "factor_name_", "factor_weight_")]
        revenue_reference = form.get("revenue_reference", "").replace(",", "").strip()
        try:
            reference_cents = round(float(revenue_reference) * 100)
        except ValueError:
            raise Invalid.field("revenue_reference", "must be an amount such as 1000") from None
        half_life = form.get("half_life_hours", "").strip()
        async with session.begin_nested():
            await service.update_settings(
                session,
                ctx,
                half_life_hours=half_life or None,
                importance_weights={i.value: form.get(f"importance_{i.value}", "1") for i in Importance},
                segment_weights=segments,
                revenue_weight=form.get("revenue_weight", ""),
                revenue_reference_cents=reference_cents,
                priority_method=form.get("priority_method", "rice"),
                scorecard=scorecard,
            )
    except IdeaflowError as error:
        return await _settings_page(request, session, ctx, error=error, form=form)
    return await _settings_page(request, session, ctx, saved="settings")


@router.post("/{workspace}/settings/ranking/boards/{board}")
async def save_board_options(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    workspace_service.require_admin(ctx)
    form = await form_data(request)
    found = await board_service.get_board(session, ctx, board)
    options = service.BoardOptions(
        importance_enabled="importance_enabled" in form,
        downvotes_enabled="downvotes_enabled" in form,
        pairwise_enabled="pairwise_enabled" in form,
    )
    await service.set_board_options(session, ctx, board_id=found.id, options=options)
    return redirect(request, f"/{ctx.workspace.slug}/settings/ranking#board-{found.slug}")


# Customers


@router.get("/{workspace}/settings/customers")
async def customers_page(
    request: Request,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> Response:
    workspace_service.require_staff(ctx)
    return await _customers_page(request, session, ctx, after=after)


async def _customers_page(request, session, ctx, *, after=0, errors=None, imported=None, status_code=200):
    rows = await repository.list_profiles(session, ctx.workspace.id, after_id=after, limit=51)
    return render(
        request,
        "ranking/customers.html",
        {
            "ctx": ctx,
            "rows": rows[:50],
            "next_after": rows[49][0].id if len(rows) > 50 else None,
            "errors": errors or [],
            "imported": imported,
            "columns": CSV_COLUMNS,
        },
        status_code=status_code,
    )


@router.post("/{workspace}/settings/customers/import")
async def import_customers(request: Request, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    await rate_limit(request, "customers-import", limit=20, subject=str(user.id))
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _customers_page(
            request, session, ctx, errors=[(None, "Choose a CSV file to import.")], status_code=422
        )
    raw = await upload.read(CSV_MAX_BYTES + 1)
    if len(raw) > CSV_MAX_BYTES:
        return await _customers_page(
            request, session, ctx, errors=[(None, "The file is larger than 2 MB: split it.")], status_code=422
        )
    parsed, errors = await _parse_customers(session, ctx, raw)
    if errors:
        # Nothing is imported from a file with mistakes: fix the lines listed and upload it again.
        return await _customers_page(request, session, ctx, errors=errors, status_code=422)
    for target, row in parsed:
        await service.record_customer_attributes(
            session,
            workspace_id=ctx.workspace.id,
            user_id=target.id,
            segment=row.get("segment") or None,
            monthly_revenue=row.get("monthly_revenue") or None,
            company_name=row.get("company_name") or None,
            company_external_id=row.get("company_id") or None,
            source="csv",
        )
    return await _customers_page(request, session, ctx, imported=len(parsed))


async def _parse_customers(session, ctx, raw: bytes) -> tuple[list[tuple[Any, dict]], list[tuple[int | None, str]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(None, "The file is not UTF-8 text: save it as “CSV UTF-8”.")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header:
        return [], [(1, "The first line must name the columns, including “email”.")]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        return [], [(1, f"Unknown column “{unknown[0]}”: use {', '.join(CSV_COLUMNS)}.")]
    reader.fieldnames = header
    rows = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > CSV_MAX_ROWS:
            return [], [(line, f"More than {CSV_MAX_ROWS:,} rows: split the file.")]
        rows.append((line, {k: (v or "").strip() for k, v in row.items() if k}))
    users = await repository.users_by_email(session, [r["email"] for _, r in rows if r.get("email")])
    known = await repository.known_user_ids(session, ctx.workspace.id, [u.id for u in users.values()])
    errors: list[tuple[int | None, str]] = []
    parsed = []
    seen: set[str] = set()
    for line, row in rows:
        email = row.get("email", "").lower()
        target = users.get(email)
        if not email:
            errors.append((line, "email is missing"))
            continue
        if email in seen:
            errors.append((line, f"{email} appears twice"))
            continue
        seen.add(email)
        if target is None or target.id not in known:
            errors.append((line, f"{email} has not joined or voted in this workspace"))
            continue
        try:
            service.clean_profile(row.get("segment") or None, row.get("monthly_revenue") or None, None, None, "csv")
        except Invalid as error:
            field, reason = next(iter(error.fields.items()))
            errors.append((line, f"{field.replace('_', ' ')} {reason}"))
            continue
        parsed.append((target, row))
    if not rows:
        errors.append((None, "The file has no rows under its header."))
    return parsed, errors


# The public survey: help us prioritise


@router.get("/{workspace}/boards/{board}/prioritise")
async def survey_page(request: Request, board: str, ctx: WorkspaceDep, session: SessionDep) -> Response:
    found = await pairwise.get_board_for_survey(session, ctx, board)
    return await _survey(request, session, ctx, found)


async def _survey(request, session, ctx, board, *, error=None, form=None, thanks=False, status_code=None):
    pair = await pairwise.next_pair(session, ctx, board) if ctx.user is not None else None
    results = await pairwise.results(session, ctx, board, limit=10)
    context = {
        "ctx": ctx,
        "board": board,
        "pair": pair,
        "results": results,
        "error": error,
        "form": form or {},
        "thanks": thanks,
        "title_max": TITLE_MAX,
    }
    code = status_code or (error.status_code if error else 200)
    if is_htmx(request):
        return render(request, "ranking/prioritise.html", context, block="survey", status_code=code)
    return render(request, "ranking/prioritise.html", context, status_code=code)


@router.post("/{workspace}/boards/{board}/prioritise")
async def survey_answer(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    await rate_limit(request, "compare", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
    found = await pairwise.get_board_for_survey(session, ctx, board)
    form = await form_data(request)
    try:
        left, right = int(form.get("left", "")), int(form.get("right", ""))
    except ValueError:
        return await _survey(request, session, ctx, found, error=Invalid.field("left", "is not a pair we offered"))
    try:
        async with session.begin_nested():
            await pairwise.compare(session, ctx, found, left_id=left, right_id=right, outcome=form.get("outcome", ""))
    except IdeaflowError as error:
        return await _survey(request, session, ctx, found, error=error)
    if is_htmx(request):
        return await _survey(request, session, ctx, found, thanks=True)
    return redirect(request, f"/{ctx.workspace.slug}/boards/{found.slug}/prioritise")


@router.post("/{workspace}/boards/{board}/prioritise/ideas")
async def survey_own_idea(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    await rate_limit(request, "idea", limit=get_settings().rate_limit_write_per_minute, subject=str(user.id))
    found = await pairwise.get_board_for_survey(session, ctx, board)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            idea = await pairwise.add_own_idea(session, ctx, found, title=form.get("title", ""))
    except IdeaflowError as error:
        return await _survey(request, session, ctx, found, error=error, form=form)
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{idea.number}")

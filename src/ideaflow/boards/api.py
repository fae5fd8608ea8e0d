"""Board API."""

from __future__ import annotations

from fastapi import APIRouter, status

from ideaflow.boards import service
from ideaflow.boards.schemas import BoardCreate, BoardRead, BoardUpdate
from ideaflow.db import SessionDep
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["boards"])


@router.get("/{workspace}/boards", response_model=list[BoardRead], summary="Boards the caller can see")
async def list_boards(ctx: WorkspaceDep, session: SessionDep) -> list[BoardRead]:
    return [BoardRead.model_validate(b) for b in await service.list_boards(session, ctx)]


@router.post(
    "/{workspace}/boards",
    response_model=BoardRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a board (admins)",
)
async def create_board(payload: BoardCreate, ctx: WorkspaceDep, session: SessionDep) -> BoardRead:
    board = await service.create_board(session, ctx, **payload.model_dump())
    return BoardRead.model_validate(board)


@router.get("/{workspace}/boards/{board}", response_model=BoardRead, summary="A board")
async def get_board(board: str, ctx: WorkspaceDep, session: SessionDep) -> BoardRead:
    return BoardRead.model_validate(await service.get_board(session, ctx, board))


@router.patch("/{workspace}/boards/{board}", response_model=BoardRead, summary="Change a board (admins)")
async def update_board(board: str, payload: BoardUpdate, ctx: WorkspaceDep, session: SessionDep) -> BoardRead:
    found = await service.get_board(session, ctx, board)
    updated = await service.update_board(session, ctx, found, **payload.model_dump(exclude_unset=True))
    return BoardRead.model_validate(updated)

"""Boards: the places inside a workspace where ideas are posted."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, fk_column, id_column, str_enum


class Visibility(StrEnum):
    public = "public"
    private = "private"


class Board(CreatedAtMixin, Base):
    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    slug: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, 16), nullable=False, default=Visibility.public)
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Customers may pick existing tags when they submit an idea here.
    customers_can_tag: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

"""Workspaces (one per company) and who belongs to them, with which role."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, fk_column, id_column, str_enum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    staff = "staff"
    member = "member"

    @property
    def rank(self) -> int:
        return {"owner": 3, "admin": 2, "staff": 1, "member": 0}[self.value]

    @property
    def is_staff(self) -> bool:
        return self.rank >= 1

    @property
    def is_admin(self) -> bool:
        return self.rank >= 2


class Workspace(CreatedAtMixin, Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = id_column()
    slug: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    # Last idea number handed out; ideas are numbered per workspace (/acme/ideas/42).
    idea_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Membership(CreatedAtMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    user_id: Mapped[int] = fk_column("users.id", index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), nullable=False, default=Role.member)

"""Workspace rules: creation (the creator owns it), membership, and role changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.workspaces import repository
from ideaflow.workspaces.models import Membership, Role, Workspace
from ideaflow.workspaces.schemas import SLUG_PATTERN

# Top-level paths the app itself uses; a workspace cannot take them.
RESERVED_SLUGS = frozenset(
    {
        "api",
        "static",
        "docs",
        "redoc",
        "openapi.json",
        "signin",
        "signup",
        "signout",
        "account",
        "me",
        "new",
        "embed",
        "widget.js",
        "healthz",
        "admin",
        "workspaces",
        "settings",
        "login",
        "logout",
        "register",
        "about",
        "help",
        "www",
        "assets",
        "favicon.ico",
        "robots.txt",
    }
)


@dataclass
class WorkspaceContext:
    """The workspace a request is about, who is asking, and their role there (None: not a member)."""

    workspace: Workspace
    user: User | None
    role: Role | None
    # Whether the viewer is blocked here, when the context was loaded with it (None: not known, ask moderation).
    blocked: bool | None = None

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def is_staff(self) -> bool:
        return self.role is not None and self.role.is_staff

    @property
    def is_admin(self) -> bool:
        return self.role is not None and self.role.is_admin


def validate_slug(slug: str, field: str = "slug") -> str:
    slug = slug.strip().lower()
    if not re.fullmatch(SLUG_PATTERN, slug) or len(slug) < 2:
        raise Invalid.field(field, "use 2–40 lower-case letters, digits or dashes")
    return slug


async def create_workspace(session: AsyncSession, *, user: User, name: str, slug: str) -> Workspace:
    name = name.strip()
    if not name:
        raise Invalid.field("name", "is required")
    if len(name) > 80:
        raise Invalid.field("name", "must be at most 80 characters")
    slug = validate_slug(slug)
    if slug in RESERVED_SLUGS:
        raise Invalid.field("slug", "is reserved; choose another")
    if await repository.slug_taken(session, slug):
        raise Conflict("That address is taken.", fields={"slug": "is already taken"})
    workspace = Workspace(name=name, slug=slug, idea_seq=0)
    session.add(workspace)
    await session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.owner))
    from ideaflow.boards import service as board_service
    from ideaflow.statuses import service as status_service

    await board_service.create_default_board(session, workspace=workspace)
    await status_service.seed_defaults(session, workspace_id=workspace.id)
    await session.flush()
    return workspace


async def load_context(
    session: AsyncSession, *, slug: str, user: User | None, board_slug: str | None = None
) -> WorkspaceContext:
    """The request's workspace and the viewer's role; `board_slug` (a route's board) is looked up in the same
    round trip and kept for `boards.service.get_board`, which still checks who may see it."""
    found = await repository.get_context_rows(session, slug, user.id if user else None, board_slug)
    if found is None:
        raise NotFound("No such workspace.")
    if found.board is not None:
        from ideaflow.boards.service import remember_board

        remember_board(session, found.board)
    return WorkspaceContext(workspace=found.workspace, user=user, role=found.role, blocked=found.blocked)


async def list_my_workspaces(session: AsyncSession, *, user: User) -> list[tuple[Workspace, Role]]:
    return await repository.list_for_user(session, user.id)


async def add_member(
    session: AsyncSession, ctx: WorkspaceContext, *, email: str, role: Role
) -> tuple[Membership, User]:
    """Admins grant membership (which opens private boards) to people who already have an account."""
    from ideaflow.accounts import repository as account_repository
    from ideaflow.accounts.service import normalise_email

    require_admin(ctx)
    if role == Role.owner and ctx.role != Role.owner:
        raise Forbidden("Only owners can make owners.", fields={"role": "only owners can grant owner"})
    user = await account_repository.get_user_by_email(session, normalise_email(email))
    if user is None or user.password_hash is None:
        raise NotFound(
            "No account uses that email yet: ask them to sign up first.",
            fields={"email": "has no ideaflow account yet"},
        )
    if await repository.get_membership(session, ctx.workspace.id, user.id) is not None:
        raise Conflict("That person is already a member.", fields={"email": "is already a member"})
    membership = Membership(workspace_id=ctx.workspace.id, user_id=user.id, role=role)
    session.add(membership)
    await session.flush()
    await _audit(ctx, session, "member.added", user.id, None, {"role": Role(role).value})
    return membership, user


async def _audit(ctx: WorkspaceContext, session: AsyncSession, action: str, user_id: int, before, after) -> None:
    from ideaflow.audit import service as audit

    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id if ctx.user else None,
        action=action,
        target_type="user",
        target_id=user_id,
        before=before,
        after=after,
    )


def require_staff(ctx: WorkspaceContext) -> None:
    if not ctx.is_staff:
        raise Forbidden("Only staff of this workspace can do that.")


def require_admin(ctx: WorkspaceContext) -> None:
    if not ctx.is_admin:
        raise Forbidden("Only owners and admins of this workspace can do that.")


async def list_members(session: AsyncSession, ctx: WorkspaceContext) -> list[tuple[Membership, User]]:
    require_staff(ctx)
    return await repository.list_members(session, ctx.workspace.id)


async def change_role(session: AsyncSession, ctx: WorkspaceContext, *, user_id: int, role: Role) -> Membership:
    require_admin(ctx)
    membership = await repository.get_membership(session, ctx.workspace.id, user_id)
    if membership is None:
        raise NotFound("That person is not a member of this workspace.")
    current = Role(membership.role)
    if ctx.role != Role.owner and (current == Role.owner or role == Role.owner):
        raise Forbidden(
            "Only owners can make or unmake owners.", fields={"role": "only owners can grant or remove owner"}
        )
    if current == Role.owner and role != Role.owner and await repository.count_owners(session, ctx.workspace.id) <= 1:
        raise Conflict("A workspace needs at least one owner.", fields={"role": "the last owner cannot step down"})
    if current != role:
        membership.role = role
        await session.flush()
        await _audit(ctx, session, "member.role_changed", user_id, {"role": current.value}, {"role": Role(role).value})
    return membership


async def remove_member(session: AsyncSession, ctx: WorkspaceContext, *, user_id: int) -> None:
    """Admins take someone out of the workspace (their ideas, comments and votes stay). Only owners remove
    owners, and the last owner cannot be removed (nor remove themselves)."""
    require_admin(ctx)
    membership = await repository.get_membership(session, ctx.workspace.id, user_id)
    if membership is None:
        raise NotFound("That person is not a member of this workspace.")
    current = Role(membership.role)
    if current == Role.owner and ctx.role != Role.owner:
        raise Forbidden("Only owners can remove owners.", fields={"user_id": "only owners can remove an owner"})
    if current == Role.owner and await repository.count_owners(session, ctx.workspace.id) <= 1:
        raise Conflict(
            "A workspace needs at least one owner: make someone else owner first.",
            fields={"user_id": "is the last owner"},
        )
    await session.delete(membership)
    await session.flush()
    await _audit(ctx, session, "member.removed", user_id, {"role": current.value}, None)

"""Comment rules: one level of replies, edits and removal by the author (staff may remove too),
and a removed comment that keeps its place in the thread. Internal notes are comments with `internal` set:
staff-only to write and to read, flat, not counted in the public comment count, announced as `note.created`
(never `comment.created`), and invisible to everyone else (they 404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow import outbox
from ideaflow.audit import service as audit
from ideaflow.comments import repository
from ideaflow.comments.models import Comment
from ideaflow.comments.schemas import COMMENT_MAX
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.ideas.service import IdeaView
from ideaflow.kit import markdown
from ideaflow.moderation import service as moderation_service
from ideaflow.moderation.models import ModerationState
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext


@dataclass
class CommentNode:
    comment: Comment
    author_name: str
    replies: list[CommentNode] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.comment.deleted_at is not None


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid.field("body", "is required")
    if len(body) > COMMENT_MAX:
        raise Invalid.field("body", f"must be at most {COMMENT_MAX:,} characters")
    return body


async def thread(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> list[CommentNode]:
    """Top-level comments oldest first, each with its replies. Removed comments stay as placeholders
    while they have replies, so the conversation keeps its shape; removed replies simply go. Comments not
    approved by moderation are shown to staff, and pending or rejected ones to their author (with a notice)."""
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    listed = await repository.list_for_idea(
        session,
        ctx.workspace.id,
        view.idea.id,
        internal=False,
        staff=ctx.is_staff,
        viewer_id=ctx.user.id if ctx.user else None,
    )
    for comment, author in listed:
        node = nodes[comment.id] = CommentNode(comment=comment, author_name=author)
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            roots.append(node)
        elif not node.deleted:
            parent.replies.append(node)
    return [n for n in roots if not n.deleted or n.replies]


async def notes(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> list[CommentNode]:
    """The idea's internal notes, oldest first (staff only; removed notes are left out)."""
    workspace_service.require_staff(ctx)
    return [
        CommentNode(comment=c, author_name=a)
        for c, a in await repository.list_for_idea(session, ctx.workspace.id, view.idea.id, internal=True)
        if c.deleted_at is None
    ]


async def add_note(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView, *, body: str) -> Comment:
    """A staff-only note on an idea. It emits `note.created`, which no customer-facing handler listens to."""
    if ctx.user is None:
        raise Unauthorized("Sign in to do that.")
    workspace_service.require_staff(ctx)
    body = _clean(body)
    now = datetime.now(UTC)
    note = Comment(
        workspace_id=ctx.workspace.id,
        idea_id=view.idea.id,
        author_id=ctx.user.id,
        parent_id=None,
        body=body,
        body_html=markdown.render(body),
        internal=True,
        created_at=now,
        updated_at=now,
    )
    session.add(note)
    await session.flush()
    await outbox.emit(
        session,
        type="note.created",
        workspace_id=ctx.workspace.id,
        payload={"comment_id": note.id, "idea_id": view.idea.id, "number": view.idea.number, "actor_id": ctx.user.id},
    )
    return note


async def _count(session: AsyncSession, view: IdeaView, delta: int) -> None:
    """Adjust the idea's comment count in SQL and let the loaded idea show the new number, so the page
    rendered in the same request (the htmx swap) does not show the old count."""
    _, comments = await idea_repository.change_counters(session, view.idea.id, comments=delta)
    set_committed_value(view.idea, "comment_count", comments)


async def add_comment(
    session: AsyncSession, ctx: WorkspaceContext, view: IdeaView, *, body: str, parent_id: int | None = None
) -> Comment:
    """A public comment or reply. Pre-moderation or a spam signal stores it as `pending`: it is then not
    counted or announced (`comment.created`) until staff approve it."""
    if ctx.user is None:
        raise Unauthorized("Sign in to comment.")
    await moderation_service.ensure_can_participate(session, ctx)
    if view.idea.merged_into_id is not None:
        # Its comments stay readable; the conversation goes on where the votes went.
        raise Conflict("This idea was merged into another one: comment there.", code="idea_merged")
    body = _clean(body)
    if parent_id is not None:
        parent = await repository.get(session, ctx.workspace.id, parent_id)
        if (
            parent is None
            or parent.idea_id != view.idea.id
            or parent.internal
            or not moderation_service.may_see(ctx, state=parent.moderation_state, author_id=parent.author_id)
        ):
            raise Invalid.field("parent_id", "is not a comment on this idea")
        if parent.deleted_at is not None:
            raise Invalid.field("parent_id", "that comment was removed")
        # Replies are one level deep: answering a reply joins the same conversation.
        parent_id = parent.parent_id or parent.id
    screening = await moderation_service.screen(session, ctx, kind="comment", body=body)
    now = datetime.now(UTC)
    comment = Comment(
        workspace_id=ctx.workspace.id,
        idea_id=view.idea.id,
        author_id=ctx.user.id,
        parent_id=parent_id,
        body=body,
        body_html=markdown.render(body),
        created_at=now,
        updated_at=now,
        moderation_state=screening.state,
        moderation_reason=screening.reason,
    )
    session.add(comment)
    await session.flush()
    if screening.published:
        await _count(session, view, +1)
        await announce_comment(session, comment, view.idea)
    return comment


async def announce_comment(session: AsyncSession, comment: Comment, idea: Idea) -> None:
    """`comment.created`, on behalf of its author: when it is posted, or when moderation approves it. Nothing
    is announced while the idea itself is not published (its followers could not open it)."""
    if idea.moderation_state != ModerationState.approved:
        return
    await outbox.emit(
        session,
        type="comment.created",
        workspace_id=comment.workspace_id,
        payload={
            "comment_id": comment.id,
            "idea_id": idea.id,
            "number": idea.number,
            "parent_id": comment.parent_id,
            "actor_id": comment.author_id,
        },
    )


async def _load_for_change(session: AsyncSession, ctx: WorkspaceContext, comment_id: int) -> tuple[Comment, IdeaView]:
    if ctx.user is None:
        raise Unauthorized("Sign in to do that.")
    comment = await repository.get(session, ctx.workspace.id, comment_id)
    # An internal note does not exist for anyone but staff; nor does an unpublished comment, but for its author.
    if (
        comment is None
        or comment.deleted_at is not None
        or (comment.internal and not ctx.is_staff)
        or not moderation_service.may_see(ctx, state=comment.moderation_state, author_id=comment.author_id)
    ):
        raise NotFound("No such comment.")
    # Reading the idea checks that the viewer may see the board it is on.
    view = await idea_service.get_idea(session, ctx, idea_id=comment.idea_id)
    return comment, view


async def edit_comment(session: AsyncSession, ctx: WorkspaceContext, *, comment_id: int, body: str) -> Comment:
    comment, _ = await _load_for_change(session, ctx, comment_id)
    if comment.author_id != ctx.user.id:
        raise Forbidden("Only the author can edit a comment.")
    comment.body = _clean(body)
    comment.body_html = markdown.render(comment.body)
    comment.updated_at = datetime.now(UTC)
    await session.flush()
    return comment


async def delete_comment(session: AsyncSession, ctx: WorkspaceContext, *, comment_id: int) -> Comment:
    comment, view = await _load_for_change(session, ctx, comment_id)
    if comment.author_id != ctx.user.id and not ctx.is_staff:
        raise Forbidden("Only the author or staff can remove a comment.")
    comment.deleted_at = comment.deleted_at or datetime.now(UTC)
    await session.flush()
    # Only published comments were counted.
    if not comment.internal and comment.moderation_state == ModerationState.approved:
        await _count(session, view, -1)
    if comment.author_id != ctx.user.id or comment.internal:
        # Staff removing someone else's comment, or any note: a staff action worth keeping a record of.
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="note.deleted" if comment.internal else "comment.deleted",
            target_type="comment",
            target_id=comment.id,
            before={"idea_id": comment.idea_id, "author_id": comment.author_id},
            after=None,
        )
    return comment
